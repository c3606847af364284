// The measurements. Each returns figures; `Report` turns them into the table.
import AlignmentDomain
import EventLog
import EventLogLMDB
import Foundation
import SplitMix

#if canImport(Glibc)
import Glibc
#endif

struct Config {
    var runs = 5
    var quick = false
    var baseDir = NSTemporaryDirectory()
    var reportPath: String?
    var only: Set<String> = []  // empty: everything

    // Sizes (full mode; `--quick` shrinks them).
    var onePerCommitEvents = 2_000
    var groupThreads = 16
    var groupEventsPerThread = 500
    var batchSize = 1_000
    var batchedEvents = 200_000
    var ledgerEvents = 1_000_000
    var smallLedgerEvents = 100_000
    var readSamples = 20_000

    mutating func applyQuick() {
        quick = true
        runs = min(runs, 3)
        onePerCommitEvents = 1_000
        groupEventsPerThread = 250
        batchedEvents = 100_000
        ledgerEvents = 200_000
        smallLedgerEvents = 20_000
        readSamples = 5_000
    }

    func wants(_ section: String) -> Bool { only.isEmpty || only.contains(section) }
}

/// Per-run figures of one measurement.
struct Series {
    var values: [Double] = []
    var median: Double { values.isEmpty ? .nan : SeriesMath.median(values) }
    mutating func add(_ v: Double) { values.append(v) }
    var runsText: String { values.map { fmtRate($0) }.joined(separator: ", ") }
}

enum SeriesMath { static func median(_ xs: [Double]) -> Double { align_bench.median(xs) } }

final class Results {
    var fsync = Series(), rawLMDB = Series(), onePerCommit = Series(), sqliteOnePerCommit = Series()
    var group = Series(), groupKiBPerCommit = Series(), rawGroup = Series()
    var batched = Series(), sqliteBatched = Series()
    var batchedKiB = Series(), sqliteBatchedKiB = Series(), batchedCPU = Series(), sqliteBatchedCPU = Series()
    var groupEventsPerCommit = Series()
    /// CPU per event in the group-commit run: the whole process, and the appending threads alone (µs).
    var groupCPU = Series(), groupCallerCPU = Series()
    var buildRate: Double?, sqliteBuildRate: Double?
    var replay = Series(), replayRaw = Series(), sqliteScan = Series()
    var verify = Series()
    var readMedian = Series(), readP99 = Series(), tailReadMedian = Series(), tailReadP99 = Series(), sqliteReadMedian = Series(), sqliteReadP99 = Series()
    /// (label, events, child's VmHWM KiB, peak anonymous KiB, anonymous KiB after open, file-backed KiB at the end, seconds)
    var memory: [(label: String, events: Int, hwm: Int, anonPeak: Int, anonBase: Int, rssFile: Int, seconds: Double)] = []
    var ledgerBytes: Int64?, sqliteBytes: Int64?
}

/// A sum added to from several threads.
final class Total: @unchecked Sendable {
    private let lock = NSLock()
    private var sum = 0.0
    func add(_ x: Double) { lock.lock(); sum += x; lock.unlock() }
    var value: Double { lock.lock(); defer { lock.unlock() }; return sum }
}

/// Thrown-away state shared with worker threads.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?
    func set(_ e: Error) { lock.lock(); if first == nil { first = e }; lock.unlock() }
    var error: Error? { lock.lock(); defer { lock.unlock() }; return first }
}

struct Bench {
    let config: Config
    let work: String
    let r = Results()

    init(config: Config) {
        self.config = config
        var template = Array((config.baseDir.hasSuffix("/") ? config.baseDir : config.baseDir + "/") .utf8CString.dropLast())
        template += Array("align-bench.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { p -> String? in
            guard mkdtemp(p.baseAddress!) != nil else { return nil }
            return String(cString: p.baseAddress!)
        }
        guard let dir = made else { fatalError("cannot create a temporary directory under \(config.baseDir)") }
        work = dir
    }

    // MARK: 1. One event per durable commit

