import Foundation

/// Counts and sizes of a ledger.
public struct Stats: Sendable, Equatable {
    /// Events stored.
    public var events: UInt64
    /// Streams with at least one event.
    public var streams: UInt64
    /// Bytes the ledger takes where it is kept (its data file, or the records in memory).
    public var sizeOnDisk: Int64
    /// Position and hash of the last event.
    public var head: Checkpoint
    /// The ledger's unique id.
    public var ledgerID: UUID
    /// The record format version.
    public var formatVersion: UInt32

    /// Assembles the figures (for stores).
    package init(events: UInt64, streams: UInt64, sizeOnDisk: Int64, head: Checkpoint, ledgerID: UUID, formatVersion: UInt32) {
        (self.events, self.streams, self.sizeOnDisk, self.head, self.ledgerID, self.formatVersion) =
            (events, streams, sizeOnDisk, head, ledgerID, formatVersion)
    }
}
