import Foundation

/// One write transaction of the log, handed to `EventLog.transaction` bodies; never escapes them. Appends and
/// side-table writes made through it commit together, or not at all.
public final class LogTransaction {
    let backend: any StoreTransaction

    /// Wraps a store's transaction (for stores).
    package init(_ backend: any StoreTransaction) { self.backend = backend }

    /// Position and hash of the last event written so far in this transaction.
    public var head: Checkpoint { backend.head }
    /// The last position committed before this transaction began. Events up to it are durable whatever becomes of
    /// this transaction; later ones were written by work sharing it, and are undone if it fails.
    public var committedHead: UInt64 { backend.committedHead }
    /// The recorded-at time of every event in this transaction.
    public var now: Timestamp { backend.now }

    /// The current version of a stream as this transaction sees it (nil when it does not exist).
    public func version(of stream: String) throws -> UInt64? { try backend.version(of: stream) }

    /// Asks for the unindexed tail to be indexed when this transaction commits.
    public func requestIndex() { backend.requestIndex() }

    /// Appends events (checked first) inside this transaction.
    public func append(_ appends: [StreamAppend]) throws -> AppendResult {
        try backend.append(PreparedAppend(appends))
    }

    /// Reads a value from a named side table.
    public func get(_ table: String, _ key: [UInt8]) throws -> [UInt8]? { try backend.get(table, key) }

    /// Writes a value into a named side table.
    public func put(_ table: String, _ key: [UInt8], _ value: [UInt8]) throws { try backend.put(table, key, value) }

    /// Writes rows whose keys come in ascending byte order into a named side table (cheaper than one `put` each).
    /// A row that does not sort after the table's last key is written the ordinary way.
    public func putSorted(_ table: String, _ rows: [(key: [UInt8], value: [UInt8])]) throws {
        try backend.putSorted(table, rows)
    }

    /// Deletes a key from a named side table.
    public func delete(_ table: String, _ key: [UInt8]) throws { try backend.delete(table, key) }

    /// Empties a named side table.
    public func clear(_ table: String) throws { try backend.clear(table) }

    /// The root of the Merkle tree's first `size` leaves (the head position at most), as this transaction sees it.
    public func treeRoot(size: UInt64) throws -> ChainHash { try backend.treeRoot(size: size) }

    /// Keeps a signed tree head; refused (`EventLogError.inconsistentTreeHead`) unless its root is the log's at its
    /// size and the newest head kept so far is still the log's and no larger.
    public func keepTreeHead(_ head: StoredTreeHead) throws { try backend.keepTreeHead(head) }

    /// Copies up to `limit` records out as stored, into one buffer, for decoding elsewhere (`StoredRecords.events()`,
    /// on any thread).
    public func readStored(from position: UInt64, limit: Int) throws -> StoredRecords {
        try backend.readStored(from: position, limit: limit)
    }
}

@available(*, unavailable) extension LogTransaction: Sendable {}
