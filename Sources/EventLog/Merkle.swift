import Crypto

/// The log's Merkle tree (RFC 9162, §2.1): leaf `i` is the stored record at position `i + 1`, bytes exactly as
/// stored (its signature and chain hash included). The tree is kept incrementally in Go's `sumdb/tlog` layout: each
/// append stores the leaf hash and the hashes of the complete subtrees it closes (two hashes per event on average),
/// at dense storage indexes (`storedIndex`), so a tree head or a proof reads at most about 2·log₂ n of them.
///
/// The algorithms below follow `golang.org/x/mod/sumdb/tlog` (tree hash, record and tree proofs); the checks
/// (`verifyInclusion`, `verifyConsistency`) follow RFC 9162 §2.1.3.2 and §2.1.4.2 step by step.
public enum Merkle {
    /// A node or leaf hash (32 bytes).
    public typealias Hash = ChainHash

    /// The root of the empty tree: SHA-256 of the empty string.
    public static let emptyRoot = hash(UnsafeRawBufferPointer(start: nil, count: 0), prefix: nil)

    /// `SHA-256(0x00 || record)`.
    public static func leafHash(_ record: UnsafeRawBufferPointer) -> Hash { hash(record, prefix: 0) }

    /// `SHA-256(0x01 || left || right)`, hashed in one call over 65 bytes on the stack (an append computes one per
    /// event on average; three `update` calls on a `SHA256` cost more, perf 2026-12-07).
    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buffer in
            buffer.storeBytes(of: UInt8(1), toByteOffset: 0, as: UInt8.self)
            buffer.storeBytes(of: left.a.bigEndian, toByteOffset: 1, as: UInt64.self)
            buffer.storeBytes(of: left.b.bigEndian, toByteOffset: 9, as: UInt64.self)
            buffer.storeBytes(of: left.c.bigEndian, toByteOffset: 17, as: UInt64.self)
            buffer.storeBytes(of: left.d.bigEndian, toByteOffset: 25, as: UInt64.self)
            buffer.storeBytes(of: right.a.bigEndian, toByteOffset: 33, as: UInt64.self)
            buffer.storeBytes(of: right.b.bigEndian, toByteOffset: 41, as: UInt64.self)
            buffer.storeBytes(of: right.c.bigEndian, toByteOffset: 49, as: UInt64.self)
            buffer.storeBytes(of: right.d.bigEndian, toByteOffset: 57, as: UInt64.self)
            return SHA256.hash(data: UnsafeRawBufferPointer(buffer)).withUnsafeBytes { Hash(bytes: $0) }
        }
    }

    private static func hash(_ bytes: UnsafeRawBufferPointer, prefix: UInt8?) -> Hash {
        var h = SHA256()
        if let p = prefix { withUnsafeBytes(of: p) { h.update(bufferPointer: $0) } }
        h.update(bufferPointer: bytes)
        return h.finalize().withUnsafeBytes { Hash(bytes: $0) }
    }

    // MARK: Storage layout

    /// The storage index of the hash of the subtree at `level` whose leaves start at `n << level` (tlog's
    /// `StoredHashIndex`): level-0 hash `n` is stored at `n + n/2 + n/4 + ...`, followed by the hashes it completes.
    public static func storedIndex(level: Int, _ n: UInt64) -> UInt64 {
        var n = n
        for _ in 0..<level { n = 2 &* n &+ 1 }
        var i: UInt64 = 0
        while n > 0 { i &+= n; n >>= 1 }
        return i &+ UInt64(level)
    }

    /// The level and subtree number of the hash at storage index `index` (tlog's `SplitStoredHashIndex`): the hash of
    /// the subtree at `level` whose leaves start at `n << level`. It is stored by leaf `((n + 1) << level) - 1`, the leaf
    /// that completes it, as that leaf's hash number `level`.
    public static func split(storedIndex index: UInt64) -> (level: Int, n: UInt64) {
        // storedIndex(0, n) < 2n, so the leaf that stored it is at least index / 2.
        var n = index / 2
        var indexN = storedIndex(level: 0, n)
        while true {
            // Leaf n stores 1 + (trailing ones of n) hashes.
            let next = indexN + 1 + UInt64(n.trailingZeroBitCount(ofOnes: ()))
            if next > index { break }
            n += 1
            indexN = next
        }
        let level = Int(index - indexN)
        return (level, n >> UInt64(level))
    }

    /// How many hashes a tree of `size` leaves stores.
    public static func storedCount(_ size: UInt64) -> UInt64 {
        guard size > 0 else { return 0 }
        return storedIndex(level: 0, size - 1) + 1 + UInt64((size - 1).trailingZeroBitCount(ofOnes: ()))
    }

    /// The number of leaves of a tree that stores `count` hashes, or nil if no tree stores exactly that many.
    public static func size(storing count: UInt64) -> UInt64? {
        // storedCount is increasing and storedCount(n) is between n and 2n.
        var lo = count / 2, hi = count
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if storedCount(mid) < count { lo = mid + 1 } else { hi = mid }
        }
        return storedCount(lo) == count ? lo : nil
    }

    /// The storage indexes of the hashes that appending leaf `n` combines with its leaf hash (in the order
    /// `hashesToStore` takes them).
    public static func indexesToCombine(leaf n: UInt64) -> [UInt64] {
        let m = (n).trailingZeroBitCount(ofOnes: ())
        var out = [UInt64](repeating: 0, count: m)
        for i in 0..<m { out[m - 1 - i] = storedIndex(level: i, (n >> UInt64(i)) - 1) }
        return out
    }

    /// The hashes to store (from `storedIndex(level: 0, n)` on) when appending leaf `n` with hash `leaf`, given the
    /// hashes at `indexesToCombine(leaf: n)`.
    public static func hashesToStore(leaf n: UInt64, _ leaf: Hash, combining old: [Hash]) -> [Hash] {
        var out = [leaf]
        var h = leaf
        let m = old.count
        for i in 0..<m {
            h = nodeHash(old[m - 1 - i], h)
            out.append(h)
        }
        return out
    }

    // MARK: Tree heads and proofs from stored hashes

    /// Reads stored hashes by storage index (in the order asked).
    public typealias HashReader = ([UInt64]) throws -> [Hash]

    /// The largest power of two smaller than `n` (n ≥ 2), and its log₂.
    private static func split(_ n: UInt64) -> (k: UInt64, level: Int) {
        var l = 0
        while (UInt64(1) << UInt64(l + 1)) < n { l += 1 }
        return (UInt64(1) << UInt64(l), l)
    }

    private static func subTreeIndexes(_ lo: UInt64, _ hi: UInt64, _ need: inout [UInt64]) {
        var lo = lo
        while lo < hi {
            let (k, level) = split(hi - lo + 1)
            need.append(storedIndex(level: level, lo >> UInt64(level)))
            lo += k
        }
    }

    private static func subTreeHash(_ lo: UInt64, _ hi: UInt64, _ hashes: inout ArraySlice<Hash>) throws -> Hash {
        var lo = lo
        var parts = 0
        while lo < hi { lo += split(hi - lo + 1).k; parts += 1 }
        guard parts > 0, hashes.count >= parts else { throw MerkleError.storedHashesMissing }
        let start = hashes.startIndex
        var h = hashes[start + parts - 1]
        for i in stride(from: parts - 2, through: 0, by: -1) { h = nodeHash(hashes[start + i], h) }
        hashes = hashes.dropFirst(parts)
        return h
    }

    /// The root of the first `size` leaves.
    public static func root(size: UInt64, _ read: HashReader) throws -> Hash {
        guard size > 0 else { return emptyRoot }
        var need: [UInt64] = []
        subTreeIndexes(0, size, &need)
        var hashes = try read(need)[...]
        return try subTreeHash(0, size, &hashes)
    }

    /// The inclusion proof (audit path, leaf level first) of leaf `index` in the tree of `size` leaves.
    public static func inclusionProof(index: UInt64, size: UInt64, _ read: HashReader) throws -> [Hash] {
        guard index < size else { throw MerkleError.leafOutsideTree(index: index, size: size) }
        var need: [UInt64] = []
        leafProofIndexes(0, size, index, &need)
        guard !need.isEmpty else { return [] }
        var hashes = try read(need)[...]
        return try leafProof(0, size, index, &hashes)
    }

    private static func leafProofIndexes(_ lo: UInt64, _ hi: UInt64, _ n: UInt64, _ need: inout [UInt64]) {
        if lo + 1 == hi { return }
        let k = split(hi - lo).k
        if n < lo + k {
            leafProofIndexes(lo, lo + k, n, &need)
            subTreeIndexes(lo + k, hi, &need)
        } else {
            subTreeIndexes(lo, lo + k, &need)
            leafProofIndexes(lo + k, hi, n, &need)
        }
    }

    private static func leafProof(_ lo: UInt64, _ hi: UInt64, _ n: UInt64, _ hashes: inout ArraySlice<Hash>) throws -> [Hash] {
        if lo + 1 == hi { return [] }
        let k = split(hi - lo).k
        var p: [Hash]
        let th: Hash
        if n < lo + k {
            p = try leafProof(lo, lo + k, n, &hashes)
            th = try subTreeHash(lo + k, hi, &hashes)
        } else {
            th = try subTreeHash(lo, lo + k, &hashes)
            p = try leafProof(lo + k, hi, n, &hashes)
        }
        p.append(th)
        return p
    }

    /// The consistency proof between the trees of `oldSize` and `newSize` leaves (RFC 9162 §2.1.4.1; empty when
    /// the sizes are equal or the old tree is empty).
    public static func consistencyProof(oldSize: UInt64, newSize: UInt64, _ read: HashReader) throws -> [Hash] {
        guard oldSize <= newSize else { throw MerkleError.sizesOutOfOrder(old: oldSize, new: newSize) }
        guard oldSize > 0, oldSize < newSize else { return [] }
        var need: [UInt64] = []
        treeProofIndexes(0, newSize, oldSize, &need)
        guard !need.isEmpty else { return [] }
        var hashes = try read(need)[...]
        return try treeProof(0, newSize, oldSize, &hashes)
    }

    private static func treeProofIndexes(_ lo: UInt64, _ hi: UInt64, _ n: UInt64, _ need: inout [UInt64]) {
        if n == hi {
            if lo != 0 { subTreeIndexes(lo, hi, &need) }
            return
        }
        let k = split(hi - lo).k
        if n <= lo + k {
            treeProofIndexes(lo, lo + k, n, &need)
            subTreeIndexes(lo + k, hi, &need)
        } else {
            subTreeIndexes(lo, lo + k, &need)
            treeProofIndexes(lo + k, hi, n, &need)
        }
    }

    private static func treeProof(_ lo: UInt64, _ hi: UInt64, _ n: UInt64, _ hashes: inout ArraySlice<Hash>) throws -> [Hash] {
        if n == hi {
            return lo == 0 ? [] : [try subTreeHash(lo, hi, &hashes)]
        }
        let k = split(hi - lo).k
        var p: [Hash]
        let th: Hash
        if n <= lo + k {
            p = try treeProof(lo, lo + k, n, &hashes)
            th = try subTreeHash(lo + k, hi, &hashes)
        } else {
            th = try subTreeHash(lo, lo + k, &hashes)
            p = try treeProof(lo + k, hi, n, &hashes)
        }
        p.append(th)
        return p
    }

    // MARK: Verification (RFC 9162)

    /// RFC 9162 §2.1.3.2: does `proof` show the leaf with hash `leaf` at `index` in the tree of `size` with `root`?
    /// The size must come from a signed tree head, never from the proof.
    public static func verifyInclusion(leaf: Hash, index: UInt64, size: UInt64, proof: [Hash], root: Hash) -> Bool {
        // 1. leaf_index must be below tree_size.
        guard index < size else { return false }
        // 2–3.
        var fn = index, sn = size - 1
        var r = leaf
        // 4.
        for p in proof {
            // a.
            if sn == 0 { return false }
            // b.
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                r = nodeHash(r, p)
            }
            // c.
            fn >>= 1; sn >>= 1
        }
        // 5.
        return sn == 0 && r == root
    }

    /// RFC 9162 §2.1.4.2: does `proof` show the tree of `oldSize` with `oldRoot` is a prefix of the tree of `newSize`
    /// with `newRoot`? Equal sizes need an empty proof and equal roots; an empty old tree is a prefix of any tree
    /// (with an empty proof), as in RFC 6962's reference verifiers.
    public static func verifyConsistency(oldSize: UInt64, newSize: UInt64, oldRoot: Hash, newRoot: Hash, proof: [Hash]) -> Bool {
        guard oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty && oldRoot == emptyRoot }
        // 1. An empty path fails.
        guard !proof.isEmpty else { return false }
        // 2. If first is an exact power of 2, prepend first_hash.
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        // 3.
        var fn = oldSize - 1, sn = newSize - 1
        // 4.
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        // 5.
        var fr = path[0], sr = path[0]
        // 6.
        for c in path.dropFirst() {
            // a.
            if sn == 0 { return false }
            // b.
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            // c.
            fn >>= 1; sn >>= 1
        }
        // 7.
        return fr == oldRoot && sr == newRoot && sn == 0
    }
}

