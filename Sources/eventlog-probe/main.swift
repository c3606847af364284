// A child process for the event log's tests: appends, verifies and reads in a process of its own, so tests
// can kill it at random moments, run several at once, or let LMDB crash on a damaged file without taking
// the test runner down. Not part of the product.
import EventLog
import EventLogLMDB
import Foundation

let args = CommandLine.arguments
func usage() -> Never {
    FileHandle.standardError.write(Data("""
    usage: eventlog-probe append-loop PATH           append one event per durable commit forever, printing 'ack POSITION' after each
           eventlog-probe concurrent PATH TAG THREADS COUNT   THREADS threads each append COUNT events to stream TAG-tN
           eventlog-probe append PATH STREAM COUNT   append COUNT events to STREAM, one per commit
           eventlog-probe verify PATH [POSITION:HASH]  exit 0 when sound, 3 with the first bad position
           eventlog-probe head PATH                  print POSITION:HASH
           eventlog-probe index-tail PATH            index the unindexed tail now
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
    static func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
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
                        FileHandle.standardError.write(Data("append failed: \(error)\n".utf8))
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
    default:
        usage()
    }
} catch {
    Probe.say("error \(error)")
    exit(3)
}
