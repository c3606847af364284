internal import CLMDB
import EventLog
import Foundation

/// The Merkle tree's stored hashes (`log.tree`: u64 BE storage index → 32-byte hash, appended with `MDB_APPEND`) and
/// the signed tree heads (`log.tree-heads`: u64 BE tree size → 32-byte root then the signed note). See
/// `docs/FORMAT.md`, "The Merkle tree".
enum MerkleTable {
    static let tree = "log.tree"
    static let heads = "log.tree-heads"
    static let names = [tree, heads]

    /// The tree's two tables if this ledger has them (never creates them: reading a ledger written by an older build,
    /// or a read-only one, finds none).
    static func tables(_ env: Environment) throws -> (tree: MDB_dbi, heads: MDB_dbi)? {
        let t = try env.existingDatabases(named: names)
        guard let a = t[tree], let b = t[heads] else { return nil }
        return (a, b)
    }

    /// The number of leaves the stored hashes cover (from the last storage index).
    static func size(_ r: ReadTransaction, _ dbi: MDB_dbi) throws -> UInt64 {
        let c = try r.cursor(dbi)
        defer { c.close() }
        guard let (k, _) = try c.last() else { return 0 }
        guard k.count == 8 else { throw EventLogError.corrupt(position: 0, reason: "a Merkle tree key is not 8 bytes") }
        let count = UInt64(bigEndian: k.loadUnaligned(as: UInt64.self)) &+ 1
        guard let size = Merkle.size(storing: count) else {
            throw EventLogError.corrupt(position: 0, reason: "the Merkle tree stores \(count) hashes, which no tree size stores")
        }
        return size
    }

    /// The stored hashes at `indexes`, in that order; a missing or malformed one is damage.
    static func hashes(_ r: ReadTransaction, _ dbi: MDB_dbi, _ indexes: [UInt64]) throws -> [ChainHash] {
        try indexes.map { i in
            var key = i.bigEndian
            guard let v = try withUnsafeBytes(of: &key, { try r.get(dbi, $0) }), v.count == 32 else {
                throw EventLogError.corrupt(position: 0, reason: "the Merkle tree's stored hash \(i) is missing or not 32 bytes")
            }
            return ChainHash(bytes: v)
        }
    }

    /// Stores the hashes that leaf `n` (the record at position n + 1) adds.
    static func append(_ w: WriteTransaction, _ dbi: MDB_dbi, leaf n: UInt64, record: UnsafeRawBufferPointer) throws {
        let old = try hashes(w.reader, dbi, Merkle.indexesToCombine(leaf: n))
        let new = Merkle.hashesToStore(leaf: n, Merkle.leafHash(record), combining: old)
        var index = Merkle.storedIndex(level: 0, n)
        for h in new {
            var key = index.bigEndian
            try withUnsafeBytes(of: &key) { k in
                try h.withBytes { v in try w.put(dbi, k, v, flags: MDB_APPEND) }
            }
            index += 1
        }
    }

    /// Brings the tree up to `head` from the records (ledgers written before the tree, or by an older build).
    static func catchUp(_ w: WriteTransaction, _ dbi: MDB_dbi, to head: UInt64) throws {
        let size = try MerkleTable.size(w.reader, dbi)
        guard size < head else {
            if size > head {
                throw EventLogError.corrupt(position: head, reason: "the Merkle tree has \(size) leaves, more than the \(head) records")
            }
            return
        }
        for position in (size + 1)...head {
            guard let bytes = try w.reader.record(at: position) else {
                throw EventLogError.corrupt(position: position, reason: "the record is missing")
            }
            try append(w, dbi, leaf: position - 1, record: bytes)
        }
    }

    /// The newest signed tree head: its size, root and note.
    static func latestHead(_ r: ReadTransaction, _ dbi: MDB_dbi) throws -> StoredTreeHead? {
        let c = try r.cursor(dbi)
        defer { c.close() }
        guard let (k, v) = try c.last() else { return nil }
        return try decodeHead(k, v)
    }

    static func decodeHead(_ k: UnsafeRawBufferPointer, _ v: UnsafeRawBufferPointer) throws -> StoredTreeHead {
        guard k.count == 8, v.count >= 32 else {
            throw EventLogError.corrupt(position: 0, reason: "a stored tree head is malformed")
        }
        return StoredTreeHead(size: UInt64(bigEndian: k.loadUnaligned(as: UInt64.self)),
                              root: ChainHash(bytes: UnsafeRawBufferPointer(rebasing: v[0..<32])),
                              note: Array(v[32...]))
    }
}
