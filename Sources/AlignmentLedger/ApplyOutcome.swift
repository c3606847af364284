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
    /// Lines whose idempotency key was applied before: nothing was written for them.
    public var skipped: [Skipped] = []

    /// A line skipped because its key was applied before, and the position of the event its key names.
    public struct Skipped: Encodable, Sendable {
        public var line: Int
        public var key: String
        public var position: UInt64
    }

    /// The first and last positions written (0 when none).
    public var positions: (first: UInt64, last: UInt64) { (recorded.first?.position ?? 0, recorded.last?.position ?? 0) }

    /// What was applied, and the head.
    public var lines: [String] {
        (recorded.isEmpty ? ["applied \(commands) commands: no events"]
            : ["applied \(commands) commands: \(recorded.count) events at positions \(positions.first)...\(positions.last) in \(FixedPoint.format(seconds, places: 2)) s"])
            + (skipped.isEmpty ? [] : [Terminal.safe("skipped \(skipped.count) line\(skipped.count == 1 ? "" : "s") whose key was applied before (nothing written for them): "
                                                     + skipped.prefix(5).map { "line \($0.line) \($0.key.debugDescription) at #\($0.position)" }.joined(separator: ", ")
                                                     + (skipped.count > 5 ? ", ..." : ""))])
            + ["head \(head)"]
    }
}
