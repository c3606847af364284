import Foundation
import ISOTime

/// ISO 8601 dates for `JSONValueEncoder` / `JSONValueDecoder`: the same text as `ISOTime.format` (UTC,
/// fractional seconds only when there are any, to the microsecond) and the same acceptance as `ISOTime.parse`,
/// with fast paths for the common forms.
public enum JSONDates {
    /// Microseconds since the epoch, rounded; nil when out of range (or not finite).
    @inline(__always)
    static func microseconds(_ d: Date) -> Int64? {
        let us = (d.timeIntervalSince1970 * 1_000_000).rounded()
        // Keep well inside Int64 (about ±292,000 years).
        guard us.isFinite, us > -9.2e18, us < 9.2e18 else { return nil }
        return Int64(us)
    }

    /// `2026-03-01T09:00:00Z` (with `.ffffff` trimmed of trailing zeros when the date has a fraction of a second),
    /// exactly as `ISOTime.format(microseconds:)`; nil for dates too far out to represent.
    public static func format(_ d: Date) -> String? {
        guard let us = microseconds(d) else { return nil }
        return format(microseconds: us)
    }

    /// The text of a timestamp in microseconds since the epoch, as `ISOTime.format(microseconds:)`.
    public static func format(microseconds us: Int64) -> String { ISOTime.format(microseconds: us) }

    /// The date of an ISO 8601 text, accepting exactly what `ISOTime.parse` accepts.
    public static func parse(_ text: String) -> Date? {
        guard let us = parseMicroseconds(text) else { return nil }
        return Date(timeIntervalSince1970: Double(us) / 1_000_000)
    }

    /// Microseconds since the epoch, as `ISOTime.parse`.
    public static func parseMicroseconds(_ text: String) -> Int64? { ISOTime.parse(text) }

    /// `parse` on the UTF-8 bytes of a text, without allocating for the common form.
    public static func parse(utf8: UnsafeBufferPointer<UInt8>) -> Date? {
        guard let us = ISOTime.parse(utf8: utf8) else { return nil }
        return Date(timeIntervalSince1970: Double(us) / 1_000_000)
    }
}
