// A child process for the event log's tests: appends, verifies and reads in a process of its own, so tests
// can kill it at random moments, run several at once, or let LMDB crash on a damaged file without taking
// the test runner down. Not part of the product.
import EventLog
import EventLogLMDB
import Foundation

let args = CommandLine.arguments
func usage() -> Never {
    try? FileHandle.standardError.write(contentsOf: Data("""
    usage: eventlog-probe append-loop PATH           append one event per durable commit forever, printing 'ack POSITION' after each
           eventlog-probe concurrent PATH TAG THREADS COUNT   THREADS threads each append COUNT events to stream TAG-tN
           eventlog-probe append PATH STREAM COUNT   append COUNT events to STREAM, one per commit
           eventlog-probe verify PATH [POSITION:HASH]  exit 0 when sound, 3 with the first bad position
           eventlog-probe head PATH                  print POSITION:HASH
           eventlog-probe index-tail PATH            index the unindexed tail now
           eventlog-probe fill PATH COUNT            create a ledger of COUNT events (batches of 1,000 over 10,000 streams)
           eventlog-probe time-open PATH RUNS        median time of opening the ledger and reading its head, RUNS times
           eventlog-probe time-first-append PATH RUNS  median times of the first and second append after opening
           eventlog-probe time-reads PATH RUNS       median time of 100 lookups (version, stream read, id) after opening
    """.utf8))
    exit(2)
}
guard args.count >= 3 else { usage() }
let path = args[2]

enum Probe {
    static func payload(_ n: Int, _ tag: String) -> [UInt8] {
        Array(#"{"n":\#(n),"tag":"\#(tag)","text":"probe event"}"#.utf8)
    }
    /// Unbuffered, so a parent reading the pipe sees every line before a kill.
    static func say(_ line: String) { try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8)) }
}

do {
    switch args[1] {
    case "append-loop":
        let log = try (try? EventLog.open(at: path)) ?? EventLog.create(at: path)
        var n = 0
        while true {
            n += 1
            let r = try log.append(to: "crash/\(n % 7)", [ProposedEvent(type: "Probe", actor: "probe", payload: Probe.payload(n, "loop"))])
            Probe.say("ack \(r.lastPosition ?? 0)")
        }
    case "concurrent":
        guard args.count == 6, let threads = Int(args[4]), let count = Int(args[5]) else { usage() }
        let tag = args[3]
        let log = try EventLog.open(at: path)
        let group = DispatchGroup()
        for t in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for i in 1...count {
                    do {
                        try log.append(to: "\(tag)-t\(t)", expected: .exact(UInt64(i - 1)),
                                       [ProposedEvent(type: "Probe", actor: "probe", payload: Probe.payload(i, "\(tag)-t\(t)"))])
                    } catch {
                        try? FileHandle.standardError.write(contentsOf: Data("append failed: \(error)\n".utf8))
                        exit(1)
                    }
                }
            }
        }
        group.wait()
        Probe.say("done")
    case "append":
        guard args.count == 5, let count = Int(args[4]) else { usage() }
        let log = try EventLog.open(at: path)
        for i in 1...max(count, 1) {
            try log.append(to: args[3], [ProposedEvent(type: "Probe", actor: "probe", payload: Probe.payload(i, args[3]))])
        }
        Probe.say("done")
    case "verify":
        let log = try EventLog.open(at: path)
        let checkpoint = args.count > 3 ? Checkpoint(args[3]) : nil
        let report = try log.verify(checkpoint: checkpoint)
        if let p = report.problem {
            Probe.say("bad \(p.position) \(p.reason)")
            exit(3)
        }
        Probe.say("ok \(report.events) \(report.head)")
    case "head":
        Probe.say("\(try EventLog.open(at: path).head())")
    case "index-tail":
        let log = try EventLog.open(at: path)
        try log.indexTail()
        Probe.say("indexed \(try log.indexedPosition())")
    case "fill":
        guard args.count == 4, let count = Int(args[3]) else { usage() }
        let log = try EventLog.create(at: path)
        try log.prepareSideTables(["probe-a", "probe-b", "probe-c"])
        var n = 0
        while n < count {
            let batch = (0..<min(1_000, count - n)).map { i in
                StreamAppend(stream: "fill/\((n + i) % 10_000)", events: [ProposedEvent(type: "Probe", actor: "probe", payload: Probe.payload(n + i, "fill"))])
            }
            try log.append(batch)
            n += batch.count
        }
        Probe.say("filled \(try log.head())")
    case "time-open":
        // Each run opens the ledger afresh (the last run's log is released first, and it never wrote, so its
        // environment closes with it), reads the head, and prepares the side tables a service would.
        guard args.count == 4, let runs = Int(args[3]) else { usage() }
        var openHead: [Double] = [], withTables: [Double] = []
        for _ in 0..<max(runs, 1) {
            do {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let log = try EventLog.open(at: path)
                _ = try log.head()
                let t1 = DispatchTime.now().uptimeNanoseconds
                try log.prepareSideTables(["probe-a", "probe-b", "probe-c"])
                let t2 = DispatchTime.now().uptimeNanoseconds
                openHead.append(Double(t1 - t0) / 1_000)
                withTables.append(Double(t2 - t0) / 1_000)
            }
        }
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        Probe.say("open+head median \(median(openHead)) us; open+head+prepareSideTables median \(median(withTables)) us (\(runs) runs)")
    case "time-first-append":
        // The first write transaction of a process reads the unindexed tail; the second finds it in memory.
        guard args.count == 4, let runs = Int(args[3]) else { usage() }
        var first: [Double] = [], second: [Double] = []
        for n in 0..<max(runs, 1) {
            let log = try EventLog.open(at: path)
            var times: [Double] = []
            for i in 0..<2 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                try log.append(to: "first/\(n)", [ProposedEvent(type: "Probe", actor: "probe", payload: Probe.payload(i, "first"))])
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1_000)
            }
            first.append(times[0])
            second.append(times[1])
        }
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        Probe.say("first append median \(median(first)) us; second \(median(second)) us; tail \(try EventLog.open(at: path).head().position - EventLog.open(at: path).indexedPosition()) (\(runs) runs)")
    case "time-reads":
        // Lookups a command makes on a ledger whose unindexed tail is long: each one must consider the tail.
        guard args.count == 4, let runs = Int(args[3]) else { usage() }
        var times: [Double] = []
        let log = try EventLog.open(at: path)
        let someID = try log.read(from: 1, limit: 1).first?.id ?? UUID()
        for _ in 0..<max(runs, 1) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for i in 0..<100 {
                _ = try log.version(of: "fill/\(i)")
                _ = try log.read(stream: "fill/\(i)", from: 19, limit: 5)
                _ = try log.event(id: someID)
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1_000)
        }
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        Probe.say("100 lookups median \(median(times)) us; tail \(try log.head().position - log.indexedPosition()) (\(runs) runs)")
    default:
        usage()
    }
} catch {
    Probe.say("error \(error)")
    exit(3)
}
