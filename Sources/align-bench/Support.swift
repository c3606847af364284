// Timing, statistics, the workload (payloads, streams, ids) and small process helpers for align-bench.
import AlignmentDomain
import EventLog
import Foundation
import SplitMix

#if canImport(Glibc)
import Glibc
#endif

// MARK: Timing and statistics

/// Monotonic nanoseconds.
@inline(__always) func nowNS() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Seconds elapsed since `start` (from `nowNS`).
@inline(__always) func seconds(since start: UInt64) -> Double { Double(nowNS() - start) / 1e9 }

func median(_ xs: [Double]) -> Double {
    precondition(!xs.isEmpty)
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Nearest-rank percentile (q in 0...1).
func percentile(_ xs: [Double], _ q: Double) -> Double {
    precondition(!xs.isEmpty)
    let s = xs.sorted()
    let rank = max(1, Int((q * Double(s.count)).rounded(.up)))
    return s[min(rank, s.count) - 1]
}

/// Keeps a value alive so the optimiser cannot drop the work that made it.
@inline(never) func blackHole<T>(_ x: T) { withExtendedLifetime(x) {} }

// MARK: Formatting

func fmtRate(_ r: Double) -> String {
    if r >= 1_000_000 { return String(format: "%.2fM ev/s", r / 1_000_000) }
    if r >= 10_000 { return String(format: "%.0fk ev/s", r / 1_000) }
    if r >= 1_000 { return String(format: "%.2fk ev/s", r / 1_000) }
    return String(format: "%.0f ev/s", r)
}

func fmtMicros(_ s: Double) -> String { String(format: "%.1f µs", s * 1e6) }
func fmtRatio(_ r: Double) -> String { String(format: "%.2fx", r) }
func fmtMiB(_ kib: Int) -> String { String(format: "%.1f MiB", Double(kib) / 1024) }
func fmtCount(_ n: Int) -> String {
    if n >= 1_000_000, n % 1_000_000 == 0 { return "\(n / 1_000_000)M" }
    if n >= 1_000, n % 1_000 == 0 { return "\(n / 1_000)k" }
    return "\(n)"
}

/// Progress and per-run figures go to standard error so that standard output holds the report.
func note(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

// MARK: Workload

/// One event of the workload, identical for every system under test.
struct BenchEvent: Sendable {
    var stream: String
    var id: UUID
    var type: String
    var actor: String
    var payload: [UInt8]
    /// A record's signature field as the ledger writes it (74 bytes: scheme, flags, key id, Ed25519 signature). The
    /// application signs; the log only stores, so stand-in bytes cost what real ones do here (`align-bench ed25519`
    /// measures the signing itself).
    var signature: [UInt8]
}

enum Workload {
    /// Streams the events are spread over (uniformly at random).
    static let streamCount = 10_000
    static let payloadSize = 300
    static let types = ["LeadCreated", "LeadQualified", "LeadHandedOff", "DealWon"]

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    static func streamName(_ i: Int) -> String { "stream-" + pad(i, 5) }
    /// Streams of exactly ten events, interleaved through the big ledger for the `read(stream:)` measurement.
    static func shortStreamName(_ i: Int) -> String { "short-" + pad(i, 5) }

    static let filler: [UInt8] = Array("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse.".utf8)

    /// A canonical JSON object of exactly `payloadSize` bytes (sorted keys, no whitespace); unique per `seq`.
    static func payload(seq: Int, stream: Int) -> [UInt8] {
        let head = "{\"amount\":" + String(100_000 + (seq &* 7919) % 900_000) + ",\"lead\":\"L-" + pad(stream, 6) + "\",\"note\":\""
        let tail = "\",\"owner\":\"user-" + pad(seq % 97, 2) + "\",\"seq\":" + String(100_000_000 + seq % 900_000_000) + ",\"stage\":\"qualified\"}"
        var out = Array(head.utf8)
        let fill = payloadSize - out.count - tail.utf8.count
        precondition(fill > 0 && fill <= filler.count)
        out.append(contentsOf: filler[0..<fill])
        out.append(contentsOf: tail.utf8)
        precondition(out.count == payloadSize)
        return out
    }

    /// Event number `seq` (0-based) of a workload: a uniformly random stream among `streamCount`, except that when
    /// `shortStreams > 0` every 100th event goes to one of `shortStreams` short streams in turn.
    static func event(seq: Int, rng: inout SplitMix64, shortStreams: Int = 0) -> BenchEvent {
        let s = Int(rng.next() % UInt64(streamCount))
        let name: String
        if shortStreams > 0, seq % 100 == 99 {
            name = shortStreamName((seq / 100) % shortStreams)
        } else {
            name = streamName(s)
        }
        return BenchEvent(stream: name, id: UUID.v7(), type: types[seq & 3], actor: "user-" + pad(seq % 97, 2),
                          payload: payload(seq: seq, stream: s), signature: signature(&rng))
    }

    /// Groups a batch by stream, keeping the order in which streams first appear (the order positions follow).
    static func group(_ batch: [BenchEvent]) -> [(stream: String, events: [BenchEvent])] {
        var index: [String: Int] = [:]
        var out: [(stream: String, events: [BenchEvent])] = []
        for e in batch {
            if let i = index[e.stream] { out[i].events.append(e) } else {
                index[e.stream] = out.count
                out.append((e.stream, [e]))
            }
        }
        return out
    }

    static func streamAppends(_ groups: [(stream: String, events: [BenchEvent])]) -> [StreamAppend] {
        groups.map { g in
            StreamAppend(stream: g.stream, expected: .any, events: g.events.map(proposed))
        }
    }

    static func proposed(_ e: BenchEvent) -> ProposedEvent {
        ProposedEvent(id: e.id, type: e.type, actor: e.actor, payload: e.payload, signature: e.signature)
    }

    /// 74 bytes shaped like a signature field: scheme 1, no flags, a key id and 64 signature bytes.
    static func signature(_ rng: inout SplitMix64) -> [UInt8] {
        var out: [UInt8] = [1, 0]
        out.reserveCapacity(74)
        while out.count < 74 { withUnsafeBytes(of: rng.next()) { out += $0.prefix(74 - out.count) } }
        return out
    }
}

// MARK: Files and processes

/// A fresh directory under `base`; removed by `removeTree`.
func makeDir(_ base: String, _ name: String) -> String {
    let path = base + "/" + name
    try? FileManager.default.removeItem(atPath: path)
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeTree(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

func directorySize(_ path: String) -> Int64 {
    var total: Int64 = 0
    for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
        var st = stat()
        if stat(path + "/" + name, &st) == 0 { total += Int64(st.st_size) }
    }
    return total
}

func fileSize(_ path: String) -> Int64 {
    var st = stat()
    return stat(path, &st) == 0 ? Int64(st.st_size) : 0
}

/// Runs this executable again with `args` and waits for it; returns its exit status.
/// (Its `ru_maxrss` is not used: after `posix_spawn`, Linux folds the parent's peak into the child's at exec.)
func spawnSelf(_ args: [String]) -> Int32 {
    let exe = "/proc/self/exe"
    let argv = ([CommandLine.arguments[0]] + args).map { strdup($0) }
    defer { for p in argv { free(p) } }
    var cargv: [UnsafeMutablePointer<CChar>?] = argv + [nil]
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, exe, nil, nil, &cargv, environ)
    precondition(rc == 0, "posix_spawn failed: \(rc)")
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return status
}

/// Reads /proc/self/statm: (resident, file-backed or shared resident) in KiB.
func statm() -> (resident: Int, shared: Int) {
    guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return (0, 0) }
    let f = s.split(separator: " ")
    let page = Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    return ((Int(f[1]) ?? 0) * page, (Int(f[2]) ?? 0) * page)
}

/// A field of /proc/self/status in KiB (e.g. "VmHWM").
func procStatus(_ field: String) -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in s.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(String(line.dropFirst(field.count + 1).filter(\.isNumber))) ?? 0
    }
    return 0
}

/// Bytes written to the block device holding `path` so far (all processes: /sys/dev/block/MAJ:MIN/stat).
func deviceWrittenBytes(_ path: String) -> Int64? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    let major = (st.st_dev >> 8) & 0xFFF, minor = (st.st_dev & 0xFF) | ((st.st_dev >> 12) & 0xFFF00)
    guard let s = try? String(contentsOfFile: "/sys/dev/block/\(major):\(minor)/stat", encoding: .utf8) else { return nil }
    let f = s.split(separator: " ")
    guard f.count > 6, let sectors = Int64(f[6]) else { return nil }
    return sectors * 512
}

/// The 1-minute load average.
func loadAverage() -> Double {
    var l = [Double](repeating: 0, count: 3)
    return getloadavg(&l, 3) > 0 ? l[0] : .nan
}

/// User + system CPU seconds of this process so far.
func processCPUSeconds() -> Double {
    var ru = rusage()
    getrusage(RUSAGE_SELF.rawValue, &ru)
    return Double(ru.ru_utime.tv_sec) + Double(ru.ru_utime.tv_usec) / 1e6 + Double(ru.ru_stime.tv_sec) + Double(ru.ru_stime.tv_usec) / 1e6
}

/// CPU time (user + system) of the calling thread.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
