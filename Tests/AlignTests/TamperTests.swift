// The tamper test of issue 12: random byte flips in a ledger's data.mdb, then `verify` and the reads, run as the built
// `align` binary. For every flip: no process dies of a signal, every exit is 0, 1 or 3, and never does `verify` say
// sound while a read answers differently from the undamaged ledger.
//
// ALIGN_FLIPS sets the number of flips (default 300), ALIGN_FLIP_SEED the seed (default: a new one, printed; a
// failure names the seed and the offset, and the same seed replays the same flips).
import Foundation
import Testing

@Suite("align under damage")
struct TamperTests {
    /// The reads compared with the undamaged ledger's answers (JSON where there is one; fixed business times).
    static let reads: [[String]] = [
        ["log", "--json", "--limit", "100000"],
        ["state", "--json"],
        ["audit", "who-approved", "mql", "--at", "2026-06-20T00:00:00Z", "--json"],
        ["audit", "actor", "sam", "--json"],
        ["audit", "overrides", "--json"],
        // Open leads are aged as of the end of --until (without it, as of now: a moving answer).
        ["scorecard", "--json", "--until", "2026-07-31"],
        ["lead", "list", "--json"],
        ["campaign", "show", "q2-webinar", "--json"],
    ]

    struct Run { var code: Int32; var signal: Bool; var out: String; var err: String }

