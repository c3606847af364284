import EventLog
import Foundation

/// Walks of the records (LMDB's main database, keys from `Keys.record`).
enum Records {
    /// Calls `body` with each record from `position` on, in order, until it returns false or the log ends.
    static func forEach(_ r: ReadTransaction, from position: UInt64,
                        _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool) throws {
        let c = try r.cursor(r.dbs.events)
        defer { c.close() }
        var key = Keys.record(min(max(position, 1), Keys.maxPosition))
        DamageNet.record(max(position, 1))
        var entry = try withUnsafeBytes(of: &key) { try c.seek($0) }
        while let (k, v) = entry, let pos = Keys.recordPosition(k) {
            DamageNet.record(pos)
            if try !body(pos, v) { return }
            DamageNet.record(pos + 1)
            entry = try c.next()
        }
    }
}
