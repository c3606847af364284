// Damage in a kept read model (issue 12): `verify` names the model and the row, a read never answers from the damage
// silently, and `projections rebuild` repairs it. The audit-actor case of the issue: a damaged key made
// `audit actor sam` drop events while `verify` said "sound", and the rebuild did not repair it.
import Foundation
import Testing
import AlignmentDomain
@testable import AlignmentLedger
import EventLog

@Suite("AlignmentLedger: damaged read models")
struct ModelDamageTests {
    /// A demo quarter on disk (about 400 events: the audit-actor table spans several leaf pages and a branch page).
    static func demo(_ path: String) throws -> AlignmentLedger {
        try AlignmentLedger.playDemoQuarter(at: path, seed: 42, leads: 150, keys: KeyStore(directory: path + "-keys"), say: { _ in })
    }

    @Test func verifyProvesTheModelsOfAnUndamagedLedger() throws {
        try withLedgerDirectory { path in
            let ledger = try Self.demo(path)
            let answer = try ledger.verifyAnswer(checkpoint: nil)
            #expect(answer.ok)
            #expect(answer.models?.checked == true)
            #expect(answer.models?.position == (try ledger.head().position))
            #expect(answer.parts.map(\.name) == ["chain", "indexes", "searches", "signatures", "models"])
            #expect(answer.lines.contains { $0.hasPrefix("read models:") })
        }
    }

