import EventLog
import Foundation

extension LMDBStore {
    /// LMDB and decoding failures as `EventLogError`; other errors as they are. `path`, the ledger's directory, lets
    /// an input/output error on a file system with no space left be told as the full disk it is (on ext4 the first
    /// failed commit of a full disk often reads `EIO`).
    static func wrap(_ error: Error, path: String? = nil) -> Error {
        if let e = error as? LMDBError {
            if e.isTransactionFull {
                return EventLogError.storage("\(e): the append is too large for one transaction; split it into smaller batches")
            }
            if e.isDamage { return EventLogError.damaged("\(e)") }
            if e.isNoSpace || (e.code == EIO && path.map(DiskSpace.isNearlyFull) == true) {
                return EventLogError.storage("disk full: the file system holding the ledger\(path.map { " ('\($0)')" } ?? "") has no space left (\(e)). "
                                             + notWritten + " Free space there and run it again.")
            }
            if e.isMapFull {
                return EventLogError.storage("the ledger's map size limit was reached (\(e)): LMDB's reservation of address space, not "
                                             + "the disk, which may have room left. " + notWritten + " Run it again; the map grows by itself.")
            }
            return EventLogError.storage("\(e)")
        }
        if let e = error as? RecordCodec.DecodeError { return EventLogError.corrupt(position: 0, reason: e.reason) }
        return error
    }

    /// What a failed write transaction leaves: nothing.
    static let notWritten = "The events of this write were not written: LMDB commits a transaction whole or not at all, so the "
        + "ledger is unchanged and keeps every event committed before."

    /// A failed `backup` as `EventLogError` (its copy was removed; the ledger was only read).
    static func backupFailure(_ error: Error, directory: String) -> Error {
        guard let e = error as? LMDBError else { return error }
        let full = e.isNoSpace || (e.code == EIO && DiskSpace.isNearlyFull(directory))
        return EventLogError.storage((full ? "disk full: " : "") + "the backup into '\(directory)' could not be written (\(e)); the "
                                     + "incomplete copy was removed, and the ledger itself is unchanged (a backup only reads it)."
                                     + (full ? " Free space there (a compacted copy needs up to the ledger's data.mdb size) and run the backup again." : ""))
    }
}

/// Free space on the file system of a path.
enum DiskSpace {
    /// Whether the file system holding `path` has less than 1 MiB left for this user (an `EIO` there is taken for
    /// the full disk it most likely is).
    static func isNearlyFull(_ path: String) -> Bool {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return false }
        return UInt64(s.f_bavail) * UInt64(s.f_frsize) < 1 << 20
    }
}
