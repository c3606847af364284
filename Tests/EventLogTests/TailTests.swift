// The unindexed tail: appends write only the record; the stream and id index entries follow in one sorted pass
// once the tail reaches `Writer.tailLimit` events. Every read must give the same answers on either side of that
// boundary, and across processes, which index the same tail from disk.
import Foundation
import Testing
@testable import EventLog
@testable import EventLogLMDB
import EventLogMemory

@Suite("Unindexed tail") struct TailTests {
    /// What the log should answer, kept beside it.
    struct Model {
        var streams: [String: [(position: UInt64, id: UUID)]] = [:]
        var count: UInt64 = 0
    }

    func expectAgrees(_ log: EventLog, _ m: Model, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (name, events) in m.streams {
            let read = try log.read(stream: name)
            #expect(read.map(\.position) == events.map(\.position), "stream \(name)", sourceLocation: sourceLocation)
            #expect(read.map(\.version) == Array(1...UInt64(events.count)), sourceLocation: sourceLocation)
            #expect(try log.version(of: name) == UInt64(events.count), sourceLocation: sourceLocation)
            let mid = UInt64(events.count / 2 + 1)
            #expect(try log.read(stream: name, from: mid, limit: 2).map(\.version) == Array(mid...min(mid + 1, UInt64(events.count))),
                    sourceLocation: sourceLocation)
            for e in [events.first!, events[events.count / 2], events.last!] {
                #expect(try log.event(id: e.id)?.position == e.position, sourceLocation: sourceLocation)
            }
        }
        let stats = try log.stats()
        #expect(stats.events == m.count, sourceLocation: sourceLocation)
        #expect(stats.streams == UInt64(m.streams.count), sourceLocation: sourceLocation)
        let report = try log.verify()
        #expect(report.isSound && report.events == m.count, "\(report)", sourceLocation: sourceLocation)
    }

    @Test func readsAgreeOnBothSidesOfTheIndexedPosition() throws {
        try withLedger { log, _ throws in
            var m = Model()
            func append(_ stream: String, _ n: Int) throws {
                let events = (0..<n).map { _ in event(Int(m.count) + 1) }
                let r = try log.append(to: stream, expected: .exact(UInt64(m.streams[stream]?.count ?? 0)), events)
                for e in r.events { m.streams[stream, default: []].append((e.position, e.id)) }
                m.count += UInt64(n)
            }
            // Below the limit: everything is in the tail.
            for i in 0..<300 { try append("s\(i % 37)", 1 + i % 3) }
            #expect(try log.indexedPosition() == 0)
            try expectAgrees(log, m)
            // Crossing the limit indexes the whole tail in the transaction that reaches it.
            while m.count < UInt64(Writer.tailLimit) { try append("s\(m.count % 41)", 1) }
            #expect(try log.indexedPosition() == m.count)
            // Some streams now span the index and the tail, and new ones live only in the tail.
            for i in 0..<50 { try append(i % 2 == 0 ? "s\(i % 41)" : "new\(i)", 2) }
            #expect(try log.indexedPosition() == UInt64(Writer.tailLimit))
            try expectAgrees(log, m)
            // An explicit index pass moves the whole tail into the indexes; the answers stay the same.
            try log.indexTail()
            #expect(try log.indexedPosition() == m.count)
            try expectAgrees(log, m)
        }
    }

    @Test func idsOutOfTimeOrderAreIndexedToo() throws {
        try withLedger { log, _ throws in
            // Time-ordered ids append to the id index; random ones, and ids below every id already indexed, take
            // the ordinary path from the first one that does not sort last.
            var ids: [UUID] = []
            for i in 0..<(Writer.tailLimit + 10) {
                let id = i % 3 == 0 ? UUID() : UUID.v7()
                ids.append(id)
                try log.append(to: "s\(i % 7)", [event(i, id: id)])
            }
            try log.indexTail()
            for i in 0..<20 {
                guard let low = UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", i)) else { Issue.record("bad uuid"); return }
                ids.append(low)
                try log.append(to: "low", [event(i, id: low)])
            }
            try log.indexTail()
            #expect(try log.indexedPosition() == UInt64(ids.count))
            #expect(try log.verify().isSound)
            for (n, id) in ids.enumerated() { #expect(try log.event(id: id)?.position == UInt64(n + 1)) }
            // And a retry of any of them is still recognised.
            #expect(try log.append(to: "low", [event(3, id: ids[ids.count - 17])]).wasDuplicate)
        }
    }

    @Test func idempotencyAndConflictsSeeTheTailAndTheIndexes() throws {
        try withLedger { log, _ throws in
            let first = event(1)
            try log.append(to: "a", [first])
            for i in 2...Writer.tailLimit { try log.append(to: "b", [event(i)]) }
            #expect(try log.indexedPosition() == UInt64(Writer.tailLimit))
            let inTail = event(0)
            try log.append(to: "a", [inTail])
            // A retry of an indexed event and of a tail event: the originals, nothing written.
            for (e, pos) in [(first, UInt64(1)), (inTail, UInt64(Writer.tailLimit) + 1)] {
                let again = try log.append(to: "a", [e])
                #expect(again.wasDuplicate && again.events.map(\.position) == [pos])
            }
            // The same id with other content is a conflict wherever the original is.
            expectError(.idConflict(id: inTail.id, position: UInt64(Writer.tailLimit) + 1)) {
                try log.append(to: "a", [ProposedEvent(id: inTail.id, type: "Test", actor: "tester", payload: json(#"{"n":-1}"#))])
            }
            // Stream "a" has version 1 in the index and version 2 in the tail.
            expectError(.wrongExpectedVersion(stream: "a", expected: .exact(1), actual: 2)) {
                try log.append(to: "a", expected: .exact(1), [event(9)])
            }
            #expect(try log.append(to: "a", expected: .exact(2), [event(9)]).events.first?.version == 3)
            #expect(try log.head().position == UInt64(Writer.tailLimit) + 2)
        }
    }

    @Test func anotherProcessSeesAndExtendsTheTail() throws {
        try withLedger { log, dir throws in
            try appendMany(log, stream: "mine", count: 10)
            // The reads' copy of the tail, read at this commit, must not outlive it.
            #expect(try log.read(stream: "mine").count == 10 && log.version(of: "mine") == 10)
            let ten = try #require(try log.read(stream: "mine").last)
            #expect(try log.event(id: ten.id)?.position == 10)
            // Another process appends to the same streams; this writer's cache must notice (head moved).
            let r = try ProbeProcess.run(["append", dir.path, "mine", "5"])
            #expect(r.exit == .exited(0), "\(r)")
            #expect(try log.version(of: "mine") == 15)
            #expect(try log.read(stream: "mine", from: 9).map(\.version) == Array(9...15))
            #expect(try log.stats().events == 15)
            let next = try log.append(to: "mine", expected: .exact(15), [event(16)])
            #expect(next.events.first?.position == 16)
            // Enough from the other process to cross the limit there: it indexes the tail this process wrote.
            let big = try ProbeProcess.run(["append", dir.path, "theirs", "\(Writer.tailLimit)"])
            #expect(big.exit == .exited(0), "\(big)")
            #expect(try log.indexedPosition() >= UInt64(Writer.tailLimit))
            #expect(try log.read(stream: "mine").map(\.version) == Array(1...16))
            #expect(try log.version(of: "theirs") == UInt64(Writer.tailLimit))
            try log.append(to: "mine", expected: .exact(16), [event(17)])
            let report = try log.verify()
            #expect(report.isSound && report.events == UInt64(Writer.tailLimit) + 17, "\(report)")
        }
    }

    @Test func aWriterThatReadsATailFromDiskIndexesIt() throws {
        try withLedger { log, dir throws in
            // This process's writer keeps its tail in memory: ten appends stay unindexed.
            try appendMany(log, stream: "mine", count: 10)
            #expect(try log.indexedPosition() == 0)
            // A new process must read those ten from disk; its first transaction indexes them with its own event,
            // so the next short-lived process finds no tail to read.
            let r = try ProbeProcess.run(["append", dir.path, "theirs", "1"])
            #expect(r.exit == .exited(0), "\(r)")
            #expect(try log.indexedPosition() == 11)
            // This writer notices (the head moved), reads the now empty tail, and keeps appending in memory.
            try log.append(to: "mine", expected: .exact(10), [event(12)])
            #expect(try log.indexedPosition() == 11)
            #expect(try log.read(stream: "mine").map(\.version) == Array(1...11))
            let report = try log.verify()
            #expect(report.isSound && report.events == 12, "\(report)")
        }
    }

    @Test func canonicallyEquivalentNamesAreTwoStreams() throws {
        // "café" with a precomposed é and with e + U+0301: equal as Swift Strings, different bytes, two streams.
        try withLedger { log, _ throws in
            let precomposed = "caf\u{E9}", decomposed = "cafe\u{301}"
            #expect(Array(precomposed.utf8) != Array(decomposed.utf8))
            try log.append(to: precomposed, expected: .noStream, [event(1)])
            try log.append(to: decomposed, expected: .noStream, [event(2)])
            try log.append(to: decomposed, expected: .exact(1), [event(3)])
            #expect(try log.version(of: precomposed) == 1)
            #expect(try log.version(of: decomposed) == 2)
            #expect(try log.read(stream: precomposed).map(\.position) == [1])
            #expect(try log.read(stream: decomposed).map(\.position) == [2, 3])
            #expect(try log.verify().isSound)
            try log.indexTail()
            #expect(try log.read(stream: decomposed).map(\.version) == [1, 2])
            #expect(try log.stats().streams == 2)
            let report = try log.verify()
            #expect(report.isSound, "\(report)")
        }
    }

    @Test func anotherProcessIndexingTheTailIsNoticed() throws {
        try withLedger { log, dir throws in
            try appendMany(log, stream: "mine", count: 10)
            // The head stays where this writer left it; only the indexed position moves.
            let r = try ProbeProcess.run(["index-tail", dir.path])
            #expect(r.exit == .exited(0) && r.stdout.contains("indexed 10"), "\(r)")
            // Appending past the limit indexes the new tail only (the old one was indexed by the other process).
            for i in 0..<Writer.tailLimit { try log.append(to: "s\(i % 7)", [event(i)]) }
            try log.append(to: "mine", expected: .exact(10), [event(11)])
            #expect(try log.read(stream: "mine").map(\.version) == Array(1...11))
            let report = try log.verify()
            #expect(report.isSound && report.events == UInt64(Writer.tailLimit) + 11, "\(report)")
        }
    }

    @Test func verifyDuringIndexPassesNeverReportsGoodIndexesAsBad() throws {
        try withLedger { log, _ throws in
            for i in 0..<20 { try log.append(to: "seed", (0..<1_000).map { event(i * 1_000 + $0) }) }
            let done = DispatchSemaphore(value: 0)
            let appender = Thread {
                // Each batch crosses the tail limit, so each commits an index pass.
                for i in 0..<8 {
                    _ = try? log.append(to: "more\(i)", (0..<(Writer.tailLimit + 10)).map { event($0) })
                    usleep(20_000)
                }
                done.signal()
            }
            appender.start()
            var finished = false
            while !finished {
                do {
                    let report = try log.verify()
                    #expect(report.isSound, "a sound log reported as damaged while index passes ran: \(report)")
                } catch EventLogError.storage(let message) {
                    #expect(message.contains("kept changing"), "\(message)")
                }
                finished = done.wait(timeout: .now()) == .success
            }
            #expect(try log.verify().isSound)
        }
    }
}