    func onePerCommit() throws {
        let n = config.onePerCommitEvents
        var rng = SplitMix64(seed: 1)
        let events = (0..<n).map { Workload.event(seq: $0, rng: &rng) }
        let appends = events.map { [StreamAppend(stream: $0.stream, events: [Workload.proposed($0)])] }
        let payloads = events.map(\.payload)
        note("1 event per durable commit: \(n) events per run, \(config.runs) runs (fdatasync, raw LMDB, EventLog, SQLite interleaved)")
        for run in 1...config.runs {
            let d0 = makeDir(work, "fsync")
            r.fsync.add(fdatasyncFloor(dir: d0, n: n))
            removeTree(d0)

            let d1 = makeDir(work, "raw-lmdb")
            r.rawLMDB.add(rawLMDBOnePerCommit(dir: d1, payloads: payloads))
            removeTree(d1)

            let d2 = work + "/one-per-commit.ledger"
            removeTree(d2)
            try scoped {
                let log = try EventLog.create(at: d2)
                _ = try log.head()
                let t0 = nowNS()
                for a in appends { try log.append(a) }
                r.onePerCommit.add(Double(n) / seconds(since: t0))
                let v = try log.verify()
                precondition(v.isSound && v.events == UInt64(n), "verify after one-per-commit: \(v)")
            }
            removeTree(d2)

            let d3 = makeDir(work, "sqlite-one")
            do {
                let peer = SQLitePeer(path: d3 + "/events.sqlite")
                let groups = events.map { [(stream: $0.stream, events: [$0])] }
                let t0 = nowNS()
                for g in groups { peer.append(g) }
                r.sqliteOnePerCommit.add(Double(n) / seconds(since: t0))
            }
            removeTree(d3)
            note("  run \(run): fdatasync \(fmtRate(r.fsync.values.last!)), raw LMDB \(fmtRate(r.rawLMDB.values.last!)), EventLog \(fmtRate(r.onePerCommit.values.last!)), SQLite \(fmtRate(r.sqliteOnePerCommit.values.last!))")
        }
    }

    // MARK: 2. Group commit

    func groupCommit() throws {
        let threads = config.groupThreads, per = config.groupEventsPerThread
        note("group commit: \(threads) threads x \(per) appends of one event, \(config.runs) runs")
        for run in 1...config.runs {
            var groupWritten: Int64?
            let dir = work + "/group.ledger"
            removeTree(dir)
            try scoped {
                let log = try EventLog.create(at: dir)
                // Streams and payloads are made up front; each event's id (UUIDv7) is made when its request is
                // sent, as an application would, so ids arrive at the log in time order.
                var work: [[(stream: String, type: String, actor: String, payload: [UInt8])]] = []
                for t in 0..<threads {
                    var rng = SplitMix64(seed: UInt64(100 + t))
                    work.append((0..<per).map { i in
                        let e = Workload.event(seq: t * per + i, rng: &rng)
                        return (e.stream, e.type, e.actor, e.payload)
                    })
                }
                let start = DispatchSemaphore(value: 0)
                let done = DispatchGroup()
                let errors = ErrorBox()
                let callerCPU = Total()
                for t in 0..<threads {
                    let mine = work[t]
                    done.enter()
                    let th = Thread {
                        Thread.current.name = "appender"
                        start.wait()
                        let c0 = threadCPUSeconds()
                        for e in mine {
                            let event = ProposedEvent(id: UUID.v7(), type: e.type, actor: e.actor, payload: e.payload)
                            do { try log.append([StreamAppend(stream: e.stream, events: [event])]) } catch { errors.set(error); break }
                        }
                        callerCPU.add(threadCPUSeconds() - c0)
                        done.leave()
                    }
                    th.start()
                }
                usleep(20_000)
                let w0 = deviceWrittenBytes(dir)
                let t0 = nowNS(), p0 = processCPUSeconds()
                for _ in 0..<threads { start.signal() }
                done.wait()
                let rate = Double(threads * per) / seconds(since: t0)
                let cpu = processCPUSeconds() - p0
                r.groupCPU.add(cpu / Double(threads * per) * 1e6)
                r.groupCallerCPU.add(callerCPU.value / Double(threads * per) * 1e6)
                groupWritten = deviceWrittenBytes(dir).flatMap { a in w0.map { a - $0 } }
                if let e = errors.error { throw e }
                r.group.add(rate)
                let v = try log.verify()
                precondition(v.isSound && v.events == UInt64(threads * per), "verify after group commit: \(v)")
            }
            usleep(50_000)
            let commits = lastTxnID(dir)
            if commits > 0 { r.groupEventsPerCommit.add(Double(threads * per) / Double(commits)) }
            if commits > 0, let b = groupWritten { r.groupKiBPerCommit.add(Double(b) / 1024 / Double(commits)) }
            // The same number of events through raw LMDB, `threads` puts per commit: what the disk allows a group
            // commit of that size, whatever the software above LMDB does.
            let rawDir = makeDir(work, "raw-group")
            var prng = SplitMix64(seed: 5)
            let payloads = (0..<(threads * per)).map { Workload.event(seq: $0, rng: &prng).payload }
            r.rawGroup.add(rawLMDBOnePerCommit(dir: rawDir, payloads: payloads, perCommit: threads))
            removeTree(rawDir)
            removeTree(dir)
            note("  run \(run): \(fmtRate(r.group.values.last!)), \(commits) transactions, \(String(format: "%.1f", Double(threads * per) / Double(commits))) events and \(String(format: "%.1f", r.groupKiBPerCommit.values.last ?? 0)) KiB written per commit, CPU per event \(String(format: "%.1f", r.groupCPU.values.last ?? 0)) µs (appending threads \(String(format: "%.1f", r.groupCallerCPU.values.last ?? 0)) µs); raw LMDB \(threads) puts per commit \(fmtRate(r.rawGroup.values.last!))")
        }
    }

