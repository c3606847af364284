import Foundation
import ISOTime

/// A point in time with microsecond precision, as stored in the log (microseconds since the Unix epoch, UTC).
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    /// A time given in microseconds since the epoch.
    public init(microseconds: Int64) { self.microseconds = microseconds }
    /// A `Date`, rounded to the microsecond.
    public init(_ date: Date) { self.microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

    /// The current wall-clock time.
    public static var now: Timestamp { Timestamp(Date()) }

    /// The time as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }

    /// Earlier than.
    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    /// ISO 8601 in UTC, with fractional seconds only when there are any (`2026-03-01T09:00:00Z`).
    public var iso8601: String { ISOTime.format(microseconds: microseconds) }
    /// The ISO 8601 form.
    public var description: String { iso8601 }

    /// Parses ISO 8601 date-times (`2026-03-01T09:00:00Z`, with offset or fractional seconds) and plain dates (`2026-03-01`, midnight UTC).
    public init?(iso8601 text: String) {
        guard let us = ISOTime.parse(text) else { return nil }
        self.init(microseconds: us)
    }
}
