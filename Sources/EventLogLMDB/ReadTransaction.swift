internal import CLMDB
import EventLog
import Foundation

/// A read-only view of the ledger's databases for the duration of one transaction. Never escapes its closure.
struct ReadTransaction {
    let txn: OpaquePointer
    let dbs: Databases
    /// Where every key and value handed back must lie (nil: not checked, as in a write transaction, whose own pages
    /// are outside the map).
    var bounds: MapBounds? = nil

    /// The id of the commit this transaction reads (LMDB numbers commits in order).
    var commitID: Int { Int(mdb_txn_id(txn)) }

    /// The value for `key`, valid only until the transaction ends.
    func get(_ dbi: MDB_dbi, _ key: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer? {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        if dbi != dbs.events { noteTable(dbi) }
        let rc = mdb_get(txn, dbi, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_get")
        try bounds?.check(v, "a value")
        return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    }

    func get(_ dbi: MDB_dbi, _ key: [UInt8]) throws -> UnsafeRawBufferPointer? {
        try key.withUnsafeBytes { (k) in try get(dbi, k) }
    }

    /// The stored record at `position`, valid only until the transaction ends.
    func record(at position: UInt64) throws -> UnsafeRawBufferPointer? {
        var key = Keys.record(position)
        DamageNet.record(position)
        return try withUnsafeBytes(of: &key) { (k) in try get(dbs.events, k) }
    }

    func cursor(_ dbi: MDB_dbi) throws -> Cursor {
        var c: OpaquePointer?
        if dbi != dbs.events { noteTable(dbi) }
        try check(mdb_cursor_open(txn, dbi, &c), "mdb_cursor_open")
        return Cursor(cursor: c!, bounds: bounds)
    }

    /// Tells the damage net whether an index or a read model is being read.
    @inline(__always) private func noteTable(_ dbi: MDB_dbi) {
        if dbi == dbs.streams || dbi == dbs.streamNames || dbi == dbs.streamIndex || dbi == dbs.ids || dbi == dbs.meta {
            DamageNet.index()
        } else {
            DamageNet.model()
        }
    }

    /// Number of entries in a database.
    func count(_ dbi: MDB_dbi) throws -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(txn, dbi, &stat), "mdb_stat")
        return stat.ms_entries
    }
}

@available(*, unavailable) extension ReadTransaction: Sendable {}