    /// A row of sam's posting lists whose key no longer says "sam": the prefix walk of `audit actor sam` ended there and
    /// dropped every later event of sam's. Verify names the table, a read fails, a rebuild repairs it.
    @Test func aDamagedPostingKeyIsNamedAndRebuiltAway() throws {
        try withLedgerDirectory { base in
            let original = try Self.demo(base)
            let answer = try original.auditActor("sam").events.map(\.position)
            #expect(answer.count > 20)
            try withLedgerDirectory { path in
                try FileManager.default.copyItem(atPath: base, toPath: path)
                var file = try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb"))
                let rows = LMDBPages.keys(file, named: "rm.audit-actor", branch: false).filter { $0.key.starts(with: Array("sam\0".utf8)) && $0.key.count == 12 }
                #expect(rows.count > 4)
                let victim = rows[rows.count / 2]
                file[victim.offset + 1] = UInt8(ascii: "b")  // "sam\0..." -> "sbm\0...", in place
                try file.write(to: URL(fileURLWithPath: path + "/data.mdb"))

                let damaged = try AlignmentLedger.open(at: path)
                let v = try damaged.verifyAnswer(checkpoint: nil)
                #expect(!v.ok)
                #expect(v.models?.problem?.model == "rm.audit-actor")
                #expect(v.reason?.contains("align projections rebuild") == true)
                // The read fails (rows out of order) or answers right: never fewer events, silently.
                if let read = try? damaged.auditActor("sam") { #expect(read.events.map(\.position) == answer) }

                try damaged.rebuild(progress: nil)
                #expect(try damaged.verifyAnswer(checkpoint: nil).ok)
                #expect(try damaged.auditActor("sam").events.map(\.position) == answer)
            }
        }
    }

    /// Each separator key of the audit-actor branch page damaged in turn (its first byte): whatever a search then does,
    /// verify is not sound or the answer is right, a read never answers wrong silently, and a rebuild repairs it.
    @Test func aDamagedBranchKeyIsNamedAndRebuiltAway() throws {
        try withLedgerDirectory { base in
            let original = try Self.demo(base)
            let answer = try original.auditActor("sam").events.map(\.position)
            let file = try Data(contentsOf: URL(fileURLWithPath: base + "/data.mdb"))
            let separators = LMDBPages.keys(file, named: "rm.audit-actor", branch: true)
            #expect(!separators.isEmpty, "the demo's audit-actor table has a branch page")
            var caught = 0
            for s in separators {
                try withLedgerDirectory { path in
                    try FileManager.default.copyItem(atPath: base, toPath: path)
                    var copy = file
                    copy[s.offset] = 0x01
                    try copy.write(to: URL(fileURLWithPath: path + "/data.mdb"))
                    let damaged = try AlignmentLedger.open(at: path)
                    let v = try damaged.verifyAnswer(checkpoint: nil)
                    if !v.ok { caught += 1; #expect(v.models?.problem?.model == "rm.audit-actor") }
                    if let read = try? damaged.auditActor("sam").events.map(\.position), v.ok { #expect(read == answer) }
                    try damaged.rebuild(progress: nil)
                    #expect(try damaged.verifyAnswer(checkpoint: nil).ok)
                    #expect(try damaged.auditActor("sam").events.map(\.position) == answer)
                }
            }
            #expect(caught > 0)
        }
    }
}

/// Reads LMDB's pages from a data file's bytes, enough to find a named database's live pages and their keys (LMDB
/// 0.9's layout: two meta pages; a 16-byte page header `pgno, pad, flags, lower, upper`, then 2-byte node offsets; a
/// node is `lo, hi, flags, ksize`, the key, then (leaves) the data; a branch node's child is `lo | hi << 16 | flags << 32`).
/// Only live pages: a file holds many stale copies of a page (copy on write), and damage there changes nothing.
enum LMDBPages {
    static let pageSize = 4096

    struct Node { var offset: Int; var key: [UInt8]; var child: Int; var flags: Int; var data: Range<Int> }

    static func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
    static func u64(_ b: [UInt8], _ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) } }

    /// The nodes of page `page` and whether it is a branch.
    static func nodes(_ b: [UInt8], _ page: Int) -> (branch: Bool, nodes: [Node]) {
        let base = page * pageSize
        let flags = u16(b, base + 10), lower = u16(b, base + 12)
        var out: [Node] = []
        for i in 0..<max(0, (lower - 16) / 2) {
            let node = base + u16(b, base + 16 + 2 * i)
            let lo = u16(b, node), hi = u16(b, node + 2), nf = u16(b, node + 4), ksize = u16(b, node + 6)
            let data = node + 8 + ksize
            out.append(Node(offset: node + 8, key: Array(b[(node + 8)..<data]), child: lo | hi << 16 | nf << 32, flags: nf,
                            data: data..<(data + (lo | hi << 16))))
        }
        return (flags & 1 != 0, out)
    }

    /// The root of the main database in the newer meta page.
    static func mainRoot(_ b: [UInt8]) -> Int {
        // MDB_meta at offset 16: magic, version (4 + 4), address, mapsize (8 + 8), two MDB_db of 48 bytes, last page, txnid.
        func txnid(_ m: Int) -> Int { u64(b, m * pageSize + 16 + 24 + 96 + 8) }
        let meta = txnid(1) > txnid(0) ? 1 : 0
        return u64(b, meta * pageSize + 16 + 24 + 48 + 40)
    }

    /// The live pages of the named database (`nil`: the main one), branch pages first within each level.
    static func pages(_ file: Data, named name: String?) -> [(page: Int, branch: Bool)] {
        let b = [UInt8](file)
        var root = mainRoot(b)
        if let name {
            guard let leaf = walk(b, root).first(where: { !$0.branch && nodes(b, $0.page).nodes.contains { $0.key == Array(name.utf8) } }),
                  let node = nodes(b, leaf.page).nodes.first(where: { $0.key == Array(name.utf8) }) else { return [] }
            root = u64(b, node.data.lowerBound + 40)
        }
        return walk(b, root)
    }

    static func walk(_ b: [UInt8], _ root: Int) -> [(page: Int, branch: Bool)] {
        var out: [(Int, Bool)] = []
        var level = [root]
        while !level.isEmpty {
            var next: [Int] = []
            for p in level where (p + 1) * pageSize <= b.count {
                let (branch, ns) = nodes(b, p)
                out.append((p, branch))
                if branch { next += ns.map(\.child) }
            }
            level = next
        }
        return out
    }

    /// The keys of the live branch or leaf pages of a named database, with the file offset of each key's first byte.
    static func keys(_ file: Data, named name: String, branch: Bool) -> [(offset: Int, key: [UInt8])] {
        let b = [UInt8](file)
        return pages(file, named: name).filter { $0.branch == branch }.flatMap { p in
            nodes(b, p.page).nodes.filter { !$0.key.isEmpty }.map { ($0.offset, $0.key) }
        }
    }
}