    // MARK: 3. Batched appends

    /// What one batched-append pass measured.
    struct BatchFigures {
        var rate: Double
        /// Bytes the work directory's block device took per event (the whole machine's writes, so run it quietly).
        var kibPerEvent: Double?
        /// CPU (user + system, all threads) spent inside the append calls, per event.
        var cpuMicrosPerEvent: Double
    }

    enum Target { case eventLog(String), sqlite(String) }

    /// Appends `total` events in batches of `batchSize` to EventLog or SQLite. Only the append calls are timed; the
    /// batches are generated outside them, identically for both.
    func batchedAppend(total: Int, seed: UInt64, shortStreams: Int, into target: Target) throws -> BatchFigures {
        var log: EventLog?, peer: SQLitePeer?
        switch target {
        case .eventLog(let path): log = try EventLog.create(at: path)
        case .sqlite(let path): peer = SQLitePeer(path: path)
        }
        var rng = SplitMix64(seed: seed)
        var ns: UInt64 = 0, cpu = 0.0
        var seq = 0
        let w0 = deviceWrittenBytes(work)
        while seq < total {
            let n = min(config.batchSize, total - seq)
            let batch = (0..<n).map { i in Workload.event(seq: seq + i, rng: &rng, shortStreams: shortStreams) }
            seq += n
            let groups = Workload.group(batch)
            if let log {
                let appends = Workload.streamAppends(groups)
                let t0 = nowNS(), c0 = processCPUSeconds()
                try log.append(appends)
                ns += nowNS() - t0
                cpu += processCPUSeconds() - c0
            } else if let peer {
                let t0 = nowNS(), c0 = processCPUSeconds()
                peer.append(groups)
                ns += nowNS() - t0
                cpu += processCPUSeconds() - c0
            }
        }
        let written = deviceWrittenBytes(work).flatMap { a in w0.map { a - $0 } }
        if let log {
            let v = try log.verify()
            precondition(v.isSound && v.events == UInt64(total), "verify after batched appends: \(v)")
        }
        let f = BatchFigures(rate: Double(total) / (Double(ns) / 1e9), kibPerEvent: written.map { Double($0) / 1024 / Double(total) },
                             cpuMicrosPerEvent: cpu / Double(total) * 1e6)
        note(String(format: "    %@: %@, %@ written to the device per event, %.1f µs CPU per event in the append calls",
                    log != nil ? "EventLog" : "SQLite", fmtRate(f.rate), f.kibPerEvent.map { String(format: "%.1f KiB", $0) } ?? "?", f.cpuMicrosPerEvent))
        return f
    }

