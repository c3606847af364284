// TEMPORARY experiments (removed before hand-off).
import CLMDB
import EventLog
import Foundation

enum Experiments {
    static func run(_ args: [String]) throws {
        let base = args.count > 3 ? args[3] : "/tmp"
        let n = args.count > 4 ? Int(args[4])! : 2000
        switch args[2] {
        case "shape":
            // raw LMDB with EventLog's write shape: 6 named DBs, 5-6 puts per commit.
            for _ in 0..<3 {
                let dir = makeDir(base, "exp-shape")
                var rng = SplitMix64(seed: 1)
                let events = (0..<n).map { Workload.event(seq: $0, rng: &rng) }
                var envp: OpaquePointer?
                mdb_env_create(&envp)
                let env = envp!
                mdb_env_set_maxdbs(env, 32)
                mdb_env_set_mapsize(env, 1 << 30)
                precondition(mdb_env_open(env, dir, 0, 0o644) == 0)
                var txn: OpaquePointer?
                var dbis = [MDB_dbi](repeating: 0, count: 6)
                mdb_txn_begin(env, nil, 0, &txn)
                for (i, name) in ["meta", "events", "streams", "stream-names", "stream-index", "ids"].enumerated() {
                    precondition(mdb_dbi_open(txn, name, UInt32(MDB_CREATE), &dbis[i]) == 0)
                }
                mdb_txn_commit(txn)
                var streams: [String: UInt32] = [:]
                let rec = [UInt8](repeating: 7, count: 480)
                func put(_ dbi: MDB_dbi, _ k: [UInt8], _ v: [UInt8], _ flags: Int32 = 0) {
                    k.withUnsafeBytes { kb in v.withUnsafeBytes { vb in
                        var kv = MDB_val(mv_size: kb.count, mv_data: UnsafeMutableRawPointer(mutating: kb.baseAddress))
                        var vv = MDB_val(mv_size: vb.count, mv_data: UnsafeMutableRawPointer(mutating: vb.baseAddress))
                        let rc = mdb_put(txn, dbi, &kv, &vv, UInt32(flags))
                        precondition(rc == 0, "\(rc)")
                    } }
                }
                func be<T: FixedWidthInteger>(_ x: T) -> [UInt8] { withUnsafeBytes(of: x.bigEndian) { Array($0) } }
                let t0 = nowNS()
                for (i, e) in events.enumerated() {
                    mdb_txn_begin(env, nil, 0, &txn)
                    let pos = UInt64(i + 1)
                    var sid = streams[e.stream]
                    if sid == nil {
                        sid = UInt32(streams.count + 1)
                        streams[e.stream] = sid
                        put(dbis[2], Array(e.stream.utf8), be(sid!), MDB_NOOVERWRITE)
                        put(dbis[3], be(sid!), Array(e.stream.utf8), MDB_APPEND)
                    }
                    put(dbis[1], be(pos), rec, MDB_APPEND)
                    put(dbis[4], be(sid!) + be(pos), be(pos), MDB_NOOVERWRITE)
                    put(dbis[5], e.id.withBytes { Array($0) }, be(pos), MDB_NOOVERWRITE)
                    put(dbis[0], Array("head".utf8), [UInt8](repeating: 1, count: 40))
                    precondition(mdb_txn_commit(txn) == 0)
                }
                let rate = Double(n) / seconds(since: t0)
                mdb_env_close(env)
                removeTree(dir)
                let d1 = makeDir(base, "exp-raw")
                let raw = rawLMDBOnePerCommit(dir: d1, payloads: events.map(\.payload))
                removeTree(d1)
                print("shape floor \(fmtRate(rate)); raw \(fmtRate(raw)); ratio \(rate / raw)")
            }
        case "shapebatch":
            // raw LMDB with EventLog's puts, batches of 1000; args[5] = DBs to skip (e.g. "i" to skip stream index)
            let skip = args.count > 5 ? args[5] : ""
            let dir = makeDir(base, "exp-shapebatch")
            var rng = SplitMix64(seed: 7)
            var envp: OpaquePointer?
            mdb_env_create(&envp)
            let env = envp!
            mdb_env_set_maxdbs(env, 32)
            mdb_env_set_mapsize(env, 8 << 30)
            precondition(mdb_env_open(env, dir, 0, 0o644) == 0)
            var txn: OpaquePointer?
            var dbis = [MDB_dbi](repeating: 0, count: 6)
            mdb_txn_begin(env, nil, 0, &txn)
            for (i, name) in ["meta", "events", "streams", "stream-names", "stream-index", "ids"].enumerated() {
                precondition(mdb_dbi_open(txn, name, UInt32(MDB_CREATE), &dbis[i]) == 0)
            }
            mdb_txn_commit(txn)
            var streams: [String: (UInt32, UInt64)] = [:]
            let rec = [UInt8](repeating: 7, count: 480)
            func put(_ dbi: MDB_dbi, _ k: [UInt8], _ v: [UInt8], _ flags: Int32 = 0) {
                k.withUnsafeBytes { kb in v.withUnsafeBytes { vb in
                    var kv = MDB_val(mv_size: kb.count, mv_data: UnsafeMutableRawPointer(mutating: kb.baseAddress))
                    var vv = MDB_val(mv_size: vb.count, mv_data: UnsafeMutableRawPointer(mutating: vb.baseAddress))
                    let rc = mdb_put(txn, dbi, &kv, &vv, UInt32(flags))
                    precondition(rc == 0, "\(rc)")
                } }
            }
            func be<T: FixedWidthInteger>(_ x: T) -> [UInt8] { withUnsafeBytes(of: x.bigEndian) { Array($0) } }
            var pos: UInt64 = 0
            var ns: UInt64 = 0
            let w0 = deviceWrittenBytes(base) ?? 0
            var seq = 0
            while seq < n {
                let batch = (0..<1000).map { i in Workload.event(seq: seq + i, rng: &rng) }
                seq += 1000
                let t0 = nowNS()
                mdb_txn_begin(env, nil, 0, &txn)
                for e in batch {
                    pos += 1
                    var st = streams[e.stream]
                    if st == nil {
                        st = (UInt32(streams.count + 1), 0)
                        if !skip.contains("s") {
                            put(dbis[2], Array(e.stream.utf8), be(st!.0), MDB_NOOVERWRITE)
                            put(dbis[3], be(st!.0), Array(e.stream.utf8), MDB_APPEND)
                        }
                    }
                    st!.1 += 1
                    streams[e.stream] = st
                    if !skip.contains("e") { put(dbis[1], be(pos), rec, MDB_APPEND) }
                    if !skip.contains("i") { put(dbis[4], be(st!.0) + be(st!.1), be(pos), MDB_NOOVERWRITE) }
                    if !skip.contains("d") { put(dbis[5], e.id.withBytes { Array($0) }, be(pos), MDB_NOOVERWRITE) }
                }
                put(dbis[0], Array("head".utf8), [UInt8](repeating: 1, count: 40))
                precondition(mdb_txn_commit(txn) == 0)
                ns += nowNS() - t0
            }
            let w = (deviceWrittenBytes(base) ?? 0) - w0
            var info = MDB_envinfo()
            mdb_env_info(env, &info)
            print("shapebatch skip=\(skip): \(fmtRate(Double(n) / (Double(ns) / 1e9))), \(w / Int64(n)) bytes/event, last pgno \(info.me_last_pgno)")
            mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
            for (i, name) in ["meta", "events", "streams", "stream-names", "stream-index", "ids"].enumerated() {
                var st = MDB_stat()
                mdb_stat(txn, dbis[i], &st)
                print("  \(name): depth \(st.ms_depth) branch \(st.ms_branch_pages) leaf \(st.ms_leaf_pages) overflow \(st.ms_overflow_pages) entries \(st.ms_entries)")
            }
            var st = MDB_stat()
            mdb_stat(txn, 0, &st)
            print("  free: depth \(st.ms_depth) branch \(st.ms_branch_pages) leaf \(st.ms_leaf_pages) overflow \(st.ms_overflow_pages) entries \(st.ms_entries)")
            mdb_txn_abort(txn)
            mdb_env_close(env)
            removeTree(dir)
        case "elbatch":
            let dir = base + "/exp-elbatch.ledger"
            removeTree(dir)
            let bench = Bench(config: Config())
            let (a, _) = try bench.batchedAppend(total: n, seed: 7, shortStreams: 0, ledger: dir, sqlite: nil)
            print("EventLog batched \(fmtRate(a!))")
            removeTree(dir)
            bench.cleanUp()
        case "build":
            let bench = Bench(config: Config())
            let (a, _) = try bench.batchedAppend(total: n, seed: 42, shortStreams: n / 1000, ledger: base, sqlite: nil)
            print("built \(fmtRate(a!))")
            bench.cleanUp()
        case "replay", "verify", "readstream":
            let log = try EventLog.open(at: base)
            for _ in 0..<(args.count > 5 ? Int(args[5])! : 3) {
                let t0 = nowNS()
                var c = 0
                if args[2] == "replay" {
                    var bytes = 0
                    try log.replay { e in c += 1; bytes &+= e.payload.count }
                    blackHole(bytes)
                } else if args[2] == "verify" {
                    let v = try log.verify()
                    precondition(v.isSound)
                    c = Int(v.events)
                } else {
                    let k = n / 1000
                    var rng = SplitMix64(seed: 5)
                    for _ in 0..<20000 {
                        c += try log.read(stream: Workload.shortStreamName(Int(rng.next() % UInt64(k)))).count
                    }
                    c /= 10
                }
                print("\(args[2]) \(fmtRate(Double(c) / seconds(since: t0)))")
            }
        case "group": try group(base)
        case "xproc": try crossProcess(base)
        case "raw":
            let d1 = makeDir(base, "exp-raw")
            var rng = SplitMix64(seed: 1)
            let events = (0..<n).map { Workload.event(seq: $0, rng: &rng) }
            print("raw \(fmtRate(rawLMDBOnePerCommit(dir: d1, payloads: events.map(\.payload))))")
            removeTree(d1)
        case "noop":
            let dir = base + "/exp-noop.ledger"
            removeTree(dir)
            let log = try EventLog.create(at: dir)
            let t0 = nowNS()
            for _ in 0..<n { _ = try log.transaction { _ in 0 } }
            print("empty transaction \(fmtRate(Double(n) / seconds(since: t0)))")
            removeTree(dir)
        case "one":
            let dir = base + "/exp-one.ledger"
            removeTree(dir)
            var rng = SplitMix64(seed: 1)
            let events = (0..<n).map { Workload.event(seq: $0, rng: &rng) }
            let log = try EventLog.create(at: dir)
            let t0 = nowNS()
            for e in events { try log.append([StreamAppend(stream: e.stream, events: [Workload.proposed(e)])]) }
            print("EventLog 1/commit \(fmtRate(Double(n) / seconds(since: t0)))")
            removeTree(dir)
        default: break
        }
    }
}

