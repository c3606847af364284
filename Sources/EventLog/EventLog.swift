import CLMDB
import Foundation

/// The LMDB-backed, append-only, hash-chained event log of one ledger directory.
///
/// One instance exists per path per process (`open` and `create` reuse it). Appends from any thread or task
/// are queued to one writer thread, which batches whatever is waiting into one durable transaction
/// (group commit). Reads run in short read-only transactions on the caller's thread.
public final class EventLog: Sendable {
    /// The on-disk format this build reads and writes.
    public static let formatVersion: UInt32 = 2

    /// The ledger directory.
    public let path: String
    /// The ledger's unique id, fixed at creation.
    public let ledgerID: UUID
    let env: Environment
    let writer: Writer
    let clock: @Sendable () -> Timestamp

    private init(path: String, env: Environment, ledgerID: UUID, clock: @escaping @Sendable () -> Timestamp) {
        self.path = path
        self.env = env
        self.ledgerID = ledgerID
        self.clock = clock
        self.writer = Writer(env: env, clock: clock)
    }

    deinit { writer.stop() }

    // MARK: Opening

    private nonisolated(unsafe) static var registry: [String: WeakLog] = [:]
    private static let registryLock = NSLock()
    private struct WeakLog { weak var log: EventLog? }

    private static func key(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Creates a new ledger in `path` (a new or empty directory). Refuses to touch an existing ledger.
    public static func create(at path: String, clock: @escaping @Sendable () -> Timestamp = { .now }) throws -> EventLog {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            if !isDir.boolValue { throw EventLogError.notALedger(path: path, reason: "it is a file, not a directory") }
            if fm.fileExists(atPath: path + "/data.mdb") {
                // A ledger, or an LMDB file that is not one (another program's, or a creation cut short before its
                // metadata was written): refused either way, with the reason `open` gives.
                _ = try open(at: path, clock: clock)
                throw EventLogError.alreadyExists(path: path)
            }
            let contents = (try? fm.contentsOfDirectory(atPath: path)) ?? []
            if !contents.isEmpty {
                throw EventLogError.invalidInput("directory '\(path)' is not empty; a ledger is created in a new or empty directory")
            }
        } else {
            do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw EventLogError.storage("cannot create directory '\(path)': \(error.localizedDescription)")
            }
        }
        registryLock.lock()
        defer { registryLock.unlock() }
        let env: Environment
        // Through the registry: a released log's environment can outlive it briefly (its writer thread), and LMDB
        // must not be opened twice by one process (closing either handle drops the other's file locks).
        do { env = try EnvironmentRegistry.environment(path: path, create: true) } catch { throw EventLogError.storage("\(error)") }
        let id = UUID()
        let created: Bool = try storage {
            try env.write { w in
                if try w.reader.get(w.dbs.meta, Meta.format) != nil { return false }
                var fmt = formatVersion.littleEndian
                try withUnsafeBytes(of: &fmt) { v in try Meta.format.withUnsafeBytes { k in try w.put(w.dbs.meta, k, v) } }
                try w.put(w.dbs.meta, Meta.ledgerID, id.byteArray)
                var createdAt = clock().microseconds.littleEndian
                try withUnsafeBytes(of: &createdAt) { v in try Meta.createdAt.withUnsafeBytes { k in try w.put(w.dbs.meta, k, v) } }
                try w.put(w.dbs.meta, Meta.indexed, Meta.encode(UInt64(0)))
                return true
            }
        }
        if !created { throw EventLogError.alreadyExists(path: path) }
        let log = EventLog(path: path, env: env, ledgerID: id, clock: clock)
        registry[key(path)] = WeakLog(log: log)
        return log
    }

    /// Why an LMDB file without the ledger's metadata is refused, and what to do about it.
    static let noMetadata = "data.mdb is an LMDB file without a ledger's metadata: another program's, a ledger "
        + "being created at this moment, or one whose creation was cut short (an interrupted `align init`). Only in "
        + "the last case, with no `align init` running on it, remove the directory and create the ledger again"

    /// Opens an existing ledger. Refuses a path that is not a ledger or has an unknown format version.
    public static func open(at path: String, clock: @escaping @Sendable () -> Timestamp = { .now }) throws -> EventLog {
        registryLock.lock()
        defer { registryLock.unlock() }
        if let log = registry[key(path)]?.log { return log }
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
            throw EventLogError.notALedger(path: path, reason: "nothing exists there")
        }
        guard isDir.boolValue else { throw EventLogError.notALedger(path: path, reason: "it is a file, not a ledger directory") }
        guard fm.fileExists(atPath: path + "/data.mdb") else {
            throw EventLogError.notALedger(path: path, reason: "the directory has no data.mdb")
        }
        let env: Environment
        do {
            env = try EnvironmentRegistry.environment(path: path, create: false)  // one handle per path per process
        } catch let e as LMDBError {
            if e.code == MDB_NOTFOUND {
                throw EventLogError.notALedger(path: path, reason: EventLog.noMetadata)
            }
            if e.code == MDB_INVALID || e.code == MDB_VERSION_MISMATCH || e.code == MDB_INCOMPATIBLE {
                throw EventLogError.notALedger(path: path, reason: "data.mdb is not a ledger file (\(e))")
            }
            throw EventLogError.storage("\(e)")
        }
        let (format, id): (UInt32?, UUID?) = try storage {
            try env.read { r in
                let f = try r.get(r.dbs.meta, Meta.format).flatMap { $0.count == 4 ? UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) : nil }
                let i = try r.get(r.dbs.meta, Meta.ledgerID).flatMap { $0.count == 16 ? UUID(bytes: $0) : nil }
                return (f, i)
            }
        }
        guard let format, let id else { throw EventLogError.notALedger(path: path, reason: EventLog.noMetadata) }
        guard format == formatVersion else {
            throw EventLogError.unsupportedFormat(path: path, found: format, supported: formatVersion)
        }
        let log = EventLog(path: path, env: env, ledgerID: id, clock: clock)
        registry[key(path)] = WeakLog(log: log)
        return log
    }

    /// Wraps LMDB and decoding failures as `EventLogError`.
    static func storage<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as EventLogError { throw e } catch let e as LMDBError {
            if e.code == MDB_TXN_FULL {
                throw EventLogError.storage("\(e): the append is too large for one transaction; split it into smaller batches")
            }
            throw EventLogError.storage("\(e)")
        } catch let e as RecordCodec.DecodeError {
            throw EventLogError.corrupt(position: 0, reason: e.reason)
        }
    }

    // MARK: Appending

    /// Appends events to one or more streams atomically, waiting until they are durable.
    /// Returns the recorded events (for an idempotent retry, the ones stored first).
    @discardableResult
    public func append(_ appends: [StreamAppend]) throws -> AppendResult {
        let prepared = try PreparedAppend(appends)
        return try writer.submitSync(checksBeforeWriting: true) { tx in try tx.append(prepared) }
    }

    /// Appends events to one or more streams atomically (async; the write itself runs on the writer thread).
    @discardableResult
    public func append(_ appends: [StreamAppend]) async throws -> AppendResult {
        let prepared = try PreparedAppend(appends)
        return try await writer.submit(checksBeforeWriting: true) { tx in try tx.append(prepared) }
    }

    /// Appends to one stream.
    @discardableResult
    public func append(to stream: String, expected: ExpectedVersion = .any, _ events: [ProposedEvent]) throws -> AppendResult {
        try append([StreamAppend(stream: stream, expected: expected, events: events)])
    }

    /// Runs `body` in the writer's durable transaction (group-committed with other work). `body` runs on the
    /// writer thread, must not block on anything but the transaction, and may run again if the map grows.
    /// It sees the state left by earlier work in the same batch; if it throws, its writes are undone.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (LogTransaction) throws -> T) throws -> T {
        try writer.submitSync(body)
    }

    /// Async form of `transaction(_:)`.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (LogTransaction) throws -> T) async throws -> T {
        try await writer.submit(body)
    }

    /// Writes the index entries of the unindexed tail now. The writer does it by itself whenever the tail reaches
    /// `Writer.tailLimit` events; this is for tests and for handing a ledger on with every event indexed.
    public func indexTail() throws {
        try writer.submitSync { tx in tx.requestIndex() }
    }

    /// The writer indexes the unindexed tail in the transaction that brings it to this many events.
    public static var tailLimit: Int { Writer.tailLimit }

    /// Position of the last event the stream and id indexes cover (the events after it are the unindexed tail).
    public func indexedPosition() throws -> UInt64 {
        try EventLog.storage { try env.read { r in try Meta.readIndexed(r) } }
    }

    // MARK: Reading

    /// The head: position and hash of the last event (position 0 and the genesis hash when empty).
    public func head() throws -> Checkpoint {
        try EventLog.storage { try env.read { r in try Meta.readHead(r) } }
    }

    /// Up to `limit` events from `position` on, in order.
    public func read(from position: UInt64 = 1, limit: Int = 1000) throws -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        guard limit > 0 else { return out }
        try EventLog.storage {
            try env.read { r in
                try Records.forEach(r, from: position) { pos, v in
                    out.append(try RecordCodec.decodeStored(position: pos, v))
                    return out.count < limit
                }
            }
        }
        return out
    }

    /// The events of one stream from `version` on (at most `limit`): those the stream index covers, then those
    /// of the unindexed tail.
    public func read(stream: String, from version: UInt64 = 1, limit: Int = .max) throws -> [RecordedEvent] {
        try Limits.checkStream(stream)
        var out: [RecordedEvent] = []
        guard limit > 0 else { return out }
        let from = max(version, 1)
        try EventLog.storage {
            try env.read { r in
                let indexed = try Meta.readIndexed(r)
                if let sid = try Streams.id(r, stream) {
                    let c = try r.cursor(r.dbs.streamIndex)
                    defer { c.close() }
                    var key = Keys.streamIndex(sid, from)
                    var entry = try withUnsafeBytes(of: &key) { try c.seek($0) }
                    while let (k, v) = entry, out.count < limit, k.count == 12, Keys.streamID(k) == sid {
                        let pos = UInt64(littleEndian: v.loadUnaligned(as: UInt64.self))
                        guard let rec = try r.record(at: pos) else {
                            throw EventLogError.corrupt(position: pos, reason: "stream index points at a missing record")
                        }
                        out.append(try RecordCodec.decodeStored(position: pos, rec))
                        entry = try c.next()
                    }
                }
                guard out.count < limit else { return }
                var name = stream
                try name.withUTF8 { want in
                    try Records.forEach(r, from: indexed + 1) { pos, v in
                        if RecordCodec.isStream(v, UnsafeRawBufferPointer(want)), RecordCodec.version(v) >= from {
                            out.append(try RecordCodec.decodeStored(position: pos, v))
                        }
                        return out.count < limit
                    }
                }
            }
        }
        return out
    }

    /// The event with this id, if stored.
    public func event(id: UUID) throws -> RecordedEvent? {
        try EventLog.storage {
            try env.read { r -> RecordedEvent? in
                if let p = try r.get(r.dbs.ids, id.byteArray), p.count == 8 {
                    let pos = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
                    return try r.record(at: pos).map { try RecordCodec.decodeStored(position: pos, $0) }
                }
                var found: RecordedEvent?
                try id.withBytes { want in
                    try Records.forEach(r, from: try Meta.readIndexed(r) + 1) { pos, v in
                        guard v.count >= RecordCodec.headerSize,
                              memcmp(RecordCodec.idBytes(v).baseAddress!, want.baseAddress!, 16) == 0 else { return true }
                        found = try RecordCodec.decodeStored(position: pos, v)
                        return false
                    }
                }
                return found
            }
        }
    }

    /// The current version of a stream (nil when it does not exist).
    public func version(of stream: String) throws -> UInt64? {
        try EventLog.storage {
            try env.read { r -> UInt64? in
                var last: UInt64?
                var name = stream
                try name.withUTF8 { want in
                    try Records.forEach(r, from: try Meta.readIndexed(r) + 1) { _, v in
                        if RecordCodec.isStream(v, UnsafeRawBufferPointer(want)) { last = RecordCodec.version(v) }
                        return true
                    }
                }
                if let last { return last }
                return try Streams.id(r, stream).flatMap { try Streams.lastVersion(r, $0) }
            }
        }
    }

    /// Calls `body` for every event from `from` through `to` (inclusive), in order, decoding each envelope.
    /// Reads in chunks of short read transactions so memory stays flat and old pages are not pinned.
    ///
    /// `releasingPagesEvery`: the walk lets go of the map pages it has read every so many bytes, so the process's
    /// resident memory stays flat however long the log (the pages stay in the page cache). `nil` keeps them mapped,
    /// which is faster when the same process walks the log again.
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
        var next = max(from, 1)
        var releaser = MappedPageReleaser(env, every: release)
        while next <= to {
            let last: UInt64? = try EventLog.storage {
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

    /// Counts and sizes for `align stats`.
    public func stats() throws -> Stats {
        try EventLog.storage {
            try env.read { r in
                let head = try Meta.readHead(r)
                // Streams first seen in the unindexed tail are not in the stream table yet.
                var fresh = Set<[UInt8]>()
                try Records.forEach(r, from: try Meta.readIndexed(r) + 1) { _, v in
                    let name = try RecordCodec.streamName(v)
                    if try r.get(r.dbs.streams, name) == nil { fresh.insert(Array(name)) }
                    return true
                }
                return Stats(events: head.position, streams: UInt64(try r.count(r.dbs.streamNames) + fresh.count),
                             sizeOnDisk: env.fileSize, head: head, ledgerID: ledgerID, formatVersion: EventLog.formatVersion)
            }
        }
    }

    /// The LMDB environment flags in force (for tests asserting durability).
    public var environmentFlags: (flags: UInt32, unsafe: UInt32) { (env.flags, EnvironmentFlags.unsafe) }

    /// Copies the ledger, compacted and consistent, into a new empty directory (a hot backup).
    public func backup(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try EventLog.storage { try env.copy(to: directory) }
    }
}

/// Counts and sizes of a ledger.
public struct Stats: Sendable, Equatable {
    public var events: UInt64
    public var streams: UInt64
    public var sizeOnDisk: Int64
    public var head: Checkpoint
    public var ledgerID: UUID
    public var formatVersion: UInt32
}

/// The result of an append.
public struct AppendResult: Sendable {
    /// The events as stored, in position order.
    public var events: [RecordedEvent]
    /// True when every event was already stored (an idempotent retry): nothing was written.
    public var wasDuplicate: Bool
    public var firstPosition: UInt64? { events.first?.position }
    public var lastPosition: UInt64? { events.last?.position }
}

// MARK: Keys and metadata

enum Keys {
    /// Tag of record keys: the high byte of the big-endian key is 0xFF.
    static let recordTag: UInt64 = 0xFF << 56
    /// Positions stay below 2^56, so that the tag never collides with a position's bits.
    static let maxPosition: UInt64 = (1 << 56) - 1

    /// The key of the record at `position` in LMDB's main database: the position as 8 big-endian bytes with the
    /// high byte set to 0xFF. The main database also holds the catalogue of the named databases (keyed by their
    /// ASCII names); the tag sorts every record after them, so that records are appended with `MDB_APPEND`.
    @inline(__always) static func record(_ position: UInt64) -> UInt64 { (position | recordTag).bigEndian }

    /// The position of a record key; nil for any other key of the main database.
    @inline(__always) static func recordPosition(_ k: UnsafeRawBufferPointer) -> UInt64? {
        guard k.count == 8 else { return nil }
        let v = UInt64(bigEndian: k.loadUnaligned(as: UInt64.self))
        return v & recordTag == recordTag ? v & ~recordTag : nil
    }

    /// Stream index key: big-endian stream id (4 bytes) then big-endian version (8 bytes).
    typealias StreamIndexKey = (UInt32, UInt32, UInt32)
    @inline(__always) static func streamIndex(_ sid: UInt32, _ version: UInt64) -> StreamIndexKey {
        (sid.bigEndian, UInt32(truncatingIfNeeded: version >> 32).bigEndian, UInt32(truncatingIfNeeded: version).bigEndian)
    }
    @inline(__always) static func streamID(_ k: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(bigEndian: k.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
    }
    @inline(__always) static func streamVersion(_ k: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(bigEndian: k.loadUnaligned(fromByteOffset: 4, as: UInt64.self))
    }
}

enum Meta {
    static let format = Array("format".utf8)
    static let ledgerID = Array("ledger-id".utf8)
    static let createdAt = Array("created-at".utf8)
    /// The last position the stream and id indexes cover; the records after it are the unindexed tail.
    static let indexed = Array("indexed".utf8)

    static func encode(_ n: UInt64) -> [UInt8] { withUnsafeBytes(of: n.littleEndian) { Array($0) } }

    static func readIndexed(_ r: ReadTransaction) throws -> UInt64 {
        guard let v = try r.get(r.dbs.meta, indexed), v.count == 8 else {
            throw EventLogError.corrupt(position: 0, reason: "the ledger's 'indexed' metadata is missing or malformed")
        }
        return UInt64(littleEndian: v.loadUnaligned(as: UInt64.self))
    }

    /// The head is the last record: its key holds the position and its last 32 bytes the chain hash. (A copy in
    /// the metadata would cost every commit another page write.)
    static func readHead(_ r: ReadTransaction) throws -> Checkpoint {
        let c = try r.cursor(r.dbs.events)
        defer { c.close() }
        guard let last = try c.last(), let position = Keys.recordPosition(last.key) else {
            return Checkpoint(position: 0, hash: .genesis)
        }
        guard last.value.count >= RecordCodec.headerSize + RecordCodec.hashSize else {
            throw EventLogError.corrupt(position: position, reason: "the last record is shorter than a record header")
        }
        return Checkpoint(position: position, hash: RecordCodec.storedHash(last.value))
    }
}

/// Walks of the records (LMDB's main database, keys from `Keys.record`).
enum Records {
    /// Calls `body` with each record from `position` on, in order, until it returns false or the log ends.
    static func forEach(_ r: ReadTransaction, from position: UInt64,
                        _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool) throws {
        let c = try r.cursor(r.dbs.events)
        defer { c.close() }
        var key = Keys.record(min(max(position, 1), Keys.maxPosition))
        var entry = try withUnsafeBytes(of: &key) { try c.seek($0) }
        while let (k, v) = entry, let pos = Keys.recordPosition(k) {
            if try !body(pos, v) { return }
            entry = try c.next()
        }
    }
}

enum Streams {
    /// The numeric id of a stream (streams DB: name -> big-endian u32 id).
    static func id(_ r: ReadTransaction, _ name: String) throws -> UInt32? {
        var n = name
        return try n.withUTF8 { u in
            guard let v = try r.get(r.dbs.streams, UnsafeRawBufferPointer(u)), v.count == 4 else { return nil }
            return UInt32(bigEndian: v.loadUnaligned(as: UInt32.self))
        }
    }

    /// The numeric id of the stream with this name's bytes.
    static func id(_ r: ReadTransaction, _ name: [UInt8]) throws -> UInt32? {
        guard let v = try r.get(r.dbs.streams, name), v.count == 4 else { return nil }
        return UInt32(bigEndian: v.loadUnaligned(as: UInt32.self))
    }

    /// The last version of stream `sid` (nil when it has no events).
    static func lastVersion(_ r: ReadTransaction, _ sid: UInt32) throws -> UInt64? {
        let c = try r.cursor(r.dbs.streamIndex)
        defer { c.close() }
        if sid < UInt32.max {
            var key = Keys.streamIndex(sid + 1, 0)
            let found = try withUnsafeBytes(of: &key) { try c.seek($0) }
            if found != nil {
                guard let prev = try c.prevEntry() else { return nil }
                return prev.key.count == 12 && Keys.streamID(prev.key) == sid ? Keys.streamVersion(prev.key) : nil
            }
        }
        guard let last = try c.last() else { return nil }
        return last.key.count == 12 && Keys.streamID(last.key) == sid ? Keys.streamVersion(last.key) : nil
    }
}

extension Cursor {
    func prevEntry() throws(LMDBError) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        var k = MDB_val()
        var v = MDB_val()
        let rc = mdb_cursor_get(cursor, &k, &v, MDB_PREV)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get")
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size), UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }
}