    func batched() throws {
        note("batched append: \(config.batchedEvents) events in appends of \(config.batchSize), \(config.runs) runs (EventLog, SQLite)")
        for run in 1...config.runs {
            let dir = work + "/batched.ledger"
            let sq = makeDir(work, "sqlite-batched")
            removeTree(dir)
            // Separate passes so the two do not share the page cache's attention within a run.
            let a = try scoped { try batchedAppend(total: config.batchedEvents, seed: 7, shortStreams: 0, into: .eventLog(dir)) }
            removeTree(dir)
            let b = try batchedAppend(total: config.batchedEvents, seed: 7, shortStreams: 0, into: .sqlite(sq + "/events.sqlite"))
            removeTree(sq)
            r.batched.add(a.rate)
            r.sqliteBatched.add(b.rate)
            if let k = a.kibPerEvent { r.batchedKiB.add(k) }
            if let k = b.kibPerEvent { r.sqliteBatchedKiB.add(k) }
            r.batchedCPU.add(a.cpuMicrosPerEvent)
            r.sqliteBatchedCPU.add(b.cpuMicrosPerEvent)
            note("  run \(run): EventLog \(fmtRate(a.rate)), SQLite \(fmtRate(b.rate))")
        }
    }

    // MARK: 4. The big ledger: replay, verify, read

    var ledgerPath: String { work + "/big.ledger" }
    var smallLedgerPath: String { work + "/small.ledger" }
    var sqlitePath: String { work + "/big-sqlite/events.sqlite" }
    var shortStreams: Int { max(1, config.ledgerEvents / 1_000) }

    func buildLedgers() throws {
        note("building the \(fmtCount(config.ledgerEvents))-event ledger and SQLite table (batches of \(config.batchSize); every 100th event goes to one of \(shortStreams) ten-event streams)")
        let a = try scoped { try batchedAppend(total: config.ledgerEvents, seed: 42, shortStreams: shortStreams, into: .eventLog(ledgerPath)) }
        r.buildRate = a.rate
        _ = makeDir(work, "big-sqlite")
        let b = try batchedAppend(total: config.ledgerEvents, seed: 42, shortStreams: shortStreams, into: .sqlite(sqlitePath))
        r.sqliteBuildRate = b.rate
        r.ledgerBytes = directorySize(ledgerPath)
        r.sqliteBytes = fileSize(sqlitePath) + fileSize(sqlitePath + "-wal")
        note("  EventLog \(fmtRate(a.rate)), SQLite \(fmtRate(b.rate)); ledger \(r.ledgerBytes! >> 20) MiB, SQLite \(r.sqliteBytes! >> 20) MiB")
        if config.wants("memory") {
            note("building the \(fmtCount(config.smallLedgerEvents))-event ledger for the memory comparison")
            _ = try scoped {
                try batchedAppend(total: config.smallLedgerEvents, seed: 43, shortStreams: 0, into: .eventLog(smallLedgerPath))
            }
        }
        // Let the big ledger's writer thread go and its environment close before the readers open it.
        usleep(50_000)
    }