/// Why a tree head or proof could not be made.
public enum MerkleError: Error, Equatable, CustomStringConvertible {
    case leafOutsideTree(index: UInt64, size: UInt64)
    case sizesOutOfOrder(old: UInt64, new: UInt64)
    case treeTooSmall(asked: UInt64, size: UInt64)
    case storedHashesMissing

    public var description: String {
        switch self {
        case .leafOutsideTree(let i, let s): "leaf \(i) is not in a tree of \(s) leaves"
        case .sizesOutOfOrder(let o, let n): "the old tree (\(o) leaves) is larger than the new one (\(n))"
        case .treeTooSmall(let a, let s): "the Merkle tree has \(s) leaves, fewer than the \(a) asked for"
        case .storedHashesMissing: "stored Merkle hashes are missing (the ledger is damaged: run `align verify`)"
        }
    }
}

extension UInt64 {
    /// The number of trailing one bits.
    fileprivate func trailingZeroBitCount(ofOnes: ()) -> Int { (~self).trailingZeroBitCount }
}

/// Builds the Merkle tree leaf by leaf from the records, keeping only the right edge (at most 64 hashes): what
/// `verify` recomputes to check the stored tree, without trusting any stored hash.
public struct MerkleBuilder: Sendable {
    private var edge: [(level: Int, hash: ChainHash)] = []
    /// Leaves added so far.
    public private(set) var size: UInt64 = 0

