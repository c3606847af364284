internal import CLMDB
import EventLog
import Foundation

/// Owns one `MDB_env`. Exactly one exists per path per process (see `EnvironmentRegistry`).
///
/// `@unchecked Sendable`: an `MDB_env` is thread-safe for read transactions (opened with `MDB_NOTLS`);
/// write transactions are serialised by LMDB's writer lock and only begun on the log's writer thread
/// or inside `write` which runs synchronously on the caller's thread. Map resizing takes `resizeLock`
/// exclusively, so no transaction of this process is open while the map changes.
final class Environment: @unchecked Sendable {
    let env: OpaquePointer
    let path: String
    /// How it was opened (read only: no write transaction is ever begun, no database created).
    let access: LedgerAccess
    private(set) var dbs = Databases()
    /// Shared by every transaction, exclusive while the map is resized.
    private var resizeLock = pthread_rwlock_t()
    private let dbLock = NSLock()
    /// Where LMDB mapped the data file in this process (LMDB does not say unless the map is fixed): found in
    /// `/proc/self/maps` the first time a long walk lets go of the pages it read, not at opening (most processes
    /// never need it); forgotten when the map is resized. Guarded by `mapLock`.
    private var mapBase: (known: Bool, base: UnsafeMutableRawPointer?) = (false, nil)
    private let mapLock = NSLock()
    /// The ledger's metadata as opening an existing ledger read it (nil fields when absent or malformed, and for an
    /// environment that created the ledger).
    private(set) var opening = Opening()
    /// LMDB's page size for this file (`MapBounds`).
    private(set) var pageSize = 4096

    /// What opening an existing ledger read, in the same read transaction that opened its databases.
    struct Opening {
        var format: UInt32?
        var ledgerID: UUID?
        /// The head, and the commit it was read at.
        var head: (commitID: Int, head: Checkpoint)?
    }

    /// Most named databases open at once (the ledger's five and the side tables).
    static let maxDatabases: UInt32 = 32
    /// Side tables opening opens at most: it leaves room for tables created later.
    static let sideTablesAtOpening = 19

    /// Default map reservation: address space, not disk. Grows by doubling on `MDB_MAP_FULL`.
    static let initialMapSize = 64 << 30

    init(path: String, create: Bool, access: LedgerAccess = .readWrite) throws {
        precondition(!(create && access.isReadOnly), "a ledger is created read-write")
        var envp: OpaquePointer?
        try check(mdb_env_create(&envp), "mdb_env_create")
        guard let env = envp else { throw LMDBError(code: ENOMEM, operation: "mdb_env_create") }
        self.env = env
        self.path = path
        self.access = access
        pthread_rwlock_init(&resizeLock, nil)
        DamageNet.attach(env)
        do {
            try check(mdb_env_set_maxdbs(env, Environment.maxDatabases), "mdb_env_set_maxdbs")
            try check(mdb_env_set_maxreaders(env, 1024), "mdb_env_set_maxreaders")
            try check(mdb_env_set_mapsize(env, Environment.initialMapSize), "mdb_env_set_mapsize")
            try check(mdb_env_open(env, path, EnvironmentFlags.open(access), 0o644), "mdb_env_open")
            var stat = MDB_stat()
            if mdb_env_stat(env, &stat) == 0, stat.ms_psize > 0 { pageSize = Int(stat.ms_psize) }
            var dead: Int32 = 0
            try check(mdb_reader_check(env, &dead), "mdb_reader_check")
            try openDatabases(create: create)
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

    /// Opens the ledger's databases in one transaction: a write transaction that creates them for a new ledger;
    /// for an existing one, a read-only transaction that also reads the metadata and opens every side table already
    /// there (so that `databases(named:)` later needs no transaction of its own).
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
            if !create, let txn {
                let r = ReadTransaction(txn: txn, dbs: d)
                opening = try Environment.metadata(r)
                if opening.format == EventLog.formatVersion { opening.head = (r.commitID, try Meta.readHead(r)) }
                for name in try sideTableNames(r).prefix(Environment.sideTablesAtOpening) { d.extra[name] = try open(name) }
            }
            try check(mdb_txn_commit(txn), "mdb_txn_commit")
            dbs = d
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
    }

    /// The ledger's format and id as stored in its metadata.
    static func metadata(_ r: ReadTransaction) throws -> Opening {
        Opening(
            format: try r.get(r.dbs.meta, Meta.format).flatMap {
                $0.count == 4 ? UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) : nil
            },
            ledgerID: try r.get(r.dbs.meta, Meta.ledgerID).flatMap { $0.count == 16 ? UUID(bytes: $0) : nil })
    }

