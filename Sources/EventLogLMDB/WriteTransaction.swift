internal import CLMDB
import EventLog
import Foundation

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
