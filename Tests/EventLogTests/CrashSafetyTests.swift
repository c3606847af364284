// Crash safety: a writer killed with SIGKILL at a random moment loses nothing it acknowledged and leaves a
// ledger that reopens and verifies. The writer is `eventlog-probe append-loop`, which prints `ack POSITION`
// only after each commit is durable; the ledger is reused across iterations so it grows.
import Foundation
import Testing
@testable import EventLog
@testable import EventLogLMDB
import EventLogMemory

@Suite("Crash safety")
struct CrashSafetyTests {
    /// At least 200 kills; `CRASH_ITERATIONS` can raise (never lower) the count.
    static var iterations: Int {
        let requested = ProcessInfo.processInfo.environment["CRASH_ITERATIONS"].flatMap { Int($0) } ?? 0
        return max(200, requested)
    }

    @Test func durableFlagsOnly() throws {
        try withTempDir { dir throws in
            let log = try EventLog.create(at: dir.path)
            let (flags, unsafe) = try #require(log.environmentFlags)
            #expect(unsafe != 0, "the unsafe mask must name the flags it guards against")
            #expect(flags & unsafe == 0, "durability-reducing LMDB flags are set: \(String(flags, radix: 16))")
        }
    }

    @Test func killedWriterLosesNothingAcknowledged() throws {
        try withTempDir("crash") { dir throws in
            // Created here, so a kill can never land in the middle of creating the ledger.
            do {
                let log = try EventLog.create(at: dir.path)
                let (flags, unsafe) = try #require(log.environmentFlags)
                #expect(flags & unsafe == 0)
            }
            var rng = TestRandom(stream: 700)
            var onDisk: UInt64 = 0  // events known durable so far
            var killsWhileWriting = 0
            var inFlightSeen = 0
            let n = Self.iterations
            for iteration in 1...n {
                let child = try ProbeProcess(["append-loop", dir.path])
                if iteration % 2 == 0 {
                    // Kill after a random number of acknowledgements.
                    let wanted = Int.random(in: 1...25, using: &rng)
                    let reached = child.waitForLines(timeout: 30) { lines in lines.filter { $0.hasPrefix("ack ") }.count >= wanted }
                    if !reached {
                        child.kill()
                        let r = child.wait(timeout: 30)
                        Issue.record("iteration \(iteration) (\(TestRandom.note)): the writer never acknowledged \(wanted) appends: \(r)")
                        return
                    }
                    // Sometimes let it run on a little past the ack, to land inside the next commit.
                    if Bool.random(using: &rng) { usleep(UInt32.random(in: 0...2_000, using: &rng)) }
                } else {
                    // Kill at a random moment 5–60 ms after start (sometimes before it even opened the ledger).
                    usleep(UInt32.random(in: 5_000...60_000, using: &rng))
                }
                child.kill(SIGKILL)
                let r = child.wait(timeout: 30)
                guard r.exit == .signaled(SIGKILL) else {
                    Issue.record("iteration \(iteration) (\(TestRandom.note)): the writer did not die of SIGKILL: \(r)")
                    return
                }
                let acks = r.lines.compactMap { line -> UInt64? in
                    guard line.hasPrefix("ack ") else { return nil }
                    return UInt64(line.dropFirst(4))
                }
                // Acknowledged positions are consecutive, continuing the ledger.
                if let first = acks.first {
                    #expect(first == onDisk + 1, "iteration \(iteration) (\(TestRandom.note)): first ack \(first) after \(onDisk) durable events")
                    #expect(acks == Array(first...(first + UInt64(acks.count) - 1)), "iteration \(iteration) (\(TestRandom.note)): acks not consecutive")
                    killsWhileWriting += 1
                }
                let acknowledged = acks.last ?? onDisk

                let (verdict, raw) = try verifyInChild(dir.path, timeout: 60)
                guard case .ok(let count, let head) = verdict else {
                    Issue.record("iteration \(iteration) (\(TestRandom.note)): the ledger does not verify after a kill (\(acks.count) acks, last \(acknowledged)): \(verdict) — \(raw)")
                    return
                }
                #expect(head.hasPrefix("\(count):"), "iteration \(iteration) (\(TestRandom.note)): head \(head) vs \(count) events")
                #expect(count >= acknowledged, "iteration \(iteration) (\(TestRandom.note)): acknowledged \(acknowledged) but only \(count) events on disk")
                #expect(count <= acknowledged + 1, "iteration \(iteration) (\(TestRandom.note)): \(count) events on disk, more than acknowledged \(acknowledged) + 1 in flight")
                if count == acknowledged + 1 { inFlightSeen += 1 }
                if count < acknowledged || count > acknowledged + 1 { return }
                onDisk = count
            }
            // The loop really wrote and was really killed mid-stream, many times.
            #expect(killsWhileWriting >= n / 2, "only \(killsWhileWriting) of \(n) kills hit a writing process")
            #expect(onDisk > 0)

            // Finally, in process: everything is there, in order, and the chain is sound.
            let log = try EventLog.open(at: dir.path)
            let report = try log.verify()
            #expect(report.isSound, "\(String(describing: report.problem))")
            #expect(report.events == onDisk)
            var loopN: [Int] = []
            try log.replay { e in
                if let n = payloadObject(e)?["n"] as? Int { loopN.append(n) }
            }
            #expect(loopN.count == Int(onDisk))
            print("crash safety: \(n) kills, \(killsWhileWriting) while writing, \(inFlightSeen) with one unacknowledged commit on disk, \(onDisk) events")
        }
    }
}
