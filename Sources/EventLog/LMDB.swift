import CLMDB
import Foundation

/// A failed LMDB call: the operation and LMDB's own text for the code.
public struct LMDBError: Error, CustomStringConvertible, Sendable {
    /// The raw LMDB or errno code.
    public let code: Int32
    /// The LMDB function that failed, e.g. `mdb_put`.
    public let operation: String

    public var description: String {
        let text = String(cString: mdb_strerror(code))
        return "\(operation) failed: \(text) (code \(code))"
    }

    var isMapFull: Bool { code == MDB_MAP_FULL }
    var isMapResized: Bool { code == MDB_MAP_RESIZED }
    var isNotFound: Bool { code == MDB_NOTFOUND }
}

/// Every LMDB return code passes through here.
@inline(__always)
func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
    if rc != 0 { throw LMDBError(code: rc, operation: operation()) }
}

/// Flags the environment is opened with. Kept in one place so tests can assert the unsafe ones are absent.
enum EnvironmentFlags {
    /// `MDB_NOTLS`: reader slots belong to transactions, not threads (Swift tasks hop threads).
    static let open: UInt32 = UInt32(MDB_NOTLS)
    /// Flags that trade durability for speed; none of them is ever set for acknowledged writes.
    static let unsafe: UInt32 = UInt32(MDB_NOSYNC | MDB_NOMETASYNC | MDB_MAPASYNC | MDB_WRITEMAP)
}

/// The named databases of a ledger.
struct Databases: Sendable {
    /// LMDB's main database: the records (keys from `Keys.record`) beside the catalogue of the named ones.
    var events: MDB_dbi = 0
    var streams: MDB_dbi = 0
    var streamNames: MDB_dbi = 0
    var streamIndex: MDB_dbi = 0
    var ids: MDB_dbi = 0
    var meta: MDB_dbi = 0
    /// Extra named databases kept beside the log (read models), opened on demand by name.
    var extra: [String: MDB_dbi] = [:]
}

/// Owns one `MDB_env`. Exactly one exists per path per process (see `EnvironmentRegistry`).
///
/// `@unchecked Sendable`: an `MDB_env` is thread-safe for read transactions (opened with `MDB_NOTLS`);
/// write transactions are serialised by LMDB's writer lock and only begun on the log's writer thread
/// or inside `write` which runs synchronously on the caller's thread. Map resizing takes `resizeLock`
/// exclusively, so no transaction of this process is open while the map changes.
final class Environment: @unchecked Sendable {
    let env: OpaquePointer
    let path: String
    private(set) var dbs = Databases()
    /// Shared by every transaction, exclusive while the map is resized.
    private var resizeLock = pthread_rwlock_t()
    private let dbLock = NSLock()
    /// Where LMDB mapped the data file in this process (LMDB does not say unless the map is fixed), found in
    /// `/proc/self/maps` after opening. Nil when it cannot be found; releasing pages then does nothing.
    private(set) var mapBase: UnsafeMutableRawPointer?

    /// Default map reservation: address space, not disk. Grows by doubling on `MDB_MAP_FULL`.
    static let initialMapSize = 64 << 30

    init(path: String, create: Bool) throws {
        var envp: OpaquePointer?
        try check(mdb_env_create(&envp), "mdb_env_create")
        guard let env = envp else { throw LMDBError(code: ENOMEM, operation: "mdb_env_create") }
        self.env = env
        self.path = path
        pthread_rwlock_init(&resizeLock, nil)
        do {
            try check(mdb_env_set_maxdbs(env, 32), "mdb_env_set_maxdbs")
            try check(mdb_env_set_maxreaders(env, 1024), "mdb_env_set_maxreaders")
            try check(mdb_env_set_mapsize(env, Environment.initialMapSize), "mdb_env_set_mapsize")
            try check(mdb_env_open(env, path, EnvironmentFlags.open, 0o644), "mdb_env_open")
            var dead: Int32 = 0
            try check(mdb_reader_check(env, &dead), "mdb_reader_check")
            try openDatabases(create: create)
            mapBase = findMapBase()
        } catch {
            // `self` is fully initialised here, so throwing runs `deinit`, which closes the environment and
            // destroys the lock. Closing them here as well freed them twice (a crash on a garbage data.mdb).
            throw error
        }
    }

    deinit {
        mdb_env_close(env)
        pthread_rwlock_destroy(&resizeLock)
    }

    /// The flags LMDB reports for this environment.
    var flags: UInt32 {
        var f: UInt32 = 0
        mdb_env_get_flags(env, &f)
        return f
    }

