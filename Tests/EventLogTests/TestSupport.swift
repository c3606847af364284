// Shared helpers for the EventLog tests: temporary ledger directories, event builders, and a small
// child-process runner for `eventlog-probe` (crash, concurrency and tamper tests run LMDB in children so a
// kill, a crash or a damaged page cannot take the test runner down).
import Foundation
import Testing
@testable import EventLog
@testable import EventLogLMDB
import EventLogMemory
import SplitMix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: Temporary directories

/// A unique directory path under the system temporary directory (not created), removed by `remove()`.
struct TempDir: Sendable {
    let url: URL
    var path: String { url.path }

    init(_ label: String = "ledger") {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("eventlog-tests-\(label)-\(UUID().uuidString)", isDirectory: true)
    }

    /// A sibling-free sub path inside this directory.
    func sub(_ name: String) -> String { url.appendingPathComponent(name).path }

    func create() throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Runs `body` with a fresh temporary directory path that does not exist yet, removing it afterwards.
func withTempDir<T>(_ label: String = "ledger", _ body: (TempDir) throws -> T) rethrows -> T {
    let dir = TempDir(label)
    defer { dir.remove() }
    return try body(dir)
}

func withTempDirAsync<T>(_ label: String = "ledger", _ body: (TempDir) async throws -> T) async rethrows -> T {
    let dir = TempDir(label)
    defer { dir.remove() }
    return try await body(dir)
}

// MARK: Events

func json(_ s: String) -> [UInt8] { Array(s.utf8) }

func event(_ n: Int, id: UUID = UUID.v7(), type: String = "Test", actor: String = "tester", marker: String? = nil) -> ProposedEvent {
    let payload = marker.map { #"{"marker":"\#($0)","n":\#(n)}"# } ?? #"{"n":\#(n)}"#
    return ProposedEvent(id: id, type: type, actor: actor, payload: json(payload))
}

/// Appends `count` single-event commits to `stream`, returning the results.
@discardableResult
func appendMany(_ log: EventLog, stream: String, count: Int, start: Int = 1) throws -> [AppendResult] {
    try (start..<(start + count)).map { n in try log.append(to: stream, [event(n)]) }
}

/// Parses a payload as a JSON object.
func payloadObject(_ e: RecordedEvent) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(e.payload))) as? [String: Any]
}

/// Waits (bounded) until the weakly referenced object is gone: the log's writer thread has exited and its
/// LMDB environment is closed. Used before reopening a path in the same process.
func waitUntilReleased(_ probe: () -> AnyObject?, seconds: Double = 10) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while probe() != nil {
        if Date() > deadline { return false }
        usleep(1_000)
    }
    return true
}

/// Copies only `data.mdb` of a ledger into a new directory (the lock file is per-host state and is recreated).
func copyLedger(from source: String, to destination: String) throws {
    let fm = FileManager.default
    try fm.createDirectory(atPath: destination, withIntermediateDirectories: true)
    try fm.copyItem(atPath: source + "/data.mdb", toPath: destination + "/data.mdb")
}

/// `kill(2)`, under a name that does not clash with `ProbeProcess.kill`.
func posixKill(_ pid: Int32, _ signal: Int32) { _ = kill(pid, signal) }

// MARK: The probe executable

enum Probe {
    /// `eventlog-probe`, built next to the test bundle (`<scratch>/debug/`). `EVENTLOG_PROBE` overrides.
    static func url() throws -> URL {
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["EVENTLOG_PROBE"] { candidates.append(URL(fileURLWithPath: env)) }
        if let arg0 = CommandLine.arguments.first {
            let u = URL(fileURLWithPath: arg0).standardizedFileURL
            candidates.append(u.deletingLastPathComponent().appendingPathComponent("eventlog-probe"))
            // macOS: <scratch>/debug/X.xctest/Contents/MacOS/X
            candidates.append(u.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("eventlog-probe"))
        }
        let bundle = Bundle.main.bundleURL
        candidates.append(bundle.appendingPathComponent("eventlog-probe"))
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("eventlog-probe"))
        if let exe = Bundle.main.executableURL {
            candidates.append(exe.deletingLastPathComponent().appendingPathComponent("eventlog-probe"))
        }
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
        return try #require(found, "eventlog-probe not found next to the test bundle; tried \(candidates.map(\.path))")
    }
}

