internal import CLMDB
import EventLog
import Foundation

/// The LMDB store of one ledger directory: the records in LMDB's main database, the stream and id indexes and the
/// side tables in named databases (see `docs/FORMAT.md`).
///
/// One instance exists per path per process (`EventLog.open` and `create` reuse it). Appends from any thread or task
/// are queued to one writer thread, which batches whatever is waiting into one durable transaction (group commit).
/// Reads run in short read-only transactions on the caller's thread.
final class LMDBStore: EventStore {
    let location: String
    let ledgerID: UUID
    let env: Environment
    let writer: Writer
    /// The last head read and the commit it was read at: while no commit follows it, `head()` needs no transaction.
    private let lastHead: Locked<(commitID: Int, head: Checkpoint)?>
    /// The unindexed tail as of the last commit a read needed it at.
    private let lastTail = Locked<ReadTail?>(nil)

    private init(path: String, env: Environment, ledgerID: UUID, clock: @escaping @Sendable () -> Timestamp,
                 head: (commitID: Int, head: Checkpoint)? = nil) {
        self.location = path
        self.env = env
        self.ledgerID = ledgerID
        self.writer = Writer(env: env, clock: clock)
        self.lastHead = Locked(head)
    }

    /// The unindexed tail of the commit `r` reads: the one read last if it is of the same commit, else read now.
    private func tail(_ r: ReadTransaction) throws -> ReadTail {
        let known = lastTail.value
        if let t = known, t.commitID == r.commitID { return t }
        let t = try ReadTail.load(r, after: known)
        lastTail.value = t
        return t
    }

    deinit { writer.stop() }

    // MARK: Opening

    /// Creates a new ledger in `path` (a new or empty directory); the caller has checked that `path` holds no ledger.
    static func create(at path: String, clock: @escaping @Sendable () -> Timestamp) throws -> LMDBStore {
        let env: Environment
        // Through the registry: a released log's environment can outlive it briefly (its writer thread), and LMDB
        // must not be opened twice by one process (closing either handle drops the other's file locks).
        do { env = try EnvironmentRegistry.environment(path: path, create: true) } catch { throw EventLogError.storage("\(error)") }
        let id = UUID()
        let created: Bool = try storage {
            try env.write { w in
                if try w.reader.get(w.dbs.meta, Meta.format) != nil { return false }
                var fmt = EventLog.formatVersion.littleEndian
                try withUnsafeBytes(of: &fmt) { v in try Meta.format.withUnsafeBytes { k in try w.put(w.dbs.meta, k, v) } }
                try w.put(w.dbs.meta, Meta.ledgerID, id.byteArray)
                var createdAt = clock().microseconds.littleEndian
                try withUnsafeBytes(of: &createdAt) { v in try Meta.createdAt.withUnsafeBytes { k in try w.put(w.dbs.meta, k, v) } }
                try w.put(w.dbs.meta, Meta.indexed, Meta.encode(UInt64(0)))
                return true
            }
        }
        if !created { throw EventLogError.alreadyExists(path: path) }
        return LMDBStore(path: path, env: env, ledgerID: id, clock: clock)
    }

    /// Why an LMDB file without the ledger's metadata is refused, and what to do about it.
    static let noMetadata = "data.mdb is an LMDB file without a ledger's metadata: another program's, a ledger "
        + "being created at this moment, or one whose creation was interrupted. Only in the last case, with nothing "
        + "creating a ledger there any more, remove the directory and create the ledger again"

    /// Opens the existing ledger in `path`, whose directory holds a `data.mdb`. Refuses one that is not a ledger or has
    /// an unknown format version. The environment's opening reads the metadata in the same read transaction that
    /// opens the databases (see `Environment.init`).
    static func open(at path: String, clock: @escaping @Sendable () -> Timestamp, access: LedgerAccess = .readWrite) throws -> LMDBStore {
        let env: Environment
        do {
            env = try EnvironmentRegistry.environment(path: path, create: false, access: access)  // one handle per path per process
        } catch let e as LMDBError {
            if e.isNotFound {
                throw EventLogError.notALedger(path: path, reason: LMDBStore.noMetadata)
            }
            if e.isNotAnLMDBFile {
                throw EventLogError.notALedger(path: path, reason: "data.mdb is not a ledger file (\(e))")
            }
            throw EventLogError.storage("\(e)")
        }
        // An environment still open in this process (a released log's, whose writer thread has not exited) was
        // opened before: read its metadata again.
        var metadata = env.opening
        if metadata.format == nil || metadata.ledgerID == nil { metadata = try storage { try env.read { try Environment.metadata($0) } } }
        guard let format = metadata.format, let id = metadata.ledgerID else {
            throw EventLogError.notALedger(path: path, reason: LMDBStore.noMetadata)
        }
        guard format == EventLog.formatVersion else {
            throw EventLogError.unsupportedFormat(path: path, found: format, supported: EventLog.formatVersion)
        }
        return LMDBStore(path: path, env: env, ledgerID: id, clock: clock, head: metadata.head)
    }

