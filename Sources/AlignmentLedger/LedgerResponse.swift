import EventLog

/// The JSON answers the front ends share: the command line's `--json` and the HTTP API (`align serve`) encode these
/// same types with `LedgerJSON`, so the two say the same thing in the same words.
public enum LedgerResponse {
    /// What a command recorded: its events (full envelopes), the head after them and a one-line summary.
    public struct Recorded: Encodable, Sendable {
        public var events: [EventEnvelope]
        public var head: String
        public var ok = true
        public var summary: String

        public init(_ outcome: CommandOutcome) {
            events = outcome.recorded.map(EventEnvelope.init)
            head = outcome.head.description
            summary = outcome.summary
        }
    }

    /// An audit trail: its events and the head to check them against.
    public struct Trail: Encodable, Sendable {
        public var events: [EventEnvelope]
        public var head: String
        public var ok = true

        public init(_ t: AuditTrail) {
            events = t.events.map(EventEnvelope.init)
            head = t.head.description
        }
    }

    /// The overrides on record, with the head.
    public struct Overrides: Encodable, Sendable {
        public var head: String
        public var ok = true
        public var overrides: [OverrideRecord]

        public init(_ overrides: [OverrideRecord], head: Checkpoint) {
            self.head = head.description
            self.overrides = overrides
        }
    }

    /// A signed checkpoint of the Merkle tree (`align checkpoint --json`).
    public struct SignedCheckpoint: Encodable, Sendable {
        public var note: String
        public var origin: String
        public var root: String
        public var size: UInt64

        public init(_ c: TreeCheckpoint) {
            (note, origin, root, size) = (c.note, c.origin, c.root.hex, c.size)
        }
    }
}