/// Write transactions committed in an environment so far (LMDB's last transaction id), read with raw LMDB.
func lastTxnID(_ dir: String) -> Int {
    var envp: OpaquePointer?
    mdb_env_create(&envp)
    let env = envp!
    defer { mdb_env_close(env) }
    mdb_env_set_maxdbs(env, 32)
    guard mdb_env_open(env, dir, UInt32(MDB_RDONLY | MDB_NOTLS), 0o644) == 0 else { return -1 }
    var info = MDB_envinfo()
    mdb_env_info(env, &info)
    return info.me_last_txnid
}
extension Experiments {
    static func group(_ base: String) throws {
        var config = Config()
        config.runs = 2
        let bench = Bench(config: config)
        try bench.groupCommit()
        bench.cleanUp()
    }
}
extension Experiments {
    /// Another process appends between two of ours: the writer's stream cache must notice.
    static func crossProcess(_ base: String) throws {
        let dir = base + "/exp-xproc.ledger"
        removeTree(dir)
        let log = try EventLog.create(at: dir)
        let p = Array("{\"a\":1}".utf8)
        try log.append(to: "s", expected: .noStream, [ProposedEvent(type: "T", actor: "a", payload: p)])
        try log.append(to: "s", expected: .exact(1), [ProposedEvent(type: "T", actor: "a", payload: p)])
        try log.append(to: "new-here", [ProposedEvent(type: "T", actor: "a", payload: p)])
        let probe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/eventlog-probe"
        for (stream, n) in [("s", "2"), ("other", "3")] {
            let proc = Process()
            proc.executableURL = URL(fileURLWithPath: probe)
            proc.arguments = ["append", dir, stream, n]
            try proc.run()
            proc.waitUntilExit()
            precondition(proc.terminationStatus == 0, "probe failed")
        }
        // Ours: the stream moved to version 4 in the other process; a stale cache would say 2.
        do {
            try log.append(to: "s", expected: .exact(2), [ProposedEvent(type: "T", actor: "a", payload: p)])
            fatalError("stale stream version accepted")
        } catch EventLogError.wrongExpectedVersion(_, _, let actual) {
            precondition(actual == 4, "actual \(String(describing: actual))")
        }
        let r = try log.append(to: "s", expected: .exact(4), [ProposedEvent(type: "T", actor: "a", payload: p)])
        precondition(r.events[0].version == 5)
        // A new stream made here must not reuse the other process's stream id.
        try log.append(to: "mine", [ProposedEvent(type: "T", actor: "a", payload: p)])
        let v = try log.verify()
        precondition(v.isSound, "\(v)")
        let id = UUID()
        let e = ProposedEvent(id: id, type: "T", actor: "a", payload: p)
        try log.append(to: "idem", [e])
        let again = try log.append(to: "idem", [e])
        precondition(again.wasDuplicate)
        // An id below the greatest stored id that is new must still be appended (it is looked up, not skipped).
        let low = UUID(uuid: (0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 1))
        let r2 = try log.append(to: "idem", [ProposedEvent(id: low, type: "T", actor: "a", payload: p)])
        precondition(!r2.wasDuplicate)
        let r3 = try log.append(to: "idem", [ProposedEvent(id: low, type: "T", actor: "a", payload: p)])
        precondition(r3.wasDuplicate)
        let v2 = try log.verify()
        precondition(v2.isSound)
        print("cross-process and idempotency checks passed; head \(try log.head().position), streams \(try log.stats().streams)")
        removeTree(dir)
    }
}
