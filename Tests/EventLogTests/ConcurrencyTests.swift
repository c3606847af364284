// Concurrency across processes: several `eventlog-probe concurrent` children, each with several threads,
// append to one ledger at once with exact expected versions. Nothing may be lost, duplicated or reordered.
import Foundation
import Testing
@testable import EventLog
@testable import EventLogLMDB
import EventLogMemory

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test func processesAndThreadsAppendingAtOnce() throws {
        try withTempDir("concurrent") { dir throws in
            let processes = 4, threads = 2, count = 250
            let log = try EventLog.create(at: dir.path)
            // Some events before the children start, so they do not all begin at an empty ledger.
            try appendMany(log, stream: "before", count: 3)

            let tags = (0..<processes).map { "p\($0)" }
            let children = try tags.map { try ProbeProcess(["concurrent", dir.path, $0, "\(threads)", "\(count)"]) }
            // Meanwhile this process appends too.
            try appendMany(log, stream: "parent", count: 20)
            for (tag, child) in zip(tags, children) {
                let r = child.wait(timeout: 180)
                #expect(r.exit == .exited(0), "child \(tag): \(r)")
                #expect(r.lines == ["done"], "child \(tag): \(r)")
            }

            let expectedTotal = UInt64(3 + 20 + processes * threads * count)
            #expect(try log.head().position == expectedTotal)
            let all = try log.read(from: 1, limit: Int(expectedTotal) + 10)
            #expect(all.count == Int(expectedTotal))
            #expect(all.map(\.position) == Array(1...expectedTotal), "positions are not gapless")
            #expect(Set(all.map(\.id)).count == all.count, "duplicate event ids")

            var byStream: [String: [RecordedEvent]] = [:]
            for e in all { byStream[e.stream, default: []].append(e) }
            #expect(Set(byStream.keys) == Set(tags.flatMap { tag in (0..<threads).map { "\(tag)-t\($0)" } } + ["before", "parent"]))
            for tag in tags {
                for t in 0..<threads {
                    let stream = "\(tag)-t\(t)"
                    let events = byStream[stream] ?? []
                    #expect(events.map(\.version) == Array(1...UInt64(count)), "\(stream): versions")
                    #expect(events.map { payloadObject($0)?["n"] as? Int } == Array(1...count), "\(stream): payloads out of order")
                    #expect(events.allSatisfy { payloadObject($0)?["tag"] as? String == stream }, "\(stream): payload tags")
                    // The stream read agrees with the global read.
                    #expect(try log.read(stream: stream) == events, "\(stream): stream index")
                    #expect(try log.version(of: stream) == UInt64(count))
                }
            }
            #expect(byStream["parent"]?.map(\.version) == Array(1...20))
            let report = try log.verify()
            #expect(report.isSound, "\(String(describing: report.problem))")
            #expect(report.events == expectedTotal)
            let (child, raw) = try verifyInChild(dir.path)
            #expect(child == .ok(events: expectedTotal, head: try log.head().description), "\(raw)")
        }
    }

    @Test func twoProcessesRacingOnOneStreamNeverBothWin() throws {
        // Both children append to the same streams with exact expected versions: whichever loses a race
        // fails with a version conflict and exits 1; the winner's 200 events are all there, gapless and sound.
        try withTempDir("race") { dir throws in
            let log = try EventLog.create(at: dir.path)
            let a = try ProbeProcess(["concurrent", dir.path, "same", "1", "200"])
            let b = try ProbeProcess(["concurrent", dir.path, "same", "1", "200"])
            let ra = a.wait(timeout: 120), rb = b.wait(timeout: 120)
            // Once one has written, the other's next exact expected version is stale: exactly one loses.
            let exits = [ra.exit, rb.exit]
            #expect(exits.filter { $0 == .exited(0) }.count == 1 && exits.filter { $0 == .exited(1) }.count == 1, "\(ra) / \(rb)")
            for r in [ra, rb] where r.exit == .exited(1) {
                #expect(r.stderr.contains("append failed") && r.stderr.contains("was expected at"), "\(r)")
            }
            let events = try log.read(stream: "same-t0")
            #expect(events.map(\.version) == Array(1...200))
            #expect(events.map { payloadObject($0)?["n"] as? Int } == Array(1...200))
            #expect(try log.verify().isSound)
        }
    }
}
