internal import CLMDB
import EventLog
import Foundation

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
