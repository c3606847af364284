internal import CLMDB
import EventLog
import Foundation

extension LMDBStore {
    /// The first entry of the records or of an index (`streams`, `stream-names`, `stream-index`, `ids`) that a walk
    /// meets but a search by its own key does not find; nil when a search finds every one.
    ///
    /// Why: the chain and index walks go from leaf to leaf by the page numbers of the branch pages, never reading their
    /// separator keys, while the reads search (`log --from`, a stream, an id). A damaged separator hides entries from
    /// every search and from no walk: the log verifies, and `log` or an audit meets a "gap". A search is checked to land
    /// on the very bytes the walk met. Short read transactions of 16,384 entries, as the other walks.
    func firstUnreachable() throws -> (table: String, key: [UInt8])? {
        let d = env.dbs
        for (name, dbi) in [("records", d.events), ("streams", d.streams), ("stream-names", d.streamNames),
                            ("stream-index", d.streamIndex), ("ids", d.ids)] {
            var resume: [UInt8]?
            while true {
                defer { env.releaseMappedPages() }
                var found: [UInt8]?
                let next: [UInt8]? = try LMDBStore.storage {
                    try env.read { r in
                        let c = try r.cursor(dbi)
                        defer { c.close() }
                        var entry = try resume.map { key in try key.withUnsafeBytes { try c.seek($0) } } ?? c.seek(nil)
                        if let r = resume, let e = entry, e.key.elementsEqual(r) { entry = try c.next() }
                        var n = 0
                        while let (k, v) = entry {
                            // The main database also holds the catalogue of named databases: only records are checked.
                            if dbi != d.events || Keys.recordPosition(k) != nil {
                                let hit = try r.get(dbi, k)
                                if hit?.baseAddress != v.baseAddress || hit?.count != v.count { found = Array(k); return nil }
                            }
                            n += 1
                            if n == 16_384 { return Array(k) }
                            entry = try c.next()
                        }
                        return nil
                    }
                }
                if let found { return (name, found) }
                guard let next else { break }
                resume = next
            }
        }
        return nil
    }
}