    private func openDatabases(create: Bool) throws {
        var txn: OpaquePointer?
        try check(mdb_txn_begin(env, nil, create ? 0 : UInt32(MDB_RDONLY), &txn), "mdb_txn_begin")
        let flags: UInt32 = create ? UInt32(MDB_CREATE) : 0
        func open(_ name: String, _ extra: Int32 = 0) throws -> MDB_dbi {
            var dbi: MDB_dbi = 0
            try check(mdb_dbi_open(txn, name, flags | UInt32(extra), &dbi), "mdb_dbi_open(\(name))")
            return dbi
        }
        do {
            var d = Databases()
            d.meta = try open("meta")
            var main: MDB_dbi = 0  // the records live in LMDB's main database (see `Keys.record`)
            try check(mdb_dbi_open(txn, nil, 0, &main), "mdb_dbi_open(main)")
            d.events = main
            d.streams = try open("streams")
            d.streamNames = try open("stream-names")
            d.streamIndex = try open("stream-index")
            d.ids = try open("ids")
            try check(mdb_txn_commit(txn), "mdb_txn_commit")
            dbs = d
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
    }

    /// An already opened side database (nil if `database(named:)` was never called for it in this process).
    func openedDatabase(named name: String) -> MDB_dbi? {
        dbLock.lock()
        defer { dbLock.unlock() }
        return dbs.extra[name]
    }

    /// Opens (creating if needed) a named database for a read model kept beside the log.
    /// Begins its own write transaction: never call it on the writer thread while a transaction is open.
    func database(named name: String) throws -> MDB_dbi {
        try databases(named: [name])[0]
    }

    /// Opens several side databases at once: in a read-only transaction when they all exist (no writer lock,
    /// no commit), otherwise creating the missing ones in one write transaction.
    func databases(named names: [String]) throws -> [MDB_dbi] {
        dbLock.lock()
        defer { dbLock.unlock() }
        if names.allSatisfy({ dbs.extra[$0] != nil }) { return names.map { dbs.extra[$0]! } }
        try withShared {
            for create in [false, true] {
                var txn: OpaquePointer?
                try check(mdb_txn_begin(env, nil, create ? 0 : UInt32(MDB_RDONLY), &txn), "mdb_txn_begin")
                var opened: [String: MDB_dbi] = [:]
                var missing = false
                for name in names where dbs.extra[name] == nil {
                    var dbi: MDB_dbi = 0
                    let rc = mdb_dbi_open(txn, name, create ? UInt32(MDB_CREATE) : 0, &dbi)
                    if rc == MDB_NOTFOUND && !create { missing = true; break }
                    if rc != 0 { mdb_txn_abort(txn); try check(rc, "mdb_dbi_open(\(name))") }
                    opened[name] = dbi
                }
                if missing { mdb_txn_abort(txn); continue }
                try check(mdb_txn_commit(txn), "mdb_txn_commit")
                dbs.extra.merge(opened) { a, _ in a }
                return
            }
        }
        return names.map { dbs.extra[$0]! }
    }

    // MARK: Map size

    private func withShared<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(&resizeLock)
        defer { pthread_rwlock_unlock(&resizeLock) }
        return try body()
    }

    /// Doubles the map (or adopts a size another process set). No transaction of this process is open meanwhile.
    func growMap(adoptOnly: Bool) throws {
        pthread_rwlock_wrlock(&resizeLock)
        defer {
            mapBase = findMapBase()  // LMDB mapped the file again
            pthread_rwlock_unlock(&resizeLock)
        }
        if adoptOnly {
            try check(mdb_env_set_mapsize(env, 0), "mdb_env_set_mapsize")
            return
        }
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        try check(mdb_env_set_mapsize(env, info.me_mapsize * 2), "mdb_env_set_mapsize")
    }

    // MARK: Transactions

    /// Runs `body` in a short read-only transaction. `body` must copy out any bytes it keeps.
    func read<T>(_ body: (ReadTransaction) throws -> T) throws -> T {
        while true {
            var txn: OpaquePointer?
            pthread_rwlock_rdlock(&resizeLock)
            let rc = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
            if rc == MDB_MAP_RESIZED {
                pthread_rwlock_unlock(&resizeLock)
                try growMap(adoptOnly: true)
                continue
            }
            defer {
                mdb_txn_abort(txn)
                pthread_rwlock_unlock(&resizeLock)
            }
            try check(rc, "mdb_txn_begin(read)")
            return try body(ReadTransaction(txn: txn!, dbs: dbs))
        }
    }