    func replayAndVerify() throws {
        let total = config.ledgerEvents
        let log = try EventLog.open(at: ledgerPath)
        let peer = SQLitePeer(path: sqlitePath, create: false)
        note("replay / scan / verify of \(fmtCount(total)) events, \(config.runs) runs")
        for run in 1...config.runs {
            var n = 0, bytes = 0, x: UInt64 = 0
            var t0 = nowNS()
            try log.replay { e in
                n += 1
                bytes &+= e.payload.count
                x ^= e.version &+ UInt64(e.stream.utf8.count)
            }
            r.replay.add(Double(n) / seconds(since: t0))
            precondition(n == total && bytes == total * Workload.payloadSize, "replay saw \(n) events")
            blackHole(x)

            n = 0; bytes = 0
            t0 = nowNS()
            try log.replayRaw { pos, raw in
                n += 1
                bytes &+= raw.count
                x ^= pos
            }
            r.replayRaw.add(Double(n) / seconds(since: t0))
            precondition(n == total)

            n = 0; bytes = 0
            t0 = nowNS()
            n = peer.scan { e in
                bytes &+= e.payload.count
                x ^= e.version &+ UInt64(e.stream.utf8.count)
            }
            r.sqliteScan.add(Double(n) / seconds(since: t0))
            precondition(n == total && bytes == total * Workload.payloadSize)

            t0 = nowNS()
            let v = try log.verify()
            r.verify.add(Double(total) / seconds(since: t0))
            precondition(v.isSound && v.events == UInt64(total), "verify: \(v)")
            blackHole(x)
            note("  run \(run): replay \(fmtRate(r.replay.values.last!)), replayRaw \(fmtRate(r.replayRaw.values.last!)), SQLite scan \(fmtRate(r.sqliteScan.values.last!)), verify \(fmtRate(r.verify.values.last!))")
        }
    }

    func readStreams() throws {
        try measureReads(into: &r.readMedian, p99: &r.readP99, peer: true)
    }

    /// The same reads after appending `tailLimit - 1` events in one commit (to other streams): every read then scans
    /// the longest unindexed tail there can be beside the index. The worst case, not the usual one.
    func readStreamsWithFullTail() throws {
        try scoped {
            let log = try EventLog.open(at: ledgerPath)
            try log.indexTail()
            var rng = SplitMix64(seed: 99)
            let filler = (0..<(EventLog.tailLimit - 1)).map { Workload.event(seq: config.ledgerEvents + $0, rng: &rng) }
            try log.append(Workload.streamAppends(Workload.group(filler)))
            let unindexed = try log.stats().events - log.indexedPosition()
            precondition(unindexed == UInt64(EventLog.tailLimit - 1), "tail of \(unindexed) events")
        }
        note("read(stream:) again, with \(EventLog.tailLimit - 1) unindexed events in the tail")
        try measureReads(into: &r.tailReadMedian, p99: &r.tailReadP99, peer: false)
    }

    func measureReads(into med: inout Series, p99: inout Series, peer withPeer: Bool) throws {
        let log = try EventLog.open(at: ledgerPath)
        let peer = withPeer ? SQLitePeer(path: sqlitePath, create: false) : nil
        let k = shortStreams
        let samples = config.readSamples
        note("read(stream:) of ten-event streams among \(fmtCount(config.ledgerEvents)): \(samples) random streams per run, \(config.runs) runs")
        // Warm-up: touch every short stream once (the benchmark measures a warm page cache, as after the build).
        for i in 0..<k {
            let c = try log.read(stream: Workload.shortStreamName(i)).count
            precondition(c == 10, "short stream \(i) has \(c) events")
        }
        for run in 1...config.runs {
            var rng = SplitMix64(seed: UInt64(1000 + run))
            let names = (0..<samples).map { _ in Workload.shortStreamName(Int(rng.next() % UInt64(k))) }
            var t = [Double](), ts = [Double]()
            t.reserveCapacity(samples)
            ts.reserveCapacity(samples)
            for name in names {
                let t0 = nowNS()
                let evs = try log.read(stream: name)
                let t1 = nowNS()
                precondition(evs.count == 10 && evs[9].version == 10, "stream \(name) has \(evs.count) events")
                t.append(Double(t1 - t0) / 1e9)
            }
            med.add(median(t)); p99.add(percentile(t, 0.99))
            guard let peer else {
                note("  run \(run): EventLog median \(fmtMicros(median(t))), p99 \(fmtMicros(percentile(t, 0.99)))")
                continue
            }
            for name in names {
                let t0 = nowNS()
                let evs = peer.read(stream: name)
                let t1 = nowNS()
                precondition(evs.count == 10)
                ts.append(Double(t1 - t0) / 1e9)
            }
            r.sqliteReadMedian.add(median(ts)); r.sqliteReadP99.add(percentile(ts, 0.99))
            note("  run \(run): EventLog median \(fmtMicros(median(t))), p99 \(fmtMicros(percentile(t, 0.99))); SQLite median \(fmtMicros(median(ts))), p99 \(fmtMicros(percentile(ts, 0.99)))")
        }
    }

