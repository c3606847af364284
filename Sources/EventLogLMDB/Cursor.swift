internal import CLMDB
import EventLog
import Foundation

/// A cursor over one database; closed with `close()` before its transaction ends.
struct Cursor {
    let cursor: OpaquePointer
    /// Where every key and value handed back must lie (see `MapBounds`).
    var bounds: MapBounds? = nil

    func close() { mdb_cursor_close(cursor) }

    /// Positions at the first key >= `key` (or the first key when `key` is nil) and returns the entry.
    func seek(_ key: UnsafeRawBufferPointer?) throws -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val()
        let rc = mdb_cursor_get(cursor, &k, &v, key == nil ? MDB_FIRST : MDB_SET_RANGE)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get")
        if let bounds {
            try bounds.check(k, "a key")
            try bounds.check(v, "a value")
        }
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size), UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    func next() throws -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        try move(MDB_NEXT)
    }

    /// Puts through the cursor (write transactions only). Keys put in ascending order mostly land on the page the
    /// cursor already holds, and LMDB then skips the descent from the root.
    func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, flags: Int32 = 0) throws {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_cursor_put(cursor, &k, &v, UInt32(flags)), "mdb_cursor_put")
    }

    /// Moves to the entry before the current one.
    func previous() throws -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        try move(MDB_PREV)
    }

    func last() throws -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        try move(MDB_LAST)
    }

    private func move(_ op: MDB_cursor_op) throws -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        var k = MDB_val()
        var v = MDB_val()
        let rc = mdb_cursor_get(cursor, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get")
        if let bounds {
            try bounds.check(k, "a key")
            try bounds.check(v, "a value")
        }
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size), UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }
}
