// The baselines measured beside EventLog: the durable-commit floor of the disk and of raw LMDB, and the SQLite
// table a Swift developer would otherwise write for an event store.
import CLMDB
import CSQLite
import EventLog
import Foundation

#if canImport(Glibc)
import Glibc
#endif

// MARK: fdatasync floor

/// Appends `payloadSize` bytes to a file and `fdatasync`s it, `n` times: the floor under any durable commit.
func fdatasyncFloor(dir: String, n: Int) -> Double {
    let path = dir + "/sync.bin"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(fd >= 0)
    defer { close(fd); unlink(path) }
    let buf = [UInt8](repeating: 0x61, count: Workload.payloadSize)
    let t0 = nowNS()
    for _ in 0..<n {
        let w = buf.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        precondition(w == buf.count)
        precondition(fdatasync(fd) == 0)
    }
    return Double(n) / seconds(since: t0)
}

// MARK: Raw LMDB

private func mdb(_ rc: Int32, _ what: String) {
    if rc != 0 { fatalError("\(what): \(String(cString: mdb_strerror(rc)))") }
}

/// A fresh raw LMDB environment in `dir` with default (durable) flags and its unnamed database, for `body`.
private func withRawLMDB<T>(dir: String, _ body: (OpaquePointer, MDB_dbi) -> T) -> T {
    var envp: OpaquePointer?
    mdb(mdb_env_create(&envp), "mdb_env_create")
    let env = envp!
    defer { mdb_env_close(env) }
    mdb(mdb_env_set_mapsize(env, 1 << 30), "mdb_env_set_mapsize")
    mdb(mdb_env_open(env, dir, 0, 0o644), "mdb_env_open")
    var dbi: MDB_dbi = 0
    var txn: OpaquePointer?
    mdb(mdb_txn_begin(env, nil, 0, &txn), "mdb_txn_begin")
    mdb(mdb_dbi_open(txn, nil, 0, &dbi), "mdb_dbi_open")
    mdb(mdb_txn_commit(txn), "mdb_txn_commit")
    return body(env, dbi)
}

/// Raw LMDB's own floor: a fresh environment with default (durable) flags, one unnamed database, and a loop of
/// `mdb_txn_begin` + `mdb_put` (8-byte big-endian key, the same 300-byte payload) + `mdb_txn_commit`. With
/// `perCommit` above 1, that many puts per transaction: the floor of a group commit of that size.
func rawLMDBOnePerCommit(dir: String, payloads: [[UInt8]], perCommit: Int = 1) -> Double {
    withRawLMDB(dir: dir) { env, dbi in
        var txn: OpaquePointer?
        let t0 = nowNS()
        for (i, p) in payloads.enumerated() {
            var key = UInt64(i + 1).bigEndian
            if i % perCommit == 0 { mdb(mdb_txn_begin(env, nil, 0, &txn), "mdb_txn_begin") }
            withUnsafeMutableBytes(of: &key) { k in
                p.withUnsafeBytes { v in
                    var kv = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
                    var vv = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                    mdb(mdb_put(txn, dbi, &kv, &vv, 0), "mdb_put")
                }
            }
            if i % perCommit == perCommit - 1 || i == payloads.count - 1 { mdb(mdb_txn_commit(txn), "mdb_txn_commit") }
        }
        return Double(payloads.count) / seconds(since: t0)
    }
}

/// The median time of one durable commit of one 300-byte put in raw LMDB, over `n` commits in a fresh environment
/// in `dir`: the part of a one-event command (`align definition sign-off`) that no code of ours can remove.
func rawLMDBCommitMedian(dir: String, n: Int) -> Double {
    withRawLMDB(dir: dir) { env, dbi in
        var txn: OpaquePointer?
        var payload = [UInt8](repeating: 0x61, count: Workload.payloadSize)
        var times: [Double] = []
        for i in 0..<max(n, 1) {
            var key = UInt64(i + 1).bigEndian
            let t0 = nowNS()
            mdb(mdb_txn_begin(env, nil, 0, &txn), "mdb_txn_begin")
            withUnsafeMutableBytes(of: &key) { k in
                payload.withUnsafeMutableBytes { v in
                    var kv = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
                    var vv = MDB_val(mv_size: v.count, mv_data: v.baseAddress)
                    mdb(mdb_put(txn, dbi, &kv, &vv, 0), "mdb_put")
                }
            }
            mdb(mdb_txn_commit(txn), "mdb_txn_commit")
            times.append(seconds(since: t0))
        }
        return times.sorted()[times.count / 2]
    }
}

