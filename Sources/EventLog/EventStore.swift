import Foundation

/// A backend of the event log: where the records, their indexes and the side tables are kept (LMDB on disk, or
/// memory). `EventLog` is the front every caller uses; a store does the work behind it.
///
/// Every store keeps the same contract (the contract suite runs against each one): appends are atomic across
/// streams, checked against expected versions, idempotent by event id, and chained by hash; positions and stream
/// versions are gapless; side tables change in the same transaction as the appends beside them.
public protocol EventStore: AnyObject, Sendable {
    /// Where the ledger is kept (a directory, or a name for a ledger in memory).
    var location: String { get }
    /// The ledger's unique id, fixed at creation.
    var ledgerID: UUID { get }

    /// Appends a checked request durably and returns the recorded events.
    func append(_ request: PreparedAppend) throws -> AppendResult
    /// Async form of `append(_:)`.
    func append(_ request: PreparedAppend) async throws -> AppendResult
    /// Runs `body` in one write transaction: all its writes land together, or none if it throws.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (LogTransaction) throws -> T) throws -> T
    /// Async form of `transaction(_:)`.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (LogTransaction) throws -> T) async throws -> T

    /// Writes any index entries a store defers (the unindexed tail); nothing for stores that defer none.
    func indexTail() throws
    /// Position of the last event the indexes cover (the head, for stores that defer no index entry).
    func indexedPosition() throws -> UInt64

    /// Position and hash of the last event.
    func head() throws -> Checkpoint
    /// Up to `limit` events from `position` on, in order.
    func read(from position: UInt64, limit: Int) throws -> [RecordedEvent]
    /// Up to `limit` events of one stream from `version` on.
    func read(stream: String, from version: UInt64, limit: Int) throws -> [RecordedEvent]
    /// The event with this id, if stored.
    func event(id: UUID) throws -> RecordedEvent?
    /// The current version of a stream (nil when it does not exist).
    func version(of stream: String) throws -> UInt64?
    /// Hands on each stored record from `from` through `to` in order (bytes valid only during the call).
    /// `releasingPagesEvery`: a hint for stores that map files, to keep the resident size flat on long walks.
    func replayRaw(from: UInt64, through to: UInt64, chunk: Int, releasingPagesEvery release: Int?,
                   _ body: (UInt64, UnsafeRawBufferPointer) throws -> Void) throws
    /// Counts and sizes.
    func stats() throws -> Stats
    /// Checks the chain, positions, stream versions and the store's indexes; given a checkpoint, that the log extends it.
    func verify(checkpoint: Checkpoint?, progress: ((UInt64, UInt64) -> Void)?) throws -> VerifyReport

    /// The number of leaves of the Merkle tree: the head position (a writer first brings the tree of a ledger
    /// written without one up to its head).
    func treeSize() throws -> UInt64
    /// Stored hashes of the Merkle tree by storage index (`Merkle.storedIndex`), in the order asked.
    func treeHashes(_ indexes: [UInt64]) throws -> [ChainHash]
    /// The record at `position` as stored, with the chain hash of the record before it (nil past the head).
    func storedRecord(at position: UInt64) throws -> (bytes: [UInt8], previous: ChainHash)?
    /// The newest signed tree head kept (nil when none was ever kept).
    func latestTreeHead() throws -> StoredTreeHead?
    /// The signed tree head kept for exactly `size` leaves.
    func treeHead(size: UInt64) throws -> StoredTreeHead?

    /// Makes the named side tables ready for use in transactions (creating them if needed).
    func prepareSideTables(_ names: [String]) throws
    /// One value of a side table.
    func sideTableValue(_ table: String, _ key: [UInt8]) throws -> [UInt8]?
    /// The entries of a side table whose keys start with `prefix`, in key order, until `body` returns false.
    func sideTableScan(_ table: String, prefix: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws
    /// Runs `body` over one snapshot of the side tables.
    func readSideTables<T>(_ body: (any SideTableReader) throws -> T) throws -> T
    /// The first record or index entry a walk meets but a search by its key does not find (nil: none; stores without
    /// search trees answer nil).
    func firstUnreachable() throws -> (table: String, key: [UInt8])?
}

/// A store's write transaction, as `LogTransaction` hands it to a transaction body. Used on one thread only.
public protocol StoreTransaction: AnyObject {
    /// Position and hash of the last event written so far in this transaction.
    var head: Checkpoint { get }
    /// The last position committed before this transaction began.
    var committedHead: UInt64 { get }
    /// The recorded-at time of every event in this transaction.
    var now: Timestamp { get }
    /// The current version of a stream as this transaction sees it (nil when it does not exist).
    func version(of stream: String) throws -> UInt64?
    /// Asks for deferred index entries to be written when this transaction commits.
    func requestIndex()
    /// Appends a checked request inside this transaction.
    func append(_ request: PreparedAppend) throws -> AppendResult
    /// Reads a value from a side table.
    func get(_ table: String, _ key: [UInt8]) throws -> [UInt8]?
    /// Writes a value into a side table.
    func put(_ table: String, _ key: [UInt8], _ value: [UInt8]) throws
    /// Writes rows whose keys come in ascending byte order into a side table.
    func putSorted(_ table: String, _ rows: [(key: [UInt8], value: [UInt8])]) throws
    /// Deletes a key from a side table.
    func delete(_ table: String, _ key: [UInt8]) throws
    /// Empties a side table.
    func clear(_ table: String) throws
    /// Copies up to `limit` records out as stored, from `position` on.
    func readStored(from position: UInt64, limit: Int) throws -> StoredRecords
    /// The root of the Merkle tree's first `size` leaves, as this transaction sees it.
    func treeRoot(size: UInt64) throws -> ChainHash
    /// Keeps a signed tree head. Refused unless its root is this log's at its size, and the newest head kept before
    /// it is still the log's at its own size and no larger: the log never keeps two inconsistent heads.
    func keepTreeHead(_ head: StoredTreeHead) throws
}