    /// Runs `body` in a durable write transaction on the calling thread; commits if it returns, aborts if it
    /// throws. `MDB_MAP_FULL` grows the map and runs `body` again, so `body` must be repeatable.
    func write<T>(_ body: (WriteTransaction) throws -> T) throws -> T {
        while true {
            var txn: OpaquePointer?
            pthread_rwlock_rdlock(&resizeLock)
            var rc = mdb_txn_begin(env, nil, 0, &txn)
            if rc == MDB_MAP_RESIZED {
                pthread_rwlock_unlock(&resizeLock)
                try growMap(adoptOnly: true)
                continue
            }
            if rc != 0 {
                pthread_rwlock_unlock(&resizeLock)
                try check(rc, "mdb_txn_begin(write)")
            }
            let result: T
            do {
                result = try body(WriteTransaction(txn: txn!, dbs: dbs))
            } catch let error as LMDBError where error.isMapFull {
                mdb_txn_abort(txn)
                pthread_rwlock_unlock(&resizeLock)
                try growMap(adoptOnly: false)
                continue
            } catch {
                mdb_txn_abort(txn)
                pthread_rwlock_unlock(&resizeLock)
                throw error
            }
            rc = mdb_txn_commit(txn)
            pthread_rwlock_unlock(&resizeLock)
            if rc == MDB_MAP_FULL {
                try growMap(adoptOnly: false)
                continue
            }
            try check(rc, "mdb_txn_commit")
            return result
        }
    }

    /// Drops this process's mappings of all the data file's pages (`MADV_DONTNEED` on the read-only shared
    /// map). The data stays in the page cache; a later read maps it again, which is why it is safe while other
    /// transactions read: the map is never written through (no `MDB_WRITEMAP`). The whole file rather than the
    /// span a walk read, because the kernel maps neighbouring pages on each fault ("fault-around") too.
    func releaseMappedPages() {
        withShared {
            var info = MDB_envinfo()
            guard mdb_env_info(env, &info) == 0, let base = mapBase else { return }
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            let length = min((info.me_last_pgno + 1) * page, info.me_mapsize)
            madvise(base, length, MADV_DONTNEED)
        }
    }