    public init() {}

    /// The right edge of the stored tree of `size` leaves: the roots of its complete subtrees, read by storage index
    /// (at most 64 of them), so that appends can go on without reading any stored hash.
    public init(size: UInt64, _ read: Merkle.HashReader) throws {
        var parts: [(level: Int, start: UInt64)] = []
        var lo: UInt64 = 0
        for level in stride(from: 63, through: 0, by: -1) where size & (UInt64(1) << UInt64(level)) != 0 {
            parts.append((level, lo))
            lo += UInt64(1) << UInt64(level)
        }
        let hashes = try read(parts.map { Merkle.storedIndex(level: $0.level, $0.start >> UInt64($0.level)) })
        guard hashes.count == parts.count else { throw MerkleError.storedHashesMissing }
        edge = zip(parts, hashes).map { ($0.level, $1) }
        self.size = size
    }

    /// Adds the next leaf and hands on each hash it adds to the stored tree, in storage order.
    public mutating func add(leaf: ChainHash, _ stored: (ChainHash) throws -> Void) rethrows {
        var h = leaf
        var level = 0
        try stored(h)
        while let last = edge.last, last.level == level {
            edge.removeLast()
            h = Merkle.nodeHash(last.hash, h)
            level += 1
            try stored(h)
        }
        edge.append((level, h))
        size += 1
    }

