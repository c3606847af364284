import Foundation

/// The append-only, hash-chained event log of one ledger: the front every caller uses, over a store that keeps
/// the records (`EventStore`: LMDB on disk, opened with `EventLog.open` or `create`, or memory).
///
/// Appends from any thread or task go through the store's single writer; reads run on the caller's thread.
public final class EventLog: Sendable {
    /// The on-disk format this build reads and writes.
    public static let formatVersion: UInt32 = 2

    /// Where the ledger is kept (its directory for a ledger on disk).
    public let path: String
    /// The ledger's unique id, fixed at creation.
    public let ledgerID: UUID
    /// The backend that keeps the records.
    package let store: any EventStore
    /// Signalled after each commit made through this log (wakes subscriptions).
    let commits = CommitSignal()

    /// A log over `store` (for the stores' opening functions).
    package init(store: any EventStore) {
        self.store = store
        self.path = store.location
        self.ledgerID = store.ledgerID
    }

    // MARK: Appending

    /// Appends events to one or more streams atomically, waiting until they are durable.
    /// Returns the recorded events (for an idempotent retry, the ones stored first).
    @discardableResult
    public func append(_ appends: [StreamAppend]) throws -> AppendResult {
        let r = try store.append(PreparedAppend(appends))
        if !r.wasDuplicate { commits.signal() }
        return r
    }

    /// Appends events to one or more streams atomically (async; the write itself runs on the writer).
    @discardableResult
    public func append(_ appends: [StreamAppend]) async throws -> AppendResult {
        let prepared = try PreparedAppend(appends)
        let r = try await store.append(prepared)
        if !r.wasDuplicate { commits.signal() }
        return r
    }

    /// Appends to one stream.
    @discardableResult
    public func append(to stream: String, expected: ExpectedVersion = .any, _ events: [ProposedEvent]) throws -> AppendResult {
        try append([StreamAppend(stream: stream, expected: expected, events: events)])
    }

    /// Runs `body` in the writer's durable transaction (group-committed with other work). `body` runs on the
    /// writer thread, must not block on anything but the transaction, and may run again if the store must retry.
    /// It sees the state left by earlier work in the same batch; if it throws, its writes are undone.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (LogTransaction) throws -> T) throws -> T {
        let r = try store.transaction(body)
        commits.signal()
        return r
    }

    /// Async form of `transaction(_:)`.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (LogTransaction) throws -> T) async throws -> T {
        let r = try await store.transaction(body)
        commits.signal()
        return r
    }

    /// Writes the index entries of the unindexed tail now (stores that defer them index it by themselves once it
    /// is long enough); for tests and for handing a ledger on with every event indexed.
    public func indexTail() throws { try store.indexTail() }

    /// Position of the last event the stream and id indexes cover (the events after it are the unindexed tail).
    public func indexedPosition() throws -> UInt64 { try store.indexedPosition() }

    // MARK: Reading

    /// The head: position and hash of the last event (position 0 and the genesis hash when empty).
    public func head() throws -> Checkpoint { try store.head() }

    /// Up to `limit` events from `position` on, in order.
    public func read(from position: UInt64 = 1, limit: Int = 1000) throws -> [RecordedEvent] {
        guard limit > 0 else { return [] }
        return try store.read(from: position, limit: limit)
    }

    /// The events of one stream from `version` on (at most `limit`).
    public func read(stream: String, from version: UInt64 = 1, limit: Int = .max) throws -> [RecordedEvent] {
        try Limits.checkStream(stream)
        guard limit > 0 else { return [] }
        return try store.read(stream: stream, from: max(version, 1), limit: limit)
    }

    /// The event with this id, if stored.
    public func event(id: UUID) throws -> RecordedEvent? { try store.event(id: id) }

    /// The current version of a stream (nil when it does not exist).
    public func version(of stream: String) throws -> UInt64? { try store.version(of: stream) }

    /// Calls `body` for every event from `from` through `to` (inclusive), in order, decoding each envelope.
    /// Reads in chunks of short read transactions so memory stays flat and old pages are not pinned.
    ///
    /// `releasingPagesEvery`: the walk lets go of the map pages it has read every so many bytes, so the process's
    /// resident memory stays flat however long the log (the pages stay in the page cache). `nil` keeps them mapped,
    /// which is faster when the same process walks the log again. Stores that map no file ignore it.
    public func replay(from: UInt64 = 1, through to: UInt64 = .max, chunk: Int = 16_384,
                       releasingPagesEvery release: Int? = 16 << 20,
                       _ body: (RecordedEvent) throws -> Void) throws {
        try replayRaw(from: from, through: to, chunk: chunk, releasingPagesEvery: release) { pos, bytes in
            try body(try RecordCodec.decodeStored(position: pos, bytes))
        }
    }

    /// Like `replay`, but hands on each record's fields in place (`RecordView`, valid only during the call): no
    /// copy, no strings made. The record's length fields are checked; a malformed one throws `corrupt`.
    public func replayViews(from: UInt64 = 1, through to: UInt64 = .max, chunk: Int = 16_384,
                            releasingPagesEvery release: Int? = 16 << 20,
                            _ body: (RecordView) throws -> Void) throws {
        try replayRaw(from: from, through: to, chunk: chunk, releasingPagesEvery: release) { pos, bytes in
            let view: RecordView
            do throws(RecordCodec.DecodeError) { view = try RecordCodec.view(position: pos, bytes) } catch {
                throw EventLogError.corrupt(position: pos, reason: error.reason)
            }
            try body(view)
        }
    }

    /// Like `replay`, but hands on the stored bytes of each record without decoding (valid only during the call).
    public func replayRaw(from: UInt64 = 1, through to: UInt64 = .max, chunk: Int = 16_384,
                          releasingPagesEvery release: Int? = 16 << 20,
                          _ body: (UInt64, UnsafeRawBufferPointer) throws -> Void) throws {
        try store.replayRaw(from: max(from, 1), through: to, chunk: max(chunk, 1), releasingPagesEvery: release, body)
    }

    /// Counts and sizes for `stats`.
    public func stats() throws -> Stats { try store.stats() }

    /// Walks the whole log and its indexes: every record decodes, every chain hash is recomputed, positions and
    /// stream versions are gapless, and the store's indexes agree with the records. Given `checkpoint`, also proves
    /// the log still extends it.
    public func verify(checkpoint: Checkpoint? = nil, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> VerifyReport {
        try store.verify(checkpoint: checkpoint, progress: progress)
    }

    // MARK: Side tables (read models kept beside the log)

    /// Opens (creating if needed) the named side tables, so that transactions can read and write them.
    /// Call once after opening the log, before using them in `transaction`.
    public func prepareSideTables(_ names: [String]) throws { try store.prepareSideTables(names) }

    /// Reads one value of a side table written by `LogTransaction.put`.
    public func sideTableValue(_ table: String, _ key: [UInt8]) throws -> [UInt8]? {
        try store.sideTableValue(table, key)
    }

    /// Walks the entries of a side table whose keys start with `prefix`, in key order, in chunks of short read
    /// transactions. `body` returns false to stop.
    public func sideTableScan(_ table: String, prefix: [UInt8] = [], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        try store.sideTableScan(table, prefix: prefix, body)
    }
}
