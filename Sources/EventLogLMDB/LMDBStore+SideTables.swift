internal import CLMDB
import EventLog
import Foundation

extension LMDBStore {
    /// Opens (creating if needed) the named side tables, so that transactions can read and write them.
    /// Call once after opening the log, before using them in `transaction`.
    /// On a ledger opened read only, opens those that exist and creates none.
    func prepareSideTables(_ names: [String]) throws {
        try LMDBStore.storage {
            if env.access.isReadOnly { _ = try env.existingDatabases(named: names.map { "rm." + $0 }) }
            else { _ = try env.databases(named: names.map { "rm." + $0 }) }
        }
    }

    /// A side table's database: created if missing, except on a ledger opened read only, where it is nil.
    private func sideTable(_ table: String) throws -> MDB_dbi? {
        let name = "rm." + table
        if env.access.isReadOnly { return try env.existingDatabases(named: [name])[name] }
        return try env.database(named: name)
    }

    /// Reads one value of a side table written by `LogTransaction.put` (nil, too, from a table that does not exist
    /// on a ledger opened read only).
    ///
    /// A search, not `mdb_get`: it lands on the first key at or after `key` and checks that the entry before it sorts
    /// before `key`. LMDB descends by the separator keys of the branch pages, which no checksum covers; a damaged one
    /// can send a search past the leaf that holds the key, and `mdb_get` would then answer "not there". LMDB moves on
    /// to the next leaf by itself when a search lands too early, so landing too late is the one way a search can miss,
    /// and the entry before the landing place shows it.
    func sideTableValue(_ table: String, _ key: [UInt8]) throws -> [UInt8]? {
        try LMDBStore.storage {
            guard let dbi = try sideTable(table) else { return nil }
            return try env.read { r -> [UInt8]? in
                let c = try r.cursor(dbi)
                defer { c.close() }
                guard let (k, v) = try LMDBStore.seekChecked(c, key, table: table), k.elementsEqual(key) else { return nil }
                return Array(v)
            }
        }
    }

    /// Positions `c` at the first key at or after `key` and returns that entry, after checking that the entry before
    /// it sorts before `key` (see `sideTableValue`); throws when it does not.
    static func seekChecked(_ c: Cursor, _ key: [UInt8], table: String) throws -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        let found = try key.withUnsafeBytes { try c.seek($0) }
        let before = found == nil ? try c.last() : try c.previous()
        if let before, !ByteOrderLess(before.key, key) {
            throw EventLogError.damaged("a search of the table rm.\(table) lands past rows it should have found (a damaged branch page)")
        }
        return try key.withUnsafeBytes { try c.seek($0) }  // back where the search landed
    }

    /// Walks the entries of a side table whose keys start with `prefix`, in key order, in chunks of short read
    /// transactions. `body` returns false to stop.
    func sideTableScan(_ table: String, prefix: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        try LMDBStore.storage {
            guard let dbi = try sideTable(table) else { return }
            var resume: [UInt8]? = prefix
            while let start = resume {
                resume = nil
                try env.read { r in
                    let c = try r.cursor(dbi)
                    defer { c.close() }
                    var entry = try start.isEmpty ? c.seek(nil) : LMDBStore.seekChecked(c, start, table: table)
                    var n = 0
                    var skipFirst = start != prefix
                    while let (k, v) = entry {
                        let key = Array(k)
                        guard key.starts(with: prefix) else {
                            // The rows after the prefix's must not hold it again: rows out of order (a damaged key)
                            // would otherwise end the walk early, and the answer would silently lack them.
                            if !prefix.isEmpty, let (after, _) = try c.next(), after.starts(with: prefix) {
                                throw EventLogError.damaged("the rows of the table rm.\(table) are out of order (a damaged key)")
                            }
                            return
                        }
                        if skipFirst && key == start { skipFirst = false; entry = try c.next(); continue }
                        skipFirst = false
                        if try !body(key, Array(v)) { return }
                        n += 1
                        if n == 4096 { resume = key; return }
                        entry = try c.next()
                    }
                }
            }
        }
    }
}

/// LMDB's default order: bytes compared as unsigned, a prefix before the longer key.
func ByteOrderLess(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Bool {
    let n = min(a.count, b.count)
    if n > 0 {
        let c = b.withUnsafeBytes { memcmp(a.baseAddress!, $0.baseAddress!, n) }
        if c != 0 { return c < 0 }
    }
    return a.count < b.count
}