    /// Adds the next leaf and hands on the bytes of every hash it adds to the stored tree, in storage order, at once
    /// (at most 65 hashes, on the stack).
    public mutating func addStoring(leaf: ChainHash, _ stored: (UnsafeRawBufferPointer) throws -> Void) throws {
        let count = 1 + (~size).trailingZeroBitCount
        try withUnsafeTemporaryAllocation(byteCount: 32 * count, alignment: 8) { buffer in
            var i = 0
            add(leaf: leaf) { h in
                h.withBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[(32 * i)..<(32 * i + 32)]).copyMemory(from: $0) }
                i += 1
            }
            try stored(UnsafeRawBufferPointer(buffer))
        }
    }

    /// The root of the leaves added so far.
    public var root: ChainHash {
        guard var h = edge.last?.hash else { return Merkle.emptyRoot }
        for e in edge.dropLast().reversed() { h = Merkle.nodeHash(e.hash, h) }
        return h
    }
}

/// An order-dependent digest of a sequence of hashes (SHA-256 over their bytes), to compare two long sequences
/// walked separately.
package struct SHA256Stream {
    private var h = SHA256()
    package init() {}
    package mutating func add(_ x: ChainHash) { x.withBytes { h.update(bufferPointer: $0) } }
    package func finish() -> ChainHash { h.finalize().withUnsafeBytes { ChainHash(bytes: $0) } }
}
