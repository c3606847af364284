internal import CLMDB
import EventLog
import Foundation

/// A failed LMDB call: the operation and LMDB's own text for the code.
struct LMDBError: Error, CustomStringConvertible, Sendable {
    /// The raw LMDB or errno code.
    let code: Int32
    /// The LMDB function that failed, e.g. `mdb_put`.
    let operation: String

    /// `OPERATION failed: TEXT (code N)`.
    var description: String {
        let text = String(cString: mdb_strerror(code))
        return "\(operation) failed: \(text) (code \(code))"
    }

    var isMapFull: Bool { code == MDB_MAP_FULL }
    var isNotFound: Bool { code == MDB_NOTFOUND }
    /// The file is not an LMDB environment this library reads.
    var isNotAnLMDBFile: Bool { code == MDB_INVALID || code == MDB_VERSION_MISMATCH || code == MDB_INCOMPATIBLE }
    var isTransactionFull: Bool { code == MDB_TXN_FULL }
    var isKeyExisting: Bool { code == MDB_KEYEXIST }
    /// The file system is full (`ENOSPC`); `EDQUOT` (a quota) reads the same to the user.
    var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }
    /// LMDB met a page that is not what the tree says it is, or a page number past the file: the file is damaged.
    var isDamage: Bool { code == MDB_CORRUPTED || code == MDB_PAGE_NOTFOUND }
}

/// Every LMDB return code passes through here.
@inline(__always)
func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
    if rc != 0 { throw LMDBError(code: rc, operation: operation()) }
}