    /// The start of the mapping that holds a value LMDB returned from the map (the `format` metadata): the one
    /// mapping of this environment, whatever else of the same file or inode is mapped. Nil when not found.
    private func findMapBase() -> UnsafeMutableRawPointer? {
        var txn: OpaquePointer?
        guard mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn) == 0 else { return nil }
        defer { mdb_txn_abort(txn) }
        var key = MDB_val(mv_size: Meta.format.count, mv_data: nil)
        var value = MDB_val()
        let found = Meta.format.withUnsafeBytes { k -> Bool in
            key.mv_data = UnsafeMutableRawPointer(mutating: k.baseAddress)
            return mdb_get(txn, dbs.meta, &key, &value) == 0
        }
        guard found, let inside = value.mv_data.map({ UInt(bitPattern: $0) }),
              let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return nil }
        for line in maps.split(separator: "\n") {
            guard let space = line.firstIndex(of: " "), let dash = line[..<space].firstIndex(of: "-"),
                  let start = UInt(line[..<dash], radix: 16), let end = UInt(line[line.index(after: dash)..<space], radix: 16),
                  start <= inside, inside < end else { continue }
            return UnsafeMutableRawPointer(bitPattern: start)
        }
        return nil
    }

    /// How often walks of the whole ledger (`verify`, index scans) let go of the map pages they have read.
    static let releaseEvery = 16 << 20

    /// Current size of the data file in bytes.
    var fileSize: Int64 {
        let attrs = try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb")
        return (attrs?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Copies the environment, compacted, into an empty directory.
    func copy(to directory: String) throws {
        try withShared {
            try check(mdb_env_copy2(env, directory, UInt32(MDB_CP_COMPACT)), "mdb_env_copy2")
        }
    }
}

/// Lets a long walk go of the map pages it has read, every `every` bytes, so that walking the whole ledger keeps a
/// flat resident size (the pages stay in the page cache; a later read maps them again). `every == nil` keeps
/// everything mapped.
struct MappedPageReleaser {
    let env: Environment
    let every: Int?
    private var bytes = 0

    init(_ env: Environment, every: Int?) {
        self.env = env
        self.every = every
    }

    @inline(__always) mutating func read(_ b: UnsafeRawBufferPointer) { bytes &+= b.count }

    /// Releases the map when the walk has read `every` bytes since the last time. Call between read transactions.
    mutating func releaseIfDue() {
        guard let every, bytes >= every else { return }
        env.releaseMappedPages()
        bytes = 0
    }
}

/// A read-only view of the ledger's databases for the duration of one transaction. Never escapes its closure.
struct ReadTransaction {
    let txn: OpaquePointer
    let dbs: Databases

    /// The value for `key`, valid only until the transaction ends.
    func get(_ dbi: MDB_dbi, _ key: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer? {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(txn, dbi, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_get")
        return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    }

    func get(_ dbi: MDB_dbi, _ key: [UInt8]) throws -> UnsafeRawBufferPointer? {
        try key.withUnsafeBytes { (k) in try get(dbi, k) }
    }

    /// The stored record at `position`, valid only until the transaction ends.
    func record(at position: UInt64) throws -> UnsafeRawBufferPointer? {
        var key = Keys.record(position)
        return try withUnsafeBytes(of: &key) { (k) in try get(dbs.events, k) }
    }

    func cursor(_ dbi: MDB_dbi) throws -> Cursor {
        var c: OpaquePointer?
        try check(mdb_cursor_open(txn, dbi, &c), "mdb_cursor_open")
        return Cursor(cursor: c!)
    }

    /// Number of entries in a database.
    func count(_ dbi: MDB_dbi) throws -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(txn, dbi, &stat), "mdb_stat")
        return stat.ms_entries
    }
}

/// A write transaction. Never escapes its closure and never crosses threads.
struct WriteTransaction {
    let txn: OpaquePointer
    let dbs: Databases

    var reader: ReadTransaction { ReadTransaction(txn: txn, dbs: dbs) }

    func put(_ dbi: MDB_dbi, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, flags: Int32 = 0) throws {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_put(txn, dbi, &k, &v, UInt32(flags)), "mdb_put")
    }

    func put(_ dbi: MDB_dbi, _ key: [UInt8], _ value: [UInt8], flags: Int32 = 0) throws {
        try key.withUnsafeBytes { (k) in
            try value.withUnsafeBytes { (v) in try put(dbi, k, v, flags: flags) }
        }
    }

    func delete(_ dbi: MDB_dbi, _ key: [UInt8]) throws {
        try key.withUnsafeBytes { (kb) in
            var k = MDB_val(mv_size: kb.count, mv_data: UnsafeMutableRawPointer(mutating: kb.baseAddress))
            let rc = mdb_del(txn, dbi, &k, nil)
            if rc != MDB_NOTFOUND { try check(rc, "mdb_del") }
        }
    }

    /// Empties a database (used when a read model is rebuilt).
    func drop(_ dbi: MDB_dbi) throws {
        try check(mdb_drop(txn, dbi, 0), "mdb_drop")
    }

    /// Runs `body` in a nested transaction: its writes are kept only if it returns.
    func nested<T>(_ body: (WriteTransaction) throws -> T) throws -> T {
        var child: OpaquePointer?
        try check(mdb_txn_begin(mdb_txn_env(txn), txn, 0, &child), "mdb_txn_begin(nested)")
        do {
            let r = try body(WriteTransaction(txn: child!, dbs: dbs))
            try check(mdb_txn_commit(child), "mdb_txn_commit(nested)")
            return r
        } catch {
            mdb_txn_abort(child)
            throw error
        }
    }
}

@available(*, unavailable) extension WriteTransaction: Sendable {}
@available(*, unavailable) extension ReadTransaction: Sendable {}

/// A cursor over one database; closed with `close()` before its transaction ends.
struct Cursor {
    let cursor: OpaquePointer

    func close() { mdb_cursor_close(cursor) }

    /// Positions at the first key >= `key` (or the first key when `key` is nil) and returns the entry.
    func seek(_ key: UnsafeRawBufferPointer?) throws -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val()
        let rc = mdb_cursor_get(cursor, &k, &v, key == nil ? MDB_FIRST : MDB_SET_RANGE)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get")
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size), UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    func next() throws -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        try move(MDB_NEXT)
    }

    /// Puts through the cursor (write transactions only). Keys put in ascending order mostly land on the page the
    /// cursor already holds, and LMDB then skips the descent from the root.
    func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, flags: Int32 = 0) throws {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_cursor_put(cursor, &k, &v, UInt32(flags)), "mdb_cursor_put")
    }

    func last() throws -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        try move(MDB_LAST)
    }

    private func move(_ op: MDB_cursor_op) throws -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        var k = MDB_val()
        var v = MDB_val()
        let rc = mdb_cursor_get(cursor, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get")
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size), UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }
}

/// One `Environment` per path per process: LMDB breaks when a process opens the same file twice.
enum EnvironmentRegistry {
    nonisolated(unsafe) private static var open: [String: Weak] = [:]
    private static let lock = NSLock()

    private struct Weak { weak var env: Environment? }

    static func environment(path: String, create: Bool) throws -> Environment {
        lock.lock()
        defer { lock.unlock() }
        let key = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        if let env = open[key]?.env { return env }
        let env = try Environment(path: path, create: create)
        open[key] = Weak(env: env)
        return env
    }
}
