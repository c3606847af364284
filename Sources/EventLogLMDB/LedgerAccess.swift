import EventLog
import Foundation

/// How a ledger on disk was opened.
public enum LedgerAccess: Sendable, Equatable {
    /// Read and write.
    case readWrite
    /// Read only (`MDB_RDONLY`); readers still register in `lock.mdb`, so commits of writers running now are seen.
    case readOnly
    /// Read only without the lock file (`MDB_RDONLY | MDB_NOLOCK`), which could not be written: nothing coordinates
    /// with writers, so a writer running now is not seen (and its commit could change pages being read).
    case readOnlyWithoutLock

    /// Whether nothing may be written.
    public var isReadOnly: Bool { self != .readWrite }

    /// How `EventLog.open` may open a ledger.
    public enum Request: Sendable, Equatable {
        /// Read and write (fails where the files cannot be written).
        case readWrite
        /// Read only, without the lock where `lock.mdb` cannot be written.
        case readOnly
        /// Read and write where `data.mdb` and `lock.mdb` can be written, else as `readOnly` (a read-only directory,
        /// bind mount or file system): for front ends whose reads must work on an auditor's read-only copy.
        case readWriteIfPossible
    }

    /// The access to open `directory` with (a ledger directory holding `data.mdb`), as `request` allows: the files'
    /// writability as `access(2)` sees it for this process (so root on a writable file system writes through
    /// `chmod a-w`, as it would anyway, while a read-only mount stops everyone).
    static func choose(_ request: Request, directory: String) -> LedgerAccess {
        if request == .readWrite { return .readWrite }
        let lock = directory + "/lock.mdb"
        // LMDB opens lock.mdb for reading and writing, creating it if needed.
        let lockWritable = FileManager.default.fileExists(atPath: lock) ? access(lock, W_OK) == 0 : access(directory, W_OK) == 0
        if request == .readWriteIfPossible, lockWritable, access(directory + "/data.mdb", W_OK) == 0 { return .readWrite }
        return lockWritable ? .readOnly : .readOnlyWithoutLock
    }
}