/// How a child ended.
enum ChildExit: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)
    case timedOut

    var description: String {
        switch self {
        case .exited(let c): "exit status \(c)"
        case .signaled(let s): "killed by signal \(s)"
        case .timedOut: "timed out (killed)"
        }
    }
}

/// Collects everything a file descriptor yields on a background thread. Polls rather than waiting for EOF
/// only, so a pipe end leaked into an unrelated child cannot stall it once the process is gone.
final class OutputCollector: @unchecked Sendable {
    private let cond = NSCondition()
    private var data = Data()
    private var finished = false
    private var stopWhenIdle = false
    private let fd: Int32

    init(fd: Int32) {
        self.fd = fd
        let t = Thread { [self] in run() }
        t.name = "probe-output"
        t.start()
    }

    private func run() {
        var buf = [UInt8](repeating: 0, count: 65_536)
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&pfd, 1, 20)
            if r < 0 && errno == EINTR { continue }
            if r > 0 {
                let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }  // EOF or error
                cond.lock()
                data.append(contentsOf: buf[0..<n])
                cond.broadcast()
                cond.unlock()
                continue
            }
            // Idle: stop once the process is known to be gone and nothing is left to read.
            cond.lock()
            let stop = stopWhenIdle
            cond.unlock()
            if stop { break }
        }
        cond.lock()
        finished = true
        cond.broadcast()
        cond.unlock()
    }

    /// The process ended: drain what is left and stop.
    func finish() -> Data {
        cond.lock()
        stopWhenIdle = true
        while !finished { cond.wait() }
        let d = data
        cond.unlock()
        return d
    }

    var snapshot: Data {
        cond.lock()
        defer { cond.unlock() }
        return data
    }

    /// Waits until `predicate` holds for the output so far, or the deadline passes, or output ends.
    func wait(until deadline: Date, _ predicate: (Data) -> Bool) -> Bool {
        cond.lock()
        defer { cond.unlock() }
        while !predicate(data) {
            if finished { return false }
            if !cond.wait(until: deadline) { return predicate(data) }
        }
        return true
    }
}

/// A running `eventlog-probe`.
final class ProbeProcess: @unchecked Sendable {
    let process = Process()
    let arguments: [String]
    private let stdout: OutputCollector
    private let stderr: OutputCollector
    private let outPipe = Pipe()
    private let errPipe = Pipe()
    private let exited = DispatchSemaphore(value: 0)

