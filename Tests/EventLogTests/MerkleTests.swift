// The Merkle tree (RFC 9162): roots against the RFC 6962 reference vectors and a naive MTH, proofs that verify, and
// an adversarial suite in the style of Trillian's log_verifier_test.go: every mutation of a good proof is refused.
import Crypto
import Foundation
import Testing
@testable import EventLog
@testable import EventLogLMDB
import EventLogMemory

/// The naive recursive MTH of RFC 9162 §2.1.1.
private func mth(_ leaves: ArraySlice<[UInt8]>) -> ChainHash {
    if leaves.isEmpty { return Merkle.emptyRoot }
    if leaves.count == 1 { return leaves.first!.withUnsafeBytes { Merkle.leafHash($0) } }
    var k = 1
    while k * 2 < leaves.count { k *= 2 }
    let mid = leaves.startIndex + k
    return Merkle.nodeHash(mth(leaves[..<mid]), mth(leaves[mid...]))
}

/// A tree kept as the stores keep it: the stored hashes in storage order.
private struct StoredTree {
    var hashes: [ChainHash] = []
    var builder = MerkleBuilder()
    init(_ leaves: [[UInt8]]) {
        for l in leaves { l.withUnsafeBytes { builder.add(leaf: Merkle.leafHash($0)) { hashes.append($0) } } }
    }
    func read(_ indexes: [UInt64]) throws -> [ChainHash] { indexes.map { hashes[Int($0)] } }
}

