import EventLog
import Foundation

/// Opening and creating ledgers kept in LMDB on disk, and what only such a ledger offers (backups, its flags).
extension EventLog {
    /// Creates a new ledger in `path` (a new or empty directory), kept in LMDB. Refuses to touch an existing ledger.
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
        return try LogRegistry.withLock { logs in
            let log = EventLog(store: try LMDBStore.create(at: path, clock: clock))
            logs[LogRegistry.key(path)] = LogRegistry.Weak(log: log)
            return log
        }
    }

    /// Opens an existing ledger kept in LMDB. Refuses a path that is not a ledger or has an unknown format version.
    /// Opening a path already open in this process returns the same log (opened as it was the first time).
    ///
    /// `access`: `.readOnly` opens it for reading only (`MDB_RDONLY`, and `MDB_NOLOCK` where `lock.mdb` cannot be
    /// written; see `access`); `.readWriteIfPossible` does so only where the files cannot be written. A log opened
    /// read only refuses every write with `EventLogError.readOnly` and creates nothing, side tables included.
    public static func open(at path: String, clock: @escaping @Sendable () -> Timestamp = { .now },
                            access request: LedgerAccess.Request = .readWrite) throws -> EventLog {
        try LogRegistry.withLock { logs in
            let key = LogRegistry.key(path)
            if let log = logs[key]?.log { return log }
            let fm = FileManager.default
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                throw EventLogError.notALedger(path: path, reason: "nothing exists there")
            }
            guard isDir.boolValue else { throw EventLogError.notALedger(path: path, reason: "it is a file, not a ledger directory") }
            guard fm.fileExists(atPath: path + "/data.mdb") else {
                throw EventLogError.notALedger(path: path, reason: "the directory has no data.mdb")
            }
            let access = LedgerAccess.choose(request, directory: path)
            let log = EventLog(store: try LMDBStore.open(at: path, clock: clock, access: access))
            logs[key] = LogRegistry.Weak(log: log)
            return log
        }
    }

    /// The writer indexes the unindexed tail in the transaction that brings it to this many events.
    public static var tailLimit: Int { Writer.tailLimit }

    /// How the ledger was opened: read-write, or read only (with or without the lock file). A log kept in memory is
    /// read-write.
    public var access: LedgerAccess { (store as? LMDBStore)?.access ?? .readWrite }

    /// Copies the ledger, compacted and consistent, into `directory` (created if missing; an existing one must be
    /// empty): a hot backup with LMDB's own copy (`mdb_env_copy2` with `MDB_CP_COMPACT`), which reads one snapshot in a
    /// read transaction, so appends go on meanwhile and a ledger opened read only can be backed up too.
    ///
    /// A copy that fails (a full disk) is removed, and the directory too when this made it: a cut-short copy would
    /// claim pages it does not hold. The ledger itself is never written.
    public func backup(to directory: String) throws {
        guard let lmdb = store as? LMDBStore else {
            throw EventLogError.invalidInput("this ledger is not kept on disk; there is no file to back up")
        }
        let fm = FileManager.default
        var isDir: ObjCBool = false
        var made = false
        if fm.fileExists(atPath: directory, isDirectory: &isDir) {
            guard isDir.boolValue else {
                throw EventLogError.invalidInput("'\(directory)' is a file; a backup is written into a new or empty directory")
            }
            let contents: [String]
            do { contents = try fm.contentsOfDirectory(atPath: directory) } catch {
                throw EventLogError.storage("cannot read directory '\(directory)': \(error.localizedDescription)")
            }
            guard contents.isEmpty else {
                throw EventLogError.invalidInput("directory '\(directory)' is not empty; a backup is written into a new or empty directory, so that it overwrites nothing")
            }
        } else {
            do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw EventLogError.storage("cannot create directory '\(directory)': \(error.localizedDescription)")
            }
            made = true
        }
        do {
            try lmdb.env.copy(to: directory)
        } catch {
            // Only what the copy wrote: the directory was empty (or new) before it.
            try? fm.removeItem(atPath: directory + "/data.mdb")
            if made { try? fm.removeItem(atPath: directory) }
            throw LMDBStore.backupFailure(error, directory: directory)
        }
    }

    /// The LMDB environment flags in force and the flags that would trade durability for speed (for tests asserting
    /// durability); nil for a ledger not kept in LMDB.
    public var environmentFlags: (flags: UInt32, unsafe: UInt32)? { (store as? LMDBStore)?.environmentFlags }

    /// The LMDB environment underneath, for tests that reach under the log; throws for a log not kept in LMDB.
    var env: Environment {
        get throws {
            guard let lmdb = store as? LMDBStore else { throw EventLogError.invalidInput("this ledger is not kept in LMDB") }
            return lmdb.env
        }
    }
}