    init(_ arguments: [String]) throws {
        self.arguments = arguments
        process.executableURL = try Probe.url()
        process.arguments = arguments
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        let sem = exited
        process.terminationHandler = { _ in sem.signal() }
        stdout = OutputCollector(fd: outPipe.fileHandleForReading.fileDescriptor)
        stderr = OutputCollector(fd: errPipe.fileHandleForReading.fileDescriptor)
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    func kill(_ signal: Int32 = SIGKILL) { posixKill(process.processIdentifier, signal) }

    /// Output so far, as complete lines.
    var lines: [String] { Self.lines(stdout.snapshot) }

    static func lines(_ d: Data) -> [String] {
        var s = String(decoding: d, as: UTF8.self)
        // Drop an unterminated last line (a kill can land mid-write, in principle).
        if let nl = s.lastIndex(of: "\n") { s = String(s[..<nl]) } else { return [] }
        return s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Waits until the complete stdout lines satisfy `predicate` (or the output ends / the timeout passes).
    func waitForLines(timeout: Double, _ predicate: @escaping ([String]) -> Bool) -> Bool {
        stdout.wait(until: Date().addingTimeInterval(timeout)) { predicate(Self.lines($0)) }
    }

    struct Result: CustomStringConvertible {
        var exit: ChildExit
        var stdout: String
        var stderr: String
        var lines: [String] { ProbeProcess.lines(Data(stdout.utf8)) }
        var description: String { "\(exit); stdout: \(stdout.debugDescription); stderr: \(stderr.prefix(2000).debugDescription)" }
    }

    /// Waits for the child to end (killing it after `timeout` seconds) and collects its output.
    func wait(timeout: Double = 120) -> Result {
        var timedOut = false
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(SIGKILL)
            exited.wait()
        }
        process.waitUntilExit()
        let out = stdout.finish(), err = stderr.finish()
        let exit: ChildExit
        if timedOut {
            exit = .timedOut
        } else if process.terminationReason == .uncaughtSignal {
            exit = .signaled(process.terminationStatus)
        } else {
            exit = .exited(process.terminationStatus)
        }
        return Result(exit: exit, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// Runs a probe to completion.
    static func run(_ arguments: [String], timeout: Double = 120) throws -> Result {
        try ProbeProcess(arguments).wait(timeout: timeout)
    }
}

// MARK: Verification through a child

/// The parsed outcome of `eventlog-probe verify`.
enum ChildVerify: Equatable, CustomStringConvertible {
    case ok(events: UInt64, head: String)
    case bad(position: UInt64, reason: String)
    case error(String)
    case crashed(ChildExit, String)

    var description: String {
        switch self {
        case .ok(let n, let h): "ok \(n) \(h)"
        case .bad(let p, let r): "bad \(p) \(r)"
        case .error(let e): "error \(e)"
        case .crashed(let x, let out): "\(x): \(out)"
        }
    }
}

func verifyInChild(_ path: String, checkpoint: Checkpoint? = nil, timeout: Double = 120) throws -> (ChildVerify, ProbeProcess.Result) {
    var args = ["verify", path]
    if let checkpoint { args.append(checkpoint.description) }
    let r = try ProbeProcess.run(args, timeout: timeout)
    let line = r.lines.last ?? ""
    switch r.exit {
    case .exited(0):
        let parts = line.split(separator: " ")
        if parts.count == 3, parts[0] == "ok", let n = UInt64(parts[1]) { return (.ok(events: n, head: String(parts[2])), r) }
        return (.crashed(r.exit, "exit 0 without an ok line: \(r)"), r)
    case .exited(3):
        if line.hasPrefix("bad ") {
            let rest = line.dropFirst(4)
            let sp = rest.firstIndex(of: " ") ?? rest.endIndex
            if let p = UInt64(rest[..<sp]) {
                return (.bad(position: p, reason: String(rest[sp...]).trimmingCharacters(in: .whitespaces)), r)
            }
        }
        if line.hasPrefix("error ") { return (.error(String(line.dropFirst(6))), r) }
        return (.crashed(r.exit, "exit 3 without a bad/error line: \(r)"), r)
    default:
        return (.crashed(r.exit, "\(r)"), r)
    }
}


// MARK: Seeded randomness

/// The random inputs of these tests: SplitMix64 from a fixed seed, so that a run replays. `EVENTLOG_TEST_SEED`
/// sets another seed (to vary the inputs, or to replay a failure); every expectation that depends on the inputs
/// names the seed in its message (`TestRandom.note`), so a failure prints it.
struct TestRandom: RandomNumberGenerator {
    /// The run's seed.
    static let seed: UInt64 = ProcessInfo.processInfo.environment["EVENTLOG_TEST_SEED"].flatMap { UInt64($0) } ?? 20_261_207

    /// "seed N": how to replay this run's random inputs.
    static var note: String { "seed \(seed); EVENTLOG_TEST_SEED=\(seed) replays it" }

    private var generator: SplitMix64

    /// A generator of its own for one test (`stream` tells tests apart, so that their inputs do not depend on the
    /// order in which they run).
    init(stream: UInt64) { generator = SplitMix64(seed: TestRandom.seed ^ (stream &* 0x9E37_79B9_7F4A_7C15)) }

    mutating func next() -> UInt64 { generator.next() }
}