/// The leaves of the RFC 6962 / Trillian reference tree.
private let referenceLeaves: [[UInt8]] = [
    [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
    [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
    [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
]
/// Their roots at sizes 1...8 (Trillian's merkle test vectors).
private let referenceRoots = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

private func leaves(_ n: Int) -> [[UInt8]] { (0..<n).map { Array("leaf-\($0)".utf8) } }

@Suite("Merkle tree")
struct MerkleTests {
    @Test func emptyTreeRootIsTheHashOfNothing() {
        #expect(Merkle.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func rootsMatchTheReferenceVectors() throws {
        for n in 1...8 {
            let t = StoredTree(Array(referenceLeaves[..<n]))
            #expect(try Merkle.root(size: UInt64(n), t.read).hex == referenceRoots[n - 1], "size \(n)")
            #expect(t.builder.root.hex == referenceRoots[n - 1], "builder, size \(n)")
            #expect(mth(referenceLeaves[..<n]).hex == referenceRoots[n - 1], "naive, size \(n)")
        }
    }

    @Test func splitInvertsTheStorageIndex() {
        for level in 0..<6 {
            for n in UInt64(0)..<200 { #expect(Merkle.split(storedIndex: Merkle.storedIndex(level: level, n)) == (level, n)) }
        }
    }

    @Test func storedLayoutMatchesTlog() {
        // tlog's StoredHashIndex: level-0 hashes of leaves 0..4 at 0, 1, 3, 4, 7; (1, 0) at 2; (2, 0) at 6.
        #expect([0, 1, 2, 3, 4].map { Merkle.storedIndex(level: 0, $0) } == [0, 1, 3, 4, 7])
        #expect(Merkle.storedIndex(level: 1, 0) == 2)
        #expect(Merkle.storedIndex(level: 2, 0) == 6)
        for n in UInt64(0)...300 {
            let t = StoredTree(leaves(Int(n)))
            #expect(Merkle.storedCount(n) == UInt64(t.hashes.count))
            #expect(Merkle.size(storing: UInt64(t.hashes.count)) == n)
        }
        #expect(Merkle.size(storing: 2) == nil)  // one leaf stores 1 hash, two store 3
    }

    @Test func incrementalStorageEqualsTheBuilder() throws {
        var stored: [ChainHash] = []
        let ls = leaves(130)
        for (n, l) in ls.enumerated() {
            let old = try Merkle.indexesToCombine(leaf: UInt64(n)).map { stored[Int($0)] }
            #expect(Merkle.storedIndex(level: 0, UInt64(n)) == UInt64(stored.count))
            stored += l.withUnsafeBytes { Merkle.hashesToStore(leaf: UInt64(n), Merkle.leafHash($0), combining: old) }
        }
        #expect(stored == StoredTree(ls).hashes)
    }

    @Test func everyRootEqualsTheNaiveDefinition() throws {
        let ls = leaves(70)
        let t = StoredTree(ls)
        for n in 0...70 { #expect(try Merkle.root(size: UInt64(n), t.read) == mth(ls[..<n]), "size \(n)") }
    }

    @Test func everyInclusionProofVerifiesAndEveryMutationIsRefused() throws {
        let ls = leaves(33)
        let t = StoredTree(ls)
        for size in UInt64(1)...33 {
            let root = try Merkle.root(size: size, t.read)
            for index in 0..<size {
                let leaf = ls[Int(index)].withUnsafeBytes { Merkle.leafHash($0) }
                let proof = try Merkle.inclusionProof(index: index, size: size, t.read)
                #expect(Merkle.verifyInclusion(leaf: leaf, index: index, size: size, proof: proof, root: root), "\(index) in \(size)")
                for bad in inclusionMutations(index: index, size: size, proof: proof, root: root) {
                    #expect(!Merkle.verifyInclusion(leaf: leaf, index: bad.index, size: bad.size, proof: bad.proof, root: bad.root),
                            "accepted \(bad.what) for leaf \(index) in \(size)")
                }
                // Another leaf's hash at this index.
                let other = Array("not-a-leaf".utf8).withUnsafeBytes { Merkle.leafHash($0) }
                #expect(!Merkle.verifyInclusion(leaf: other, index: index, size: size, proof: proof, root: root))
            }
        }
        // Empty tree: nothing is included, whatever the proof.
        #expect(!Merkle.verifyInclusion(leaf: Merkle.emptyRoot, index: 0, size: 0, proof: [], root: Merkle.emptyRoot))
        #expect(throws: MerkleError.self) { try Merkle.inclusionProof(index: 0, size: 0, t.read) }
        #expect(throws: MerkleError.self) { try Merkle.inclusionProof(index: 5, size: 5, t.read) }
    }

    private struct Mutation { var what: String; var index: UInt64; var size: UInt64; var proof: [ChainHash]; var root: ChainHash }

    private func inclusionMutations(index: UInt64, size: UInt64, proof: [ChainHash], root: ChainHash) -> [Mutation] {
        let junk = ChainHash(a: 1, b: 2, c: 3, d: 4)
        var out: [Mutation] = []
        if index > 0 { out.append(.init(what: "index-1", index: index - 1, size: size, proof: proof, root: root)) }
        out.append(.init(what: "index+1", index: index + 1, size: size, proof: proof, root: root))
        // Sizes as in Trillian's verifierCheck (x2 and /2 change the tree's height). A size one off, given with the
        // same root, can take the same path through the tree, and RFC 9162's check accepts it: the size and the root
        // must come together from one signed checkpoint, which is what `ProofCheck` and the bundle verifier insist on
        // (their tests refuse a proof whose size differs from the note's by one).
        if size > 1 { out.append(.init(what: "size/2", index: index, size: size / 2, proof: proof, root: root)) }
        out.append(.init(what: "size*2", index: index, size: size * 2, proof: proof, root: root))
        out.append(.init(what: "index+1, size*2", index: index + 1, size: size * 2, proof: proof, root: root))
        out.append(.init(what: "index=size", index: size, size: size, proof: proof, root: root))
        out.append(.init(what: "other root", index: index, size: size, proof: proof, root: junk))
        for i in proof.indices {
            var p = proof
            p[i] = junk
            out.append(.init(what: "hash \(i) replaced", index: index, size: size, proof: p, root: root))
        }
        if !proof.isEmpty {
            out.append(.init(what: "truncated", index: index, size: size, proof: Array(proof.dropLast()), root: root))
            out.append(.init(what: "first dropped", index: index, size: size, proof: Array(proof.dropFirst()), root: root))
        }
        out.append(.init(what: "extended", index: index, size: size, proof: proof + [junk], root: root))
        out.append(.init(what: "extended with root", index: index, size: size, proof: proof + [root], root: root))
        out.append(.init(what: "prepended", index: index, size: size, proof: [junk] + proof, root: root))
        return out
    }

    @Test func everyConsistencyProofVerifiesAndEveryMutationIsRefused() throws {
        let ls = leaves(33)
        let t = StoredTree(ls)
        let junk = ChainHash(a: 9, b: 9, c: 9, d: 9)
        for new in UInt64(0)...33 {
            let newRoot = try Merkle.root(size: new, t.read)
            for old in 0...new {
                let oldRoot = try Merkle.root(size: old, t.read)
                let proof = try Merkle.consistencyProof(oldSize: old, newSize: new, t.read)
                #expect(Merkle.verifyConsistency(oldSize: old, newSize: new, oldRoot: oldRoot, newRoot: newRoot, proof: proof), "\(old) -> \(new)")
                guard old > 0, old < new else {
                    // Trivial cases: any proof is refused, and so are other roots.
                    #expect(!Merkle.verifyConsistency(oldSize: old, newSize: new, oldRoot: oldRoot, newRoot: newRoot, proof: [junk]))
                    if old == new { #expect(!Merkle.verifyConsistency(oldSize: old, newSize: new, oldRoot: oldRoot, newRoot: junk, proof: [])) }
                    continue
                }
                var bad: [(String, UInt64, UInt64, ChainHash, ChainHash, [ChainHash])] = [
                    ("swapped sizes", new, old, newRoot, oldRoot, proof),
                    ("old-1", old - 1, new, oldRoot, newRoot, proof),
                    ("old+1", old + 1, new, oldRoot, newRoot, proof),
                    ("new*2", old, new * 2, oldRoot, newRoot, proof),
                    ("other old root", old, new, junk, newRoot, proof),
                    ("other new root", old, new, oldRoot, junk, proof),
                    ("empty proof", old, new, oldRoot, newRoot, []),
                    ("extended", old, new, oldRoot, newRoot, proof + [junk]),
                    ("truncated", old, new, oldRoot, newRoot, Array(proof.dropLast())),
                ]
                for i in proof.indices {
                    var p = proof
                    p[i] = junk
                    bad.append(("hash \(i) replaced", old, new, oldRoot, newRoot, p))
                }
                for (what, o, n, or, nr, p) in bad {
                    #expect(!Merkle.verifyConsistency(oldSize: o, newSize: n, oldRoot: or, newRoot: nr, proof: p), "accepted \(what) for \(old) -> \(new)")
                }
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func storesKeepTheTreeOfTheirRecords(_ backend: Backend) throws {
        try withLedger(backend) { log, _ in
            for i in 1...40 {
                // Single appends, and batches that close several subtrees in one transaction.
                try log.append(to: "s/\(i % 3)", (0..<(i % 4 + 1)).map { event($0) })
            }
            let head = try log.head().position
            #expect(try log.treeSize() == head)
            var records: [[UInt8]] = []
            for p in 1...head { records.append(try #require(try log.storedRecord(at: p)).bytes) }
            #expect(try log.treeRoot(size: head) == mth(records[...]))
            #expect(try log.verify().treeRoot == mth(records[...]))
            for size in [1, head / 3, head - 1, head] {
                let root = try log.treeRoot(size: size)
                for p in Set([1, size / 2 + 1, size]) {
                    let leaf = records[Int(p - 1)].withUnsafeBytes { Merkle.leafHash($0) }
                    let proof = try log.inclusionProof(position: p, treeSize: size)
                    #expect(Merkle.verifyInclusion(leaf: leaf, index: p - 1, size: size, proof: proof, root: root))
                }
                let c = try log.consistencyProof(from: size, to: head)
                #expect(Merkle.verifyConsistency(oldSize: size, newSize: head, oldRoot: root, newRoot: try log.treeRoot(size: head), proof: c))
            }
            #expect(throws: MerkleError.self) { try log.treeRoot(size: head + 1) }
            // The previous hash handed out with a record is the chain hash of the record before it.
            let second = try #require(try log.storedRecord(at: 2))
            let first = try #require(try log.storedRecord(at: 1))
            #expect(second.previous.bytes == Array(first.bytes.suffix(32)))
            #expect(first.previous == .genesis)
        }
    }

    @Test(arguments: Backend.allCases)
    func treeHeadsAreKeptOnlyWhenConsistent(_ backend: Backend) throws {
        try withLedger(backend) { log, _ in
            try log.append(to: "s", (0..<10).map { event($0) })
            let r5 = try log.treeRoot(size: 5)
            try log.transaction { tx in try tx.keepTreeHead(StoredTreeHead(size: 5, root: r5, note: Array("five".utf8))) }
            #expect(try log.latestTreeHead()?.size == 5)
            // A wrong root, or a head smaller than one already kept, is refused and nothing is kept.
            let wrong = StoredTreeHead(size: 8, root: r5, note: [])
            #expect(throws: EventLogError.self) { try log.transaction { tx in try tx.keepTreeHead(wrong) } }
            let r3 = try log.treeRoot(size: 3)
            #expect(throws: EventLogError.self) { try log.transaction { tx in try tx.keepTreeHead(StoredTreeHead(size: 3, root: r3, note: [])) } }
            let r10 = try log.treeRoot(size: 10)
            try log.transaction { tx in try tx.keepTreeHead(StoredTreeHead(size: 10, root: r10, note: Array("ten".utf8))) }
            #expect(try log.latestTreeHead() == StoredTreeHead(size: 10, root: r10, note: Array("ten".utf8)))
            #expect(try log.treeHead(size: 5)?.note == Array("five".utf8))
            #expect(try log.treeHead(size: 6) == nil)
        }
    }

    @Test func verifyNamesADamagedStoredHash() throws {
        let f = try TamperFixture()
        defer { f.remove() }
        let copy = try f.copy()
        try tamper(copy) { w in
            let dbi = try #require(try MerkleTable.tables(f.log.env)).tree
            // Storage index 150 is hash number `level` of the entry of the leaf that completed it.
            let (level, n) = Merkle.split(storedIndex: 150)
            var key = (((n + 1) << UInt64(level)) - 1).bigEndian
            let k = withUnsafeBytes(of: &key) { Array($0) }
            var v = Array(try #require(try w.reader.get(dbi, k)))
            v[32 * level] ^= 1
            try w.put(dbi, k, v)
        }
        let report = try EventLog.open(at: copy).verify()
        let problem = try #require(report.problem, "a damaged stored hash was not caught")
        #expect(problem.reason.contains("Merkle tree's stored hash 150"))
        // Storage index 150 is stored by the leaf n with storedIndex(0, n) <= 150 < storedIndex(0, n + 1).
        let leaf = try #require((0..<UInt64(200)).last { Merkle.storedIndex(level: 0, $0) <= 150 })
        #expect(problem.position == leaf + 1)
        #expect(try f.log.verify().isSound)
    }

    @Test func aLedgerWithoutATreeGetsOneAtItsNextWrite() throws {
        let f = try TamperFixture()
        defer { f.remove() }
        let copy = try f.copy()
        // Drop the tree, as on a ledger written by an older build.
        try tamper(copy) { w in
            let t = try #require(try MerkleTable.tables(f.log.env))
            for dbi in [t.tree, t.heads] { try w.drop(dbi) }
        }
        let log = try EventLog.open(at: copy)
        #expect(try log.treeSize() == 0)
        let before = try log.verify()
        #expect(before.isSound && before.treeStored == 0)
        try log.append(to: "late", [event(1)])
        #expect(try log.treeSize() == UInt64(TamperFixture.events + 1))
        let after = try log.verify()
        #expect(after.isSound && after.treeStored == UInt64(TamperFixture.events + 1))
        #expect(after.treeRoot == before.treeRoot || after.events == before.events + 1)
    }
}
