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
    /// Opening a path already open in this process returns the same log.
    public static func open(at path: String, clock: @escaping @Sendable () -> Timestamp = { .now }) throws -> EventLog {
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
            let log = EventLog(store: try LMDBStore.open(at: path, clock: clock))
            logs[key] = LogRegistry.Weak(log: log)
            return log
        }
    }

    /// The writer indexes the unindexed tail in the transaction that brings it to this many events.
    public static var tailLimit: Int { Writer.tailLimit }

    /// Copies the ledger, compacted and consistent, into a new empty directory (a hot backup).
    public func backup(to directory: String) throws {
        guard let lmdb = store as? LMDBStore else {
            throw EventLogError.invalidInput("this ledger is not kept on disk; there is no file to back up")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try LMDBStore.storage { try lmdb.env.copy(to: directory) }
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
