import EventLog
import Foundation

/// What an apply file did: every command's events, appended in one transaction.
public struct ApplyOutcome: Sendable {
    /// How many commands the file held.
    public var commands: Int
    /// Their events, as recorded.
    public var recorded: [RecordedEvent]
    /// The head after them.
    public var head: Checkpoint
    /// How long deciding and appending took.
    public var seconds: Double

    /// The first and last positions written (0 when none).
    public var positions: (first: UInt64, last: UInt64) { (recorded.first?.position ?? 0, recorded.last?.position ?? 0) }

    /// What was applied, and the head.
    public var lines: [String] {
        ["applied \(commands) commands: \(recorded.count) events at positions \(positions.first)...\(positions.last) in \(FixedPoint.format(seconds, places: 2)) s",
         "head \(head)"]
    }
}
