// align-bench: measures the event log against raw LMDB and a SQLite event table, in one run on this machine.
//
//   swift run -c release --scratch-path .build-bench align-bench [--quick] [--runs N] [--dir DIR] [--report FILE]
//                                                                [--only commit,group,batch,ledger,memory,json]
//
// Progress and per-run figures go to standard error; the report (header and table of medians) to standard output.
import EventLog
import Foundation

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
if arguments.count > 1, arguments[1] == "__mem" {
    exit(MemoryChild.run(arguments))
}
// `align-bench commit-floor DIR`: the median durable commit of raw LMDB in a fresh environment in DIR, in ms, for
// `tools/bench-cli.sh` (the share of a one-event command that is the disk's and LMDB's, not ours).
// `align-bench ed25519`: single-core Ed25519 sign and check times, in µs, for `tools/bench-cli.sh`.
if arguments.count == 2, arguments[1] == "ed25519" {
    do {
        let r = try SigningBench.run()
        print(String(format: "%.2f %.2f", r.signMicros, r.verifyMicros))
        exit(0)
    } catch {
        note("ed25519: \(error)")
        exit(1)
    }
}
// `align-bench criteria`: one handoff's evaluation against its definition's criteria, in µs (CriteriaBench).
if arguments.count == 2, arguments[1] == "criteria" {
    do {
        print(String(format: "%.3f", try CriteriaBench.run()))
        exit(0)
    } catch {
        note("criteria: \(error)")
        exit(1)
    }
}
// `align-bench apply-floor DIR`: apply of evaluated handoffs through the service, signed and unsigned, and one
// signature alone, in µs per command (ApplyFloor).
if arguments.count == 3, arguments[1] == "apply-floor" {
    do {
        let r = try ApplyFloor.run(dir: arguments[2])
        print(String(format: "%.2f %.2f %.2f", r.signed, r.unsigned, r.sign))
        exit(0)
    } catch {
        note("apply-floor: \(error)")
        exit(1)
    }
}
// `align-bench csv-floor FILE...`: rows per second of CSV.swift alone and of a bare byte scan over the files (CSVFloor).
if arguments.count >= 3, arguments[1] == "csv-floor" {
    do {
        let r = try CSVFloor.run(Array(arguments[2...]))
        print(String(format: "%d %.0f %.0f", r.rows, r.csvSwift, r.byteScan))
        exit(0)
    } catch {
        note("csv-floor: \(error)")
        exit(1)
    }
}
// `align-bench serve-load --url http://127.0.0.1:PORT --keys DIR [--clients 64] [--seconds 20] [--tag T]`: signed
// handoffs posted to a running `align serve` by concurrent clients (ServeLoad); `align-bench serve-floor DIR [--clients N]
// [--seconds S]`: the same commands through the service in process, without HTTP (ServeFloor). Both print one line:
// commands/s answered, p50 ms, p99 ms, commands answered, errors, events per command.
if arguments.count >= 2, arguments[1] == "serve-load" || arguments[1] == "serve-floor" {
    do {
        let result: (ServeLoad.Figures, eventsPerCommand: Double)
        if arguments[1] == "serve-load" {
            result = try ServeLoad.run(try ServeLoad.parse(Array(arguments.dropFirst(2))))
        } else {
            guard arguments.count >= 3 else { throw LoadError.usage("serve-floor DIR [--clients N] [--seconds S]") }
            let o = try ServeLoad.parse(Array(arguments.dropFirst(3)) + ["--keys", "-"])
            result = try ServeFloor.run(dir: arguments[2], clients: o.clients, seconds: o.seconds)
        }
        let (f, perCommand) = result
        if let e = f.firstError { note("\(arguments[1]): first error: \(e)") }
        note("\(arguments[1]): \(f.ok) answered in \(String(format: "%.2f", f.seconds)) s, \(f.errors) errors")
        // The floor adds a seventh column: events per durable commit (the server's is added by tools/bench-serve.sh).
        let perCommit = arguments[1] == "serve-floor" ? ServeFloor.lastRunCommits.map { c in String(format: " %.2f", c > 0 ? Double(f.ok) * perCommand / Double(c) : 0) } ?? " 0" : ""
        print(String(format: "%.0f %.2f %.2f %d %d %.2f", f.commandsPerSecond, f.percentile(0.5), f.percentile(0.99), f.ok, f.errors, perCommand) + perCommit)
        exit(0)
    } catch {
        note("\(arguments[1]): \(error)")
        exit(1)
    }
}
if arguments.count == 3, arguments[1] == "commit-floor" {
    print(String(rawLMDBCommitMedian(dir: arguments[2], n: 300) * 1_000))
    exit(0)
}

