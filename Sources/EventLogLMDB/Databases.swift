internal import CLMDB
import EventLog
import Foundation

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