    // MARK: 5. Peak memory in a child process

    func memory() throws {
        note("peak memory of replay and verify in child processes")
        for (label, path, events) in [("replay", smallLedgerPath, config.smallLedgerEvents), ("replay", ledgerPath, config.ledgerEvents),
                                      ("verify", smallLedgerPath, config.smallLedgerEvents), ("verify", ledgerPath, config.ledgerEvents)] {
            let out = work + "/mem-\(label)-\(events).txt"
            let status = spawnSelf(["__mem", label, path, out])
            guard status == 0, let text = try? String(contentsOfFile: out, encoding: .utf8) else {
                throw EventLogError.storage("memory child for \(label) of \(events) events failed (status \(status))")
            }
            var f: [String: Double] = [:]
            for part in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                let kv = part.split(separator: "=")
                if kv.count == 2 { f[String(kv[0])] = Double(kv[1]) }
            }
            precondition(Int(f["events"] ?? 0) == events, "memory child saw \(f["events"] ?? 0) events")
            let m = (label: label, events: events, hwm: Int(f["hwm_kib"] ?? 0), anonPeak: Int(f["anon_peak_kib"] ?? 0),
                     anonBase: Int(f["anon_base_kib"] ?? 0), rssFile: Int(f["rss_file_kib"] ?? 0), seconds: f["seconds"] ?? 0)
            r.memory.append(m)
            note("  \(label) \(fmtCount(events)): VmHWM \(fmtMiB(m.hwm)), anonymous peak \(fmtMiB(m.anonPeak)) (after open \(fmtMiB(m.anonBase))), file-backed at the end \(fmtMiB(m.rssFile))")
            try? FileManager.default.removeItem(atPath: out)
        }
    }

    func cleanUp() { removeTree(work) }
}

/// The hidden `__mem replay|verify PATH OUT` subcommand: runs one pass in a fresh process, sampling its anonymous
/// (non-file-backed) resident memory, and writes the figures to OUT. The parent reads the peak RSS from `wait4`.
enum MemoryChild {
    final class Sampler: @unchecked Sendable {
        let lock = NSLock()
        var stop = false
        var anonPeak = 0
        func sample() {
            let (res, shared) = statm()
            lock.lock(); anonPeak = max(anonPeak, res - shared); lock.unlock()
        }
    }

    static func run(_ args: [String]) -> Int32 {
        guard args.count == 5 else { return 2 }
        let kind = args[2], path = args[3], out = args[4]
        do {
            let log = try EventLog.open(at: path)
            _ = try log.head()
            let base = statm()
            let sampler = Sampler()
            let done = DispatchSemaphore(value: 0)
            let th = Thread {
                while true {
                    sampler.sample()
                    sampler.lock.lock(); let s = sampler.stop; sampler.lock.unlock()
                    if s { break }
                    usleep(2_000)
                }
                done.signal()
            }
            th.start()
            let t0 = nowNS()
            var events = 0
            if kind == "replay" {
                var bytes = 0
                try log.replay { e in events += 1; bytes &+= e.payload.count }
                blackHole(bytes)
            } else {
                let v = try log.verify()
                guard v.isSound else { return 3 }
                events = Int(v.events)
            }
            let secs = seconds(since: t0)
            sampler.sample()
            sampler.lock.lock(); sampler.stop = true; sampler.lock.unlock()
            done.wait()
            let text = "events=\(events) anon_peak_kib=\(sampler.anonPeak) anon_base_kib=\(base.resident - base.shared) hwm_kib=\(procStatus("VmHWM")) rss_file_kib=\(procStatus("RssFile")) seconds=\(secs)\n"
            try text.write(toFile: out, atomically: false, encoding: .utf8)
            return 0
        } catch {
            note("memory child: \(error)")
            return 1
        }
    }
}

/// Scopes the objects made in `body` so that a log is released (and its writer stopped) when it returns.
@inline(__always) func scoped<T>(_ body: () throws -> T) rethrows -> T { try body() }