func usage() -> Never {
    note("""
    usage: align-bench [--quick] [--runs N] [--dir DIR] [--report FILE] [--only SECTIONS]
      --quick          smaller sizes (3 runs, 200k-event ledger): under a minute; the full run takes about two
      --runs N         runs per measurement (default 5); the table shows medians
      --dir DIR        where the temporary ledgers go (default: the temp directory); use the disk you care about
      --report FILE    also write the report (markdown) to FILE
      --only SECTIONS  comma-separated subset of: commit, group, batch, ledger, memory, json
    """)
    exit(2)
}

var config = Config()
var i = 1
var quick = false, runs: Int?
while i < arguments.count {
    let a = arguments[i]
    func value() -> String {
        i += 1
        guard i < arguments.count else { usage() }
        return arguments[i]
    }
    switch a {
    case "--quick": quick = true
    case "--runs": guard let n = Int(value()), n > 0 else { usage() }; runs = n
    case "--dir": config.baseDir = value()
    case "--report": config.reportPath = value()
    case "--only": config.only = Set(value().split(separator: ",").map(String.init))
    case "-h", "--help": usage()
    default: note("unknown argument \(a)"); usage()
    }
    i += 1
}
if quick { config.applyQuick() }
if let runs { config.runs = runs }
let known: Set<String> = ["commit", "group", "batch", "ledger", "memory", "json"]
if !config.only.isSubset(of: known) { usage() }
// The group-commit ratio needs the one-per-commit rate.
if config.only.contains("group") { config.only.insert("commit") }

precondition(CanonicalJSON.isCanonical(Workload.payload(seq: 12_345, stream: 678)), "the workload's payloads must be canonical JSON")
let bench = Bench(config: config)
let started = Date()
let header = ["align-bench — \(ISO8601DateFormatter().string(from: started))\(config.quick ? " (--quick)" : ""), \(config.runs) runs per measurement, medians"]
    + Machine.header(workDir: bench.work)
    + ["workload: \(Workload.payloadSize)-byte canonical JSON payloads, \(Workload.streamCount) streams chosen uniformly at random, UUIDv7 ids",
       String(format: "load average at start: %.2f (other work on the machine disturbs the figures)", loadAverage())]
for line in header { note(line) }

var codecLines: [String] = []
do {
    if config.wants("commit") { try bench.onePerCommit() }
    if config.wants("group") { try bench.groupCommit() }
    if config.wants("batch") { try bench.batched() }
    if config.wants("ledger") || config.wants("memory") {
        try bench.buildLedgers()
        if config.wants("ledger") {
            try bench.replayAndVerify()
            try bench.readStreams()
        }
        if config.wants("memory") { try bench.memory() }
        if config.wants("ledger") { try bench.readStreamsWithFullTail() }  // last: it appends to the big ledger
    }
    if config.wants("json") { codecLines = try CodecBench.run(runs: config.runs, quick: config.quick) }
} catch {
    note("align-bench failed: \(error)")
    bench.cleanUp()
    exit(1)
}
bench.cleanUp()

let elapsed = Date().timeIntervalSince(started)
let report = Report(config: config, r: bench.r).lines(header: header + [String(format: "load average at the end: %.2f", loadAverage())], elapsed: elapsed)
let text = (report + codecLines).joined(separator: "\n") + "\n"
print(text, terminator: "")
if let path = config.reportPath {
    do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch { note("cannot write \(path): \(error)") }
}
exit(0)