    /// The names of the side tables in LMDB's catalogue (the main database's keys before the first record).
    private func sideTableNames(_ r: ReadTransaction) throws -> [String] {
        let c = try r.cursor(r.dbs.events)
        defer { c.close() }
        var names: [String] = []
        var entry = try c.seek(nil)
        while let (k, _) = entry, Keys.recordPosition(k) == nil {
            if k.starts(with: Environment.sideTablePrefix) || k.starts(with: Environment.logTablePrefix) {
                names.append(String(decoding: k, as: UTF8.self))
            }
            entry = try c.next()
        }
        return names
    }

    /// The prefix of the named databases that hold side tables.
    static let sideTablePrefix = Array("rm.".utf8)
    /// The prefix of the named databases the log keeps beside its records (the Merkle tree, its signed heads).
    static let logTablePrefix = Array("log.".utf8)

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

    /// The side databases among `names` that exist, opened in a read-only transaction; creates none (what a
    /// read-only environment offers: a missing one reads as empty).
    func existingDatabases(named names: [String]) throws -> [String: MDB_dbi] {
        dbLock.lock()
        defer { dbLock.unlock() }
        if names.contains(where: { dbs.extra[$0] == nil }) {
            try withShared {
                var txn: OpaquePointer?
                try check(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn), "mdb_txn_begin")
                var opened: [String: MDB_dbi] = [:]
                for name in names where dbs.extra[name] == nil {
                    var dbi: MDB_dbi = 0
                    let rc = mdb_dbi_open(txn, name, 0, &dbi)
                    if rc == MDB_NOTFOUND { continue }
                    if rc != 0 { mdb_txn_abort(txn); try check(rc, "mdb_dbi_open(\(name))") }
                    opened[name] = dbi
                }
                try check(mdb_txn_commit(txn), "mdb_txn_commit")  // keeps the handles open
                dbs.extra.merge(opened) { a, _ in a }
            }
        }
        return dbs.extra.filter { names.contains($0.key) }
    }

    /// Opens several side databases at once: in a read-only transaction when they all exist (no writer lock,
    /// no commit), otherwise creating the missing ones in one write transaction.
    func databases(named names: [String]) throws -> [MDB_dbi] {
        try databases(named: names, create: true) ?? []
    }

    private func databases(named names: [String], create mayCreate: Bool) throws -> [MDB_dbi]? {
        dbLock.lock()
        defer { dbLock.unlock() }
        if names.allSatisfy({ dbs.extra[$0] != nil }) { return names.map { dbs.extra[$0]! } }
        var found = true
        try withShared {
            for create in mayCreate ? [false, true] : [false] {
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
                if missing { mdb_txn_abort(txn); found = false; continue }
                try check(mdb_txn_commit(txn), "mdb_txn_commit")
                dbs.extra.merge(opened) { a, _ in a }
                found = true
                return
            }
        }
        guard found else { return nil }
        return try names.map {
            guard let dbi = dbs.extra[$0] else { throw LMDBError(code: MDB_NOTFOUND, operation: "mdb_dbi_open(\($0))") }
            return dbi
        }
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
            mapLock.withLock { mapBase = (false, nil) }  // LMDB maps the file again
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
            return try body(ReadTransaction(txn: txn!, dbs: dbs, bounds: mapBounds()))
        }
    }

    /// Runs `body` in a durable write transaction on the calling thread; commits if it returns, aborts if it
    /// throws. `MDB_MAP_FULL` grows the map and runs `body` again, so `body` must be repeatable.
    func write<T>(_ body: (WriteTransaction) throws -> T) throws -> T {
        if access.isReadOnly { throw EventLogError.readOnly(path: path) }  // the store refuses writes before this
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
            guard mdb_env_info(env, &info) == 0, let base = currentMapBase() else { return }
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            let length = min((info.me_last_pgno + 1) * page, info.me_mapsize)
            madvise(base, length, MADV_DONTNEED)
        }
    }

    /// Where the map starts, looked up the first time it is asked for since the map was last made.
    func currentMapBase() -> UnsafeMutableRawPointer? {
        mapLock.withLock {
            if !mapBase.known { mapBase = (true, findMapBase()) }
            return mapBase.base
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

    /// The id of the last commit of any process, read from the meta pages without a transaction.
    var lastCommitID: Int {
        withShared {
            var info = MDB_envinfo()
            mdb_env_info(env, &info)
            return Int(info.me_last_txnid)
        }
    }

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

