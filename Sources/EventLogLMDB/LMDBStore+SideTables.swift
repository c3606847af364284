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
    func sideTableValue(_ table: String, _ key: [UInt8]) throws -> [UInt8]? {
        try LMDBStore.storage {
            guard let dbi = try sideTable(table) else { return nil }
            return try env.read { r in try r.get(dbi, key).map { Array($0) } }
        }
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
                    var entry = try start.isEmpty ? c.seek(nil) : start.withUnsafeBytes { try c.seek($0) }
                    var n = 0
                    var skipFirst = start != prefix
                    while let (k, v) = entry {
                        let key = Array(k)
                        guard key.starts(with: prefix) else { return }
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