// MARK: Side tables (read models kept beside the log)

extension EventLog {
    /// Opens (creating if needed) the named side tables, so that transactions can read and write them.
    /// Call once after opening the log, before using them in `transaction`.
    public func prepareSideTables(_ names: [String]) throws {
        try EventLog.storage { _ = try env.databases(named: names.map { "rm." + $0 }) }
    }

    /// Reads one value of a side table written by `LogTransaction.put`.
    public func sideTableValue(_ table: String, _ key: [UInt8]) throws -> [UInt8]? {
        try EventLog.storage {
            let dbi = try env.database(named: "rm." + table)
            return try env.read { r in try r.get(dbi, key).map { Array($0) } }
        }
    }

    /// Walks the entries of a side table whose keys start with `prefix`, in key order, in chunks of short read
    /// transactions. `body` returns false to stop.
    public func sideTableScan(_ table: String, prefix: [UInt8] = [], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        try EventLog.storage {
            let dbi = try env.database(named: "rm." + table)
            var resume: [UInt8]? = prefix
            while let start = resume {
                resume = nil
                try env.read { r in
                    let c = try r.cursor(dbi)
                    defer { c.close() }
                    var entry = try start.isEmpty ? c.seek(nil) : start.withUnsafeBytes { try c.seek($0) }
                    var n = 0
                    var skipFirst = start != prefix
                    while let (k, v) = entry {
                        let key = Array(k)
                        guard key.starts(with: prefix) else { return }
                        if skipFirst && key == start { skipFirst = false; entry = try c.next(); continue }
                        skipFirst = false
                        if try !body(key, Array(v)) { return }
                        n += 1
                        if n == 4096 { resume = key; return }
                        entry = try c.next()
                    }
                }
            }
        }
    }
}
