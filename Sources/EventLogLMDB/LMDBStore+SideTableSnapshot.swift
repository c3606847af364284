internal import CLMDB
import EventLog
import Foundation

extension LMDBStore {
    /// Runs `body` over one read transaction of the side tables.
    func readSideTables<T>(_ body: (any SideTableReader) throws -> T) throws -> T {
        try LMDBStore.storage {
            try env.read { r in try body(LMDBSideTables(env: env, r: r)) }
        }
    }
}

/// The side tables as one read transaction sees them.
struct LMDBSideTables: SideTableReader {
    let env: Environment
    let r: ReadTransaction

    func value(_ table: String, _ key: [UInt8]) throws -> [UInt8]? {
        guard let dbi = env.openedDatabase(named: "rm." + table) else { return nil }
        // A checked search, as the reads make (`LMDBStore.sideTableValue`): a row a damaged page hides is damage here too.
        let c = try r.cursor(dbi)
        defer { c.close() }
        guard let (k, v) = try LMDBStore.seekChecked(c, key, table: table), k.elementsEqual(key) else { return nil }
        return Array(v)
    }

    /// A cursor walk (which goes from leaf to leaf through the branch pages' page numbers, never their keys), each
    /// entry also looked up by its key (which descends by the branch keys): the entry is reachable when the lookup
    /// lands on the same bytes of the map.
    func walk(_ table: String, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, Bool) throws -> Bool) throws {
        guard let dbi = env.openedDatabase(named: "rm." + table) else { return }
        let c = try r.cursor(dbi)
        defer { c.close() }
        var entry = try c.seek(nil)
        while let (k, v) = entry {
            let found = try r.get(dbi, k)
            let reachable = found.map { $0.baseAddress == v.baseAddress && $0.count == v.count } ?? false
            if try !body(k, v, reachable) { return }
            entry = try c.next()
        }
    }
}

@available(*, unavailable) extension LMDBSideTables: Sendable {}