    /// Wraps LMDB and decoding failures as `EventLogError`.
    static func storage<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw LMDBStore.wrap(error) }
    }

    // MARK: Appending

    /// How the environment was opened.
    var access: LedgerAccess { env.access }

    /// Refuses a write on a ledger opened read only, before anything starts (no writer thread, no transaction).
    private func refuseIfReadOnly() throws {
        if env.access.isReadOnly { throw EventLogError.readOnly(path: location) }
    }

    func append(_ request: PreparedAppend) throws -> AppendResult {
        try refuseIfReadOnly()
        return try writer.submitSync(checksBeforeWriting: true) { tx in try tx.append(request) }
    }

    func append(_ request: PreparedAppend) async throws -> AppendResult {
        try refuseIfReadOnly()
        return try await writer.submit(checksBeforeWriting: true) { tx in try tx.append(request) }
    }

    /// Runs `body` in the writer's durable transaction (group-committed with other work); it may run again if the
    /// map grows.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (LogTransaction) throws -> T) throws -> T {
        try refuseIfReadOnly()
        return try writer.submitSync { tx in try body(LogTransaction(tx)) }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (LogTransaction) throws -> T) async throws -> T {
        try refuseIfReadOnly()
        return try await writer.submit { tx in try body(LogTransaction(tx)) }
    }

    /// Writes the index entries of the unindexed tail now. The writer does it by itself whenever the tail reaches
    /// `Writer.tailLimit` events.
    func indexTail() throws {
        try refuseIfReadOnly()
        try writer.submitSync { tx in tx.requestIndex() }
    }

    /// Position of the last event the stream and id indexes cover (the events after it are the unindexed tail).
    func indexedPosition() throws -> UInt64 {
        try LMDBStore.storage { try env.read { r in try Meta.readIndexed(r) } }
    }

    // MARK: Reading

    /// The head: position and hash of the last event (position 0 and the genesis hash when empty).
    func head() throws -> Checkpoint {
        // Every commit, of any process, moves LMDB's last commit id: while it stands, the head read at it stands.
        let last = env.lastCommitID
        if let known = lastHead.value, known.commitID == last { return known.head }
        let read = try LMDBStore.storage { try env.read { r in (commitID: r.commitID, head: try Meta.readHead(r)) } }
        lastHead.value = read
        return read.head
    }

    /// Up to `limit` events from `position` on, in order.
    func read(from position: UInt64, limit: Int) throws -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        guard limit > 0 else { return out }
        try LMDBStore.storage {
            try env.read { r in
                // The log has no gaps: a position missing before the end is damage (a damaged key), never skipped.
                var expected = max(position, 1)
                try Records.forEach(r, from: position) { pos, v in
                    guard pos == expected else {
                        throw EventLogError.corrupt(position: expected, reason: "the record is missing (the log has a gap)")
                    }
                    out.append(try RecordCodec.decodeStored(position: pos, v))
                    expected += 1
                    return out.count < limit
                }
            }
        }
        return out
    }

    /// The events of one stream from `version` on (at most `limit`): those the stream index covers, then those
    /// of the unindexed tail.
    func read(stream: String, from version: UInt64, limit: Int) throws -> [RecordedEvent] {
        try Limits.checkStream(stream)
        var out: [RecordedEvent] = []
        guard limit > 0 else { return out }
        let from = max(version, 1)
        try LMDBStore.storage {
            try env.read { r in
                if let sid = try Streams.id(r, stream) {
                    let c = try r.cursor(r.dbs.streamIndex)
                    defer { c.close() }
                    var key = Keys.streamIndex(sid, from)
                    var entry = try withUnsafeBytes(of: &key) { try c.seek($0) }
                    while let (k, v) = entry, out.count < limit, k.count == 12, Keys.streamID(k) == sid {
                        // An entry that does not lead to this stream's next event is damage, never skipped.
                        guard v.count == 8 else {
                            throw EventLogError.damaged("the stream index entry of '\(stream)' version \(Keys.streamVersion(k)) holds \(v.count) bytes instead of a position")
                        }
                        let pos = UInt64(littleEndian: v.loadUnaligned(as: UInt64.self))
                        guard let rec = try r.record(at: pos) else {
                            throw EventLogError.corrupt(position: pos, reason: "stream index points at a missing record")
                        }
                        let e = try RecordCodec.decodeStored(position: pos, rec)
                        let expected = out.last.map { $0.version + 1 } ?? Keys.streamVersion(k)
                        guard e.stream == stream, e.version == Keys.streamVersion(k), e.version == expected else {
                            throw EventLogError.corrupt(position: pos, reason: "the stream index entry of '\(stream)' version \(Keys.streamVersion(k)) points at this record, which holds '\(e.stream)' version \(e.version)")
                        }
                        out.append(e)
                        entry = try c.next()
                    }
                }
                guard out.count < limit else { return }
                for (v, pos) in try tail(r).streams[StreamKey(stream)] ?? [] where v >= from {
                    guard let rec = try r.record(at: pos) else {
                        throw EventLogError.corrupt(position: pos, reason: "the record is missing (the log has a gap)")
                    }
                    out.append(try RecordCodec.decodeStored(position: pos, rec))
                    if out.count == limit { break }
                }
            }
        }
        return out
    }

    /// The event with this id, if stored.
    func event(id: UUID) throws -> RecordedEvent? {
        try LMDBStore.storage {
            try env.read { r -> RecordedEvent? in
                // An id entry that leads nowhere, or to another event, is damage: never answered as "not stored".
                func stored(at pos: UInt64) throws -> RecordedEvent {
                    guard let rec = try r.record(at: pos) else {
                        throw EventLogError.corrupt(position: pos, reason: "the id index points at a missing record")
                    }
                    let e = try RecordCodec.decodeStored(position: pos, rec)
                    guard e.id == id else {
                        throw EventLogError.corrupt(position: pos, reason: "the id index entry of \(id.uuidString.lowercased()) points at another event")
                    }
                    return e
                }
                if let p = try r.get(r.dbs.ids, id.byteArray) {
                    guard p.count == 8 else {
                        throw EventLogError.damaged("the id index entry of \(id.uuidString.lowercased()) holds \(p.count) bytes instead of a position")
                    }
                    return try stored(at: UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
                }
                guard let pos = try tail(r).ids[id] else { return nil }
                return try stored(at: pos)
            }
        }
    }

    /// The current version of a stream (nil when it does not exist).
    func version(of stream: String) throws -> UInt64? {
        try LMDBStore.storage {
            try env.read { r -> UInt64? in
                if let last = try tail(r).streams[StreamKey(stream)]?.last { return last.version }
                return try Streams.id(r, stream).flatMap { try Streams.lastVersion(r, $0) }
            }
        }
    }

    /// Like `replay`, but hands on the stored bytes of each record without decoding (valid only during the call).
    func replayRaw(from: UInt64, through to: UInt64, chunk: Int, releasingPagesEvery release: Int?,
                          _ body: (UInt64, UnsafeRawBufferPointer) throws -> Void) throws {
        var next = max(from, 1)
        var releaser = MappedPageReleaser(env, every: release)
        while next <= to {
            let last: UInt64? = try LMDBStore.storage {
                try env.read { r -> UInt64? in
                    var n = 0
                    var last: UInt64?
                    try Records.forEach(r, from: next) { pos, v in
                        if pos > to { return false }
                        try body(pos, v)
                        releaser.read(v)
                        last = pos
                        n += 1
                        return n < chunk
                    }
                    return n < chunk && last != nil ? (last! | (1 << 63)) : last
                }
            }
            releaser.releaseIfDue()
            guard let l = last else { return }
            if l & (1 << 63) != 0 { return }  // chunk not full: reached the end
            next = l + 1
        }
    }

    /// Counts and sizes.
    func stats() throws -> Stats {
        try LMDBStore.storage {
            try env.read { r in
                let head = try Meta.readHead(r)
                // Streams first seen in the unindexed tail are not in the stream table yet.
                let tail = try tail(r)
                if let damage = tail.damage { throw damage }
                let fresh = try tail.streams.keys.filter { try r.get(r.dbs.streams, $0.bytes) == nil }
                return Stats(events: head.position, streams: UInt64(try r.count(r.dbs.streamNames) + fresh.count),
                             sizeOnDisk: env.fileSize, head: head, ledgerID: ledgerID, formatVersion: EventLog.formatVersion)
            }
        }
    }

    /// The LMDB environment flags in force (for tests asserting durability).
    var environmentFlags: (flags: UInt32, unsafe: UInt32) { (env.flags, EnvironmentFlags.unsafe) }
}