// MARK: LMDB facts

/// Write transactions committed in an environment so far (LMDB's last transaction id), read with raw LMDB.
func lastTxnID(_ dir: String) -> Int {
    var envp: OpaquePointer?
    mdb_env_create(&envp)
    let env = envp!
    defer { mdb_env_close(env) }
    mdb_env_set_maxdbs(env, 32)
    guard mdb_env_open(env, dir, UInt32(MDB_RDONLY | MDB_NOTLS), 0o644) == 0 else { return -1 }
    var info = MDB_envinfo()
    mdb_env_info(env, &info)
    return info.me_last_txnid
}

// MARK: SQLite

private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The event table a Swift developer would otherwise write: WAL, `synchronous=FULL`, an integer primary key for the
/// global position, a UNIQUE id and a UNIQUE (stream, version) index, prepared statements, one transaction per
/// append that reads each stream's current version and inserts its events.
final class SQLitePeer {
    let db: OpaquePointer
    private var insert: OpaquePointer?
    private var maxVersion: OpaquePointer?
    private var begin: OpaquePointer?
    private var commit: OpaquePointer?
    private var byStream: OpaquePointer?
    private(set) var position: Int64 = 0

    static let columns = "position, id, stream, version, type, schema_version, recorded_at, occurred_at, actor, payload, signature"

