internal import CLMDB
import EventLog
import Foundation

/// The Merkle tree's stored hashes (`log.tree`: u64 BE leaf index → the 32-byte hashes that leaf stored, tlog's layout
/// grouped by leaf, appended with `MDB_APPEND`) and
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

    /// The number of leaves the stored hashes cover: one entry per leaf.
    static func size(_ r: ReadTransaction, _ dbi: MDB_dbi) throws -> UInt64 {
        let c = try r.cursor(dbi)
        defer { c.close() }
        guard let (k, _) = try c.last() else { return 0 }
        guard k.count == 8 else { throw EventLogError.damaged("a key of the Merkle tree (log.tree) is not 8 bytes") }
        return UInt64(bigEndian: k.loadUnaligned(as: UInt64.self)) &+ 1
    }

    /// The stored hashes at storage indexes `indexes` (`Merkle.storedIndex`), in that order. The hash of the subtree
    /// at level l numbered n is hash number l of the entry of the leaf that completed it; a missing or short entry is
    /// damage.
    static func hashes(_ r: ReadTransaction, _ dbi: MDB_dbi, _ indexes: [UInt64]) throws -> [ChainHash] {
        try indexes.map { i in
            let (level, n) = Merkle.split(storedIndex: i)
            var key = (((n + 1) << UInt64(level)) - 1).bigEndian
            guard let v = try withUnsafeBytes(of: &key, { try r.get(dbi, $0) }), v.count >= 32 * (level + 1), v.count % 32 == 0 else {
                throw EventLogError.damaged("the Merkle tree's stored hash \(i) is missing or its entry is malformed")
            }
            return ChainHash(bytes: UnsafeRawBufferPointer(rebasing: v[(32 * level)..<(32 * level + 32)]))
        }
    }

    /// Stores the hashes leaf `n` adds (its leaf hash, then the subtrees it completes, in storage order) as one entry,
    /// through `cursor` (appending in key order).
    static func put(_ cursor: Cursor, leaf n: UInt64, _ hashes: UnsafeRawBufferPointer) throws {
        var key = n.bigEndian
        try withUnsafeBytes(of: &key) { k in try cursor.put(k, hashes, flags: MDB_APPEND) }
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
        let r = w.reader
        var edge = try MerkleBuilder(size: size) { try hashes(r, dbi, $0) }
        let c = try r.cursor(dbi)
        defer { c.close() }
        for position in (size + 1)...head {
            guard let bytes = try r.record(at: position) else {
                throw EventLogError.corrupt(position: position, reason: "the record is missing")
            }
            try edge.addStoring(leaf: Merkle.leafHash(bytes)) { try put(c, leaf: position - 1, $0) }
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