    /// Runs `align ARGS --ledger LEDGER`; `signal` when it died of one.
    static func run(_ binary: URL, _ args: [String], ledger: String, scratch: URL) throws -> Run {
        let r = try runProcess(binary, args + ["--ledger", ledger],
                               environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ALIGN_") }, scratch: scratch)
        return Run(code: r.code, signal: r.signal, out: normalized(r.out), err: r.err)
    }

    /// Output without what differs from run to run on the same ledger (how long a query took).
    static func normalized(_ s: String) -> String {
        s.replacingOccurrences(of: #""queryMicroseconds":[0-9.e+-]+,?"#, with: "", options: .regularExpression)
    }

    /// Where the flips land. Uniform offsets mostly hit stale page copies (copy on write leaves many) and record pages:
    /// a fourth of the flips go to the live pages of the kept read models (`rm.*`), a fourth to live branch pages of any
    /// tree (separator keys and child page numbers), which uniform flips rarely reach and which damage differently.
    /// Also every live page (the meta pages, every tree's pages and their overflow pages): a flip anywhere else lands
    /// in a stale copy no read reaches. `live` maps a B-tree page to the free gap between its node offsets and its
    /// nodes, which no read reaches either (nil: the whole page is read).
    static func targets(_ file: Data) -> (models: [Int], branches: [Int], live: [Int: Range<Int>?]) {
        let b = [UInt8](file)
        var models: [Int] = [], branches: [Int] = []
        var live: [Int: Range<Int>?] = [0: nil, 1: nil]
        func tree(_ root: Int, model: Bool) {
            for (p, br) in Pages.walk(b, root) {
                let lower = Pages.u16(b, p * Pages.pageSize + 12), upper = Pages.u16(b, p * Pages.pageSize + 14)
                live[p] = lower <= upper ? lower..<upper : nil
                if model { models.append(p) }
                if br { branches.append(p); continue }
                for n in Pages.nodes(b, p).nodes where n.flags & 1 != 0 {  // a value on overflow pages
                    let first = Pages.u64(b, n.data.lowerBound)
                    let count = Pages.u16(b, first * Pages.pageSize + 12) | Pages.u16(b, first * Pages.pageSize + 14) << 16
                    for o in first..<(first + max(1, min(count, 64))) { live[o] = .some(nil) }
                }
            }
        }
        tree(Pages.mainRoot(b), model: false)
        for (page, branch) in Pages.walk(b, Pages.mainRoot(b)) where !branch {
            for n in Pages.nodes(b, page).nodes where n.flags & 2 != 0 {  // a named database's catalogue entry
                tree(Pages.u64(b, n.data.lowerBound + 40), model: n.key.starts(with: Array("rm.".utf8)))
            }
        }
        return (models, branches, live)
    }

    @Test(.timeLimit(.minutes(5)))
    func randomFlipsNeverGiveASoundVerifyWithAWrongAnswerNorASignal() throws {
        let binary = try alignBinary()
        let env = ProcessInfo.processInfo.environment
        let flips = env["ALIGN_FLIPS"].flatMap(Int.init) ?? 300
        let seed = env["ALIGN_FLIP_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(Int32.max))
        print("tamper test: \(flips) flips, seed \(seed) (ALIGN_FLIP_SEED=\(seed) replays them)")

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("align-tamper-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // A small signed demo (about 160 events, every read model): small enough that a flip often lands on a live page.
        let base = scratch.appendingPathComponent("base").path
        let demo = try Self.run(binary, ["demo", "--leads", "40", "--seed", "5", "--keys", scratch.appendingPathComponent("keys").path],
                                ledger: base, scratch: scratch)
        try #require(demo.code == 0, "demo: \(demo.err)")
        let sound = try Self.run(binary, ["verify"], ledger: base, scratch: scratch)
        try #require(sound.code == 0, "the undamaged ledger: \(sound.out)\(sound.err)")
        var expected: [[String]: String] = [:]
        for r in Self.reads {
            let o = try Self.run(binary, r, ledger: base, scratch: scratch)
            try #require(o.code == 0, "\(r.joined(separator: " ")): \(o.err)")
            expected[r] = o.out
        }
        let answers = expected
        let original = try Data(contentsOf: URL(fileURLWithPath: base + "/data.mdb"))
        let (models, branches, live) = Self.targets(original)
        try #require(!models.isEmpty && !branches.isEmpty, "the demo's trees were not found in data.mdb")

        // The flips, drawn up front from the seed (so a replay is exact whatever the workers' order).
        var rng = SplitMix(seed)
        /// A byte of `page` that a read can reach (not in the free gap between its node offsets and its nodes).
        func inPage(_ page: Int) -> Int {
            let gap = (live[page] ?? nil) ?? 0..<0
            let r = Int(rng.next() % UInt64(Pages.pageSize - gap.count))
            return page * Pages.pageSize + (r < gap.lowerBound ? r : r + gap.count)
        }
        let plan: [(offset: Int, mask: UInt8, kind: String)] = (0..<flips).map { i in
            let offset: Int, kind: String
            switch i % 4 {
            case 2: (offset, kind) = (inPage(models[Int(rng.next() % UInt64(models.count))]), "model page")
            case 3: (offset, kind) = (inPage(branches[Int(rng.next() % UInt64(branches.count))]), "branch page")
            default: (offset, kind) = (Int(rng.next() % UInt64(original.count)), "uniform")
            }
            return (offset, UInt8(1 + rng.next() % 255), kind)
        }

        func reached(_ offset: Int) -> Bool {
            guard let gap = live[offset / Pages.pageSize] else { return false }
            return !(gap?.contains(offset % Pages.pageSize) ?? false)
        }
        let reachable = plan.map { reached($0.offset) }
        let onLive = reachable.filter { $0 }.count
        print("tamper test: \(onLive) of the flips land on bytes a read can reach (\(live.count) of \(original.count / Pages.pageSize) pages are live)")
        struct Tally { var caught = 0, identical = 0, signals = 0, badExits = 0, silentWrong = 0, readFailedWhileSound = 0; var exits: [Int32: Int] = [:]; var failures: [String] = []; var notes: [String] = [] }
        let tally = Locked(Tally())
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for (i, flip) in plan.enumerated() where i % 2 == worker {
                let ledger = scratch.appendingPathComponent("flip-\(worker)").path
                do {
                    try? FileManager.default.removeItem(atPath: ledger)
                    try FileManager.default.createDirectory(atPath: ledger, withIntermediateDirectories: true)
                    var data = original
                    data[flip.offset] ^= flip.mask
                    try data.write(to: URL(fileURLWithPath: ledger + "/data.mdb"))
                    let replay = "seed \(seed), flip \(i): offset \(flip.offset) (page \(flip.offset / Pages.pageSize), \(flip.kind)) xor 0x\(String(flip.mask, radix: 16))"
                    var runs: [([String], Run)] = []
                    let verify = try Self.run(binary, ["verify"], ledger: ledger, scratch: scratch)
                    runs.append((["verify"], verify))
                    // Every read when verify says sound and the flip is on bytes a read can reach (each answer must be the
                    // undamaged one); otherwise one read in turn (it must answer the same or fail cleanly, never die), and
                    // every read for one flip in eight elsewhere (a stale page, a page's free gap), which no read reaches. A process costs ~50 ms in a
                    // debug build: this keeps 300 flips near a minute on two cores.
                    let reads = verify.code == 0 && (reachable[i] || i % 8 == 0)
                        ? Self.reads : [Self.reads[i % Self.reads.count]]
                    for r in reads { runs.append((r, try Self.run(binary, r, ledger: ledger, scratch: scratch))) }
                    tally.withLock { t in
                        t.exits[verify.code, default: 0] += 1
                        if verify.code == 3 { t.caught += 1 }
                        var same = true
                        for (args, o) in runs {
                            let command = args.joined(separator: " ")
                            if o.signal { t.signals += 1; t.failures.append("\(replay): `align \(command)` died of signal \(o.code)") }
                            else if ![0, 1, 3].contains(o.code) { t.badExits += 1; t.failures.append("\(replay): `align \(command)` exited \(o.code)") }
                            guard args != ["verify"], verify.code == 0, !verify.signal else { continue }
                            if o.code == 0, o.out != answers[args] {
                                t.silentWrong += 1
                                t.failures.append("\(replay): verify said sound but `align \(command)` answered differently")
                            }
                            if o.code != 0 {
                                t.readFailedWhileSound += 1
                                t.notes.append("\(replay): verify sound, `align \(command)` exit \(o.code): \(o.err.prefix(300))")
                            }
                            if o.out != answers[args] { same = false }
                        }
                        if verify.code == 0, same { t.identical += 1 }
                    }
                } catch {
                    tally.withLock { $0.failures.append("seed \(seed), flip \(i): the test could not run it: \(error)") }
                }
            }
        }
        let t = tally.withLock { $0 }
        print("tamper test: \(flips) flips (seed \(seed)): caught by verify \(t.caught); verify sound and every answer identical \(t.identical); "
              + "verify sound but a read failed (exit 1/3, not silent) \(t.readFailedWhileSound); silent wrong answers \(t.silentWrong); "
              + "signals \(t.signals); other exits \(t.badExits); verify exits \(t.exits.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")
        // Damage a read meets that verify does not report is not a wrong answer, but worth a look.
        for n in t.notes.prefix(5) { print("tamper test: \(n)") }
        #expect(t.failures.isEmpty, "\(t.failures.count) flips broke the rule:\n\(t.failures.prefix(20).joined(separator: "\n"))")
    }
}

/// A value shared by the test's workers.
final class Locked<T>: @unchecked Sendable {
    // @unchecked: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func withLock<R>(_ body: (inout T) -> R) -> R { lock.withLock { body(&value) } }
}

/// SplitMix64: the seeded generator of the flips (the same numbers on every machine).
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Enough of LMDB 0.9's page layout to find the live pages of each tree: two meta pages; a 16-byte page header
/// `pgno, pad, flags, lower, upper`, then 2-byte node offsets; a node is `lo, hi, flags, ksize`, the key, then (leaves)
/// the data; a branch node's child is `lo | hi << 16 | flags << 32`; a named database's catalogue entry (flag 2) holds
/// its `MDB_db`, whose root is at offset 40. Defensive: the bytes may be anything.
enum Pages {
    static let pageSize = 4096

    struct Node { var key: [UInt8]; var child: Int; var flags: Int; var data: Range<Int> }

    static func u16(_ b: [UInt8], _ at: Int) -> Int { at + 2 <= b.count ? Int(b[at]) | Int(b[at + 1]) << 8 : 0 }
    static func u64(_ b: [UInt8], _ at: Int) -> Int { at + 8 <= b.count ? (0..<7).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) } : 0 }

    static func nodes(_ b: [UInt8], _ page: Int) -> (branch: Bool, nodes: [Node]) {
        let base = page * pageSize
        guard base + pageSize <= b.count else { return (false, []) }
        let flags = u16(b, base + 10), lower = u16(b, base + 12)
        var out: [Node] = []
        for i in 0..<max(0, min(pageSize, lower) - 16) / 2 {
            let node = base + u16(b, base + 16 + 2 * i)
            guard node + 8 <= base + pageSize else { continue }
            let lo = u16(b, node), hi = u16(b, node + 2), nf = u16(b, node + 4), ksize = u16(b, node + 6)
            let data = node + 8 + ksize
            guard data <= base + pageSize else { continue }
            out.append(Node(key: Array(b[(node + 8)..<data]), child: lo | hi << 16 | nf << 32, flags: nf, data: data..<min(b.count, data + (lo | hi << 16))))
        }
        return (flags & 1 != 0, out)
    }

    static func mainRoot(_ b: [UInt8]) -> Int {
        func txnid(_ m: Int) -> Int { u64(b, m * pageSize + 16 + 24 + 96 + 8) }
        return u64(b, (txnid(1) > txnid(0) ? 1 : 0) * pageSize + 16 + 24 + 48 + 40)
    }

    /// The pages of the tree under `root`, level by level, each once.
    static func walk(_ b: [UInt8], _ root: Int) -> [(page: Int, branch: Bool)] {
        var out: [(Int, Bool)] = []
        var seen = Set<Int>()
        var level = [root]
        while !level.isEmpty {
            var next: [Int] = []
            for p in level where p >= 2 && (p + 1) * pageSize <= b.count && seen.insert(p).inserted {
                let (branch, ns) = nodes(b, p)
                out.append((p, branch))
                if branch { next += ns.map(\.child) }
            }
            level = next
        }
        return out
    }
}