    init(path: String, create: Bool = true) {
        var dbp: OpaquePointer?
        let rc = sqlite3_open_v2(path, &dbp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        precondition(rc == SQLITE_OK, "sqlite3_open_v2: \(rc)")
        db = dbp!
        exec("PRAGMA journal_mode=WAL")
        exec("PRAGMA synchronous=FULL")
        if create {
            exec("""
            CREATE TABLE IF NOT EXISTS events (
                position INTEGER PRIMARY KEY,
                id BLOB NOT NULL UNIQUE,
                stream TEXT NOT NULL,
                version INTEGER NOT NULL,
                type TEXT NOT NULL,
                schema_version INTEGER NOT NULL,
                recorded_at INTEGER NOT NULL,
                occurred_at INTEGER NOT NULL,
                actor TEXT NOT NULL,
                payload BLOB NOT NULL,
                signature BLOB NOT NULL,
                UNIQUE (stream, version)
            )
            """)
        }
        insert = prepare("INSERT INTO events (\(SQLitePeer.columns)) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
        maxVersion = prepare("SELECT COALESCE(MAX(version), 0) FROM events WHERE stream = ?")
        begin = prepare("BEGIN IMMEDIATE")
        commit = prepare("COMMIT")
        byStream = prepare("SELECT \(SQLitePeer.columns) FROM events WHERE stream = ? ORDER BY version")
        position = queryInt("SELECT COALESCE(MAX(position), 0) FROM events")
    }

    deinit {
        for s in [insert, maxVersion, begin, commit, byStream] { sqlite3_finalize(s) }
        sqlite3_close_v2(db)
    }

    func exec(_ sql: String) {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &err)
        if rc != SQLITE_OK { fatalError("sqlite3_exec(\(sql)): \(err.map { String(cString: $0) } ?? "\(rc)")") }
    }

    func prepare(_ sql: String) -> OpaquePointer {
        var s: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
        if rc != SQLITE_OK { fatalError("sqlite3_prepare(\(sql)): \(String(cString: sqlite3_errmsg(db)))") }
        return s!
    }

    func queryInt(_ sql: String) -> Int64 {
        let s = prepare(sql)
        defer { sqlite3_finalize(s) }
        precondition(sqlite3_step(s) == SQLITE_ROW)
        return sqlite3_column_int64(s, 0)
    }

    private func step(_ s: OpaquePointer?, _ want: Int32 = SQLITE_DONE) {
        let rc = sqlite3_step(s)
        if rc != want { fatalError("sqlite3_step: \(String(cString: sqlite3_errmsg(db)))") }
        sqlite3_reset(s)
    }

    /// One durable transaction appending the groups (events grouped by stream), as `EventLog.append` does.
    func append(_ groups: [(stream: String, events: [BenchEvent])]) {
        step(begin)
        let now = Timestamp.now.microseconds
        for g in groups {
            sqlite3_bind_text(maxVersion, 1, g.stream, -1, SQLITE_TRANSIENT)
            precondition(sqlite3_step(maxVersion) == SQLITE_ROW)
            var version = sqlite3_column_int64(maxVersion, 0)
            sqlite3_reset(maxVersion)
            for e in g.events {
                version += 1
                position += 1
                sqlite3_bind_int64(insert, 1, position)
                _ = e.id.withBytes { sqlite3_bind_blob(insert, 2, $0.baseAddress, 16, SQLITE_TRANSIENT) }
                sqlite3_bind_text(insert, 3, g.stream, -1, SQLITE_TRANSIENT)
                sqlite3_bind_int64(insert, 4, version)
                sqlite3_bind_text(insert, 5, e.type, -1, SQLITE_TRANSIENT)
                sqlite3_bind_int(insert, 6, 1)
                sqlite3_bind_int64(insert, 7, now)
                sqlite3_bind_int64(insert, 8, now)
                sqlite3_bind_text(insert, 9, e.actor, -1, SQLITE_TRANSIENT)
                _ = e.payload.withUnsafeBytes { sqlite3_bind_blob(insert, 10, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
                _ = e.signature.withUnsafeBytes { sqlite3_bind_blob(insert, 11, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
                step(insert)
            }
        }
        step(commit)
    }

    /// Decodes the current row of a statement selecting `columns` into the same type EventLog hands out.
    @inline(__always)
    static func row(_ s: OpaquePointer?) -> RecordedEvent {
        func text(_ i: Int32) -> String {
            let n = Int(sqlite3_column_bytes(s, i))
            guard let p = sqlite3_column_text(s, i) else { return "" }
            return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        }
        func blob(_ i: Int32) -> [UInt8] {
            let n = Int(sqlite3_column_bytes(s, i))
            guard let p = sqlite3_column_blob(s, i) else { return [] }
            return Array(UnsafeRawBufferPointer(start: p, count: n))
        }
        var uuid = UUID().uuid
        if let p = sqlite3_column_blob(s, 1), sqlite3_column_bytes(s, 1) == 16 {
            withUnsafeMutableBytes(of: &uuid) { $0.copyMemory(from: UnsafeRawBufferPointer(start: p, count: 16)) }
        }
        return RecordedEvent(
            position: UInt64(sqlite3_column_int64(s, 0)), id: UUID(uuid: uuid), stream: text(2),
            version: UInt64(sqlite3_column_int64(s, 3)), type: text(4), schemaVersion: UInt16(sqlite3_column_int(s, 5)),
            recordedAt: Timestamp(microseconds: sqlite3_column_int64(s, 6)),
            occurredAt: Timestamp(microseconds: sqlite3_column_int64(s, 7)), actor: text(8),
            correlationID: nil, causationID: nil, payload: blob(9), signature: blob(10), hash: .genesis)
    }

    /// A full-table scan in position order decoding every row; calls `body` for each.
    func scan(_ body: (RecordedEvent) -> Void) -> Int {
        let s = prepare("SELECT \(SQLitePeer.columns) FROM events ORDER BY position")
        defer { sqlite3_finalize(s) }
        var n = 0
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            precondition(rc == SQLITE_ROW, String(cString: sqlite3_errmsg(db)))
            body(SQLitePeer.row(s))
            n += 1
        }
        return n
    }

    /// The events of one stream in version order.
    func read(stream: String) -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        sqlite3_bind_text(byStream, 1, stream, -1, SQLITE_TRANSIENT)
        while sqlite3_step(byStream) == SQLITE_ROW { out.append(SQLitePeer.row(byStream)) }
        sqlite3_reset(byStream)
        return out
    }
}

extension UUID {
    func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        var u = uuid
        return try withUnsafeBytes(of: &u, body)
    }
}
