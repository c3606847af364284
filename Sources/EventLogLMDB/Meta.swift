import EventLog
import Foundation

/// The ledger's metadata (the `meta` database) and its head.
enum Meta {
    static let format = Array("format".utf8)
    static let ledgerID = Array("ledger-id".utf8)
    static let createdAt = Array("created-at".utf8)
    /// The last position the stream and id indexes cover; the records after it are the unindexed tail.
    static let indexed = Array("indexed".utf8)

    static func encode(_ n: UInt64) -> [UInt8] { withUnsafeBytes(of: n.littleEndian) { Array($0) } }

    static func readIndexed(_ r: ReadTransaction) throws -> UInt64 {
        guard let v = try r.get(r.dbs.meta, indexed), v.count == 8 else {
            throw EventLogError.corrupt(position: 0, reason: "the ledger's 'indexed' metadata is missing or malformed")
        }
        return UInt64(littleEndian: v.loadUnaligned(as: UInt64.self))
    }

    /// The head is the last record: its key holds the position and its last 32 bytes the chain hash. (A copy in
    /// the metadata would cost every commit another page write.)
    static func readHead(_ r: ReadTransaction) throws -> Checkpoint {
        let c = try r.cursor(r.dbs.events)
        defer { c.close() }
        guard let last = try c.last(), let position = Keys.recordPosition(last.key) else {
            return Checkpoint(position: 0, hash: .genesis)
        }
        guard last.value.count >= RecordCodec.headerSize + RecordCodec.hashSize else {
            throw EventLogError.corrupt(position: position, reason: "the last record is shorter than a record header")
        }
        return Checkpoint(position: position, hash: RecordCodec.storedHash(last.value))
    }
}
