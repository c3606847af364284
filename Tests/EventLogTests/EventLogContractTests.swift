// The EventLog's contract, in process: expected versions, idempotency, atomic multi-stream appends, gapless
// positions and versions, reads, reopening, refusals, limits, canonical payloads, group commit and subscriptions.
import CLMDB
import Foundation
import Testing
@testable import EventLog
@testable import EventLogLMDB
import EventLogMemory

/// Expects `body` to throw exactly `expected`.
func expectError(_ expected: EventLogError, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected \(expected), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let e as EventLogError {
        #expect(e == expected, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(expected), got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
}

/// Expects `body` to throw `EventLogError.invalidInput`, returning its message.
@discardableResult
func expectInvalidInput(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> String? {
    do {
        try body()
        Issue.record("expected invalidInput, but nothing was thrown", sourceLocation: sourceLocation)
    } catch EventLogError.invalidInput(let message) {
        #expect(!message.isEmpty, sourceLocation: sourceLocation)
        return message
    } catch {
        Issue.record("expected invalidInput, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

@Suite("EventLog contract")
struct EventLogContractTests {
    // MARK: Expected versions

    @Test(arguments: Backend.allCases) func expectedVersionConflictsNameStreamExpectedAndActualAndWriteNothing(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            try log.append(to: "order/1", expected: .noStream, [event(1), event(2)])
            let head = try log.head()
            #expect(head.position == 2)

            let cases: [(String, ExpectedVersion, UInt64?)] = [
                ("order/1", .noStream, 2),
                ("order/1", .exact(0), 2),
                ("order/1", .exact(1), 2),
                ("order/1", .exact(3), 2),
                ("order/2", .exact(1), nil),
                ("order/2", .exact(UInt64.max), nil),
            ]
            for (stream, expected, actual) in cases {
                let id = UUID()
                expectError(.wrongExpectedVersion(stream: stream, expected: expected, actual: actual)) {
                    try log.append(to: stream, expected: expected, [event(99, id: id)])
                }
                // The message names the stream, what was expected and what was found.
                let message = EventLogError.wrongExpectedVersion(stream: stream, expected: expected, actual: actual).description
                #expect(message.contains("'\(stream)'"))
                #expect(message.contains(expected.description))
                #expect(message.contains(actual.map { "version \($0)" } ?? "no stream"))
                // Nothing was written: head, versions and the id are untouched.
                #expect(try log.head() == head)
                #expect(try log.version(of: "order/1") == 2)
                #expect(try log.version(of: "order/2") == nil)
                #expect(try log.event(id: id) == nil)
            }
            #expect(try log.read(from: 1).count == 2)
        }
    }

    @Test(arguments: Backend.allCases) func expectedVersionsThatMatchSucceed(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            // .any on a missing and an existing stream, .noStream and .exact(0) on missing streams, .exact(n) on n.
            #expect(try log.append(to: "a", expected: .any, [event(1)]).events.map(\.version) == [1])
            #expect(try log.append(to: "a", expected: .any, [event(2)]).events.map(\.version) == [2])
            #expect(try log.append(to: "b", expected: .noStream, [event(1)]).events.map(\.version) == [1])
            #expect(try log.append(to: "c", expected: .exact(0), [event(1), event(2)]).events.map(\.version) == [1, 2])
            #expect(try log.append(to: "c", expected: .exact(2), [event(3)]).events.map(\.version) == [3])
            #expect(try log.append(to: "a", expected: .exact(2), [event(3)]).events.map(\.version) == [3])
            #expect(try log.head().position == 7)
            #expect(try log.version(of: "a") == 3)
            #expect(try log.version(of: "b") == 1)
            #expect(try log.version(of: "c") == 3)
        }
    }

    // MARK: Idempotency

    @Test(arguments: Backend.allCases) func sameIDAndContentReturnsTheOriginalAsDuplicate(_ backend: Backend) async throws {
        try await withLedgerAsync(backend) { log, _ in
            let id1 = UUID(), id2 = UUID()
            let e1 = ProposedEvent(id: id1, type: "Placed", actor: "alice", payload: json(#"{"a":1,"b":[1,2]}"#))
            let e2 = ProposedEvent(id: id2, type: "Paid", actor: "alice", correlationID: id1, payload: json(#"{"amount":"12.50"}"#))
            let first = try log.append(to: "order/7", expected: .noStream, [e1, e2])
            #expect(!first.wasDuplicate)
            #expect(first.events.map(\.position) == [1, 2])
            try log.append(to: "other", [event(1)])
            let head = try log.head()

            // The retry carries the same expected version, which would now conflict: ids are checked first.
            var retry1 = e1
            retry1.payload = json(#" { "b" : [ 1, 2 ], "a" : 1 } "#)  // same canonical content, other spelling
            let again = try log.append(to: "order/7", expected: .noStream, [retry1, e2])
            #expect(again.wasDuplicate)
            #expect(again.events == first.events)  // positions, versions, recorded-at and hashes of the original
            #expect(try log.head() == head)
            #expect(try log.read(from: 1).count == 3)

            // A retry of a single event of the batch is a duplicate of that one.
            let single = try log.append(to: "order/7", [e2])
            #expect(single.wasDuplicate)
            #expect(single.events == [first.events[1]])
            #expect(try log.head() == head)

            // An explicit business time is part of the content; a retry that leaves it out still matches.
            let timed = ProposedEvent(type: "Shipped", occurredAt: Timestamp(microseconds: 1_000_000), actor: "bob", payload: json("{}"))
            let t1 = try log.append(to: "order/7", [timed])
            let head2 = try log.head()
            var untimed = timed
            untimed.occurredAt = nil
            let t2 = try log.append(to: "order/7", [untimed])
            #expect(t2.wasDuplicate)
            #expect(t2.events == t1.events)
            #expect(try log.head() == head2)
            // Async retries behave the same.
            let t3 = try await log.append([StreamAppend(stream: "order/7", events: [timed])])
            #expect(t3.wasDuplicate && t3.events == t1.events)
        }
    }

    @Test(arguments: Backend.allCases) func sameIDWithOtherContentIsAnIDConflict(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            let id = UUID()
            let original = ProposedEvent(id: id, type: "Placed", actor: "alice", payload: json(#"{"a":1}"#))
            try log.append(to: "s", [original])
            let head = try log.head()

            var variants: [(String, ProposedEvent, String)] = []
            var v = original; v.payload = json(#"{"a":2}"#); variants.append(("s", v, "payload"))
            v = original; v.type = "Cancelled"; variants.append(("s", v, "type"))
            v = original; v.actor = "bob"; variants.append(("s", v, "actor"))
            v = original; v.schemaVersion = 2; variants.append(("s", v, "schema"))
            v = original; v.correlationID = UUID(); variants.append(("s", v, "correlation"))
            v = original; v.causationID = UUID(); variants.append(("s", v, "causation"))
            v = original; v.signature = [1, 2, 3]; variants.append(("s", v, "signature"))
            v = original; v.occurredAt = Timestamp(microseconds: 42); variants.append(("s", v, "occurred-at"))
            variants.append(("another-stream", original, "stream"))
            for (stream, variant, what) in variants {
                do {
                    try log.append(to: stream, [variant])
                    Issue.record("a different \(what) under a stored id was accepted")
                } catch let e as EventLogError {
                    #expect(e == .idConflict(id: id, position: 1), "\(what)")
                }
                #expect(try log.head() == head, "\(what)")
            }
            #expect(try log.version(of: "another-stream") == nil)
        }
    }

    @Test(arguments: Backend.allCases) func partlyDuplicatedBatchIsRefusedAndWritesNothing(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            let stored = event(1)
            try log.append(to: "s", [stored])
            let head = try log.head()
            let fresh = event(2)
            // Stored first, new second; and new first, stored second; and across two streams.
            expectError(.partialDuplicate(id: stored.id, position: 1)) { try log.append(to: "s", [stored, fresh]) }
            expectError(.partialDuplicate(id: stored.id, position: 1)) { try log.append(to: "s", [fresh, stored]) }
            expectError(.partialDuplicate(id: stored.id, position: 1)) {
                try log.append([StreamAppend(stream: "t", events: [fresh]), StreamAppend(stream: "s", events: [stored])])
            }
            #expect(try log.head() == head)
            #expect(try log.event(id: fresh.id) == nil)
            #expect(try log.version(of: "t") == nil)
            #expect(try log.version(of: "s") == 1)
        }
    }

    @Test(arguments: Backend.allCases) func repeatedIDWithinOneAppendIsRefusedAndWritesNothing(_ backend: Backend) throws {
        // Not an idempotent retry: the id is new but appears twice in one request.
        try withLedger(backend) { log, _ throws in
            try log.append(to: "s", [event(1)])
            let head = try log.head()
            let e = event(2)
            #expect(throws: (any Error).self) { try log.append(to: "s", [e, e]) }
            #expect(try log.head() == head)
            #expect(try log.event(id: e.id) == nil)
            #expect(try log.verify().isSound)
        }
    }

    // MARK: Atomicity

    @Test(arguments: Backend.allCases) func multiStreamAppendIsAtomic(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            try log.append(to: "b", [event(1)])
            let head = try log.head()
            // A conflict on the second stream: the first stream (new, and existing) gets nothing.
            expectError(.wrongExpectedVersion(stream: "b", expected: .noStream, actual: 1)) {
                try log.append([
                    StreamAppend(stream: "a", expected: .noStream, events: [event(1), event(2)]),
                    StreamAppend(stream: "b", expected: .noStream, events: [event(3)]),
                ])
            }
            expectError(.wrongExpectedVersion(stream: "c", expected: .exact(4), actual: nil)) {
                try log.append([
                    StreamAppend(stream: "b", expected: .exact(1), events: [event(2)]),
                    StreamAppend(stream: "c", expected: .exact(4), events: [event(3)]),
                ])
            }
            // An invalid name on the second stream: checked before anything is written.
            expectInvalidInput {
                try log.append([StreamAppend(stream: "a", events: [event(1)]), StreamAppend(stream: "", events: [event(2)])])
            }
            #expect(try log.head() == head)
            #expect(try log.version(of: "a") == nil)
            #expect(try log.version(of: "b") == 1)
            #expect(try log.read(from: 1).count == 1)

            // And when all match, every stream gets its events in one commit, positions in request order.
            let r = try log.append([
                StreamAppend(stream: "a", expected: .noStream, events: [event(1), event(2)]),
                StreamAppend(stream: "b", expected: .exact(1), events: [event(2)]),
                StreamAppend(stream: "a", expected: .exact(2), events: [event(3)]),  // same stream again, sees the first part
            ])
            #expect(r.events.map(\.position) == [2, 3, 4, 5])
            #expect(r.events.map(\.stream) == ["a", "a", "b", "a"])
            #expect(r.events.map(\.version) == [1, 2, 2, 3])
            #expect(Set(r.events.map(\.recordedAt)).count == 1)
            #expect(try log.verify().isSound)
        }
    }

    // MARK: Positions, versions, reads

    @Test(arguments: Backend.allCases) func positionsAndStreamVersionsAreGapless(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            var expectedVersions: [String: UInt64] = [:]
            var rng = TestRandom(stream: 600)
            for i in 0..<60 {
                let stream = "s/\(Int.random(in: 0..<5, using: &rng))"
                let n = Int.random(in: 1...4, using: &rng)
                let r = try log.append(to: stream, (0..<n).map { event(i * 10 + $0) })
                let before = expectedVersions[stream] ?? 0
                #expect(r.events.map(\.version) == Array((before + 1)...(before + UInt64(n))), "\(TestRandom.note)")
                expectedVersions[stream] = before + UInt64(n)
            }
            let all = try log.read(from: 1, limit: 10_000)
            #expect(all.map(\.position) == Array(1...UInt64(all.count)))
            #expect(try log.head().position == UInt64(all.count))
            #expect(try log.head().hash == all.last?.hash)
            for (stream, last) in expectedVersions {
                let events = try log.read(stream: stream)
                #expect(events.map(\.version) == Array(1...last), "\(TestRandom.note)")
                #expect(events.allSatisfy { $0.stream == stream })
                #expect(events.map(\.position) == events.map(\.position).sorted())
                #expect(try log.version(of: stream) == last)
            }
            // Every stored hash is the chain over the stored bytes.
            var previous = ChainHash.genesis
            try log.replayRaw { pos, bytes in
                let body = try RecordCodec.bodyLength(bytes)
                let h = RecordCodec.chain(previous: previous, position: pos, body: UnsafeRawBufferPointer(rebasing: bytes[0..<body]))
                #expect(h == RecordCodec.storedHash(bytes))
                previous = h
            }
            let headHash = try log.head().hash
            #expect(previous == headHash)
            let report = try log.verify()
            #expect(report.isSound)
            #expect(report.events == UInt64(all.count))
        }
    }

    @Test(arguments: Backend.allCases) func reads(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            var ids: [UUID] = []
            for i in 1...10 {
                let e = event(i)
                ids.append(e.id)
                try log.append(to: i % 2 == 0 ? "even" : "odd", [e])
            }
            // Range reads.
            #expect(try log.read(from: 3, limit: 2).map(\.position) == [3, 4])
            #expect(try log.read(from: 0, limit: 3).map(\.position) == [1, 2, 3])
            #expect(try log.read(from: 9).map(\.position) == [9, 10])
            #expect(try log.read(from: 11).isEmpty)
            #expect(try log.read(from: .max).isEmpty)
            #expect(try log.read(from: 1, limit: 0).isEmpty)
            #expect(try log.read(from: 1, limit: -5).isEmpty)
            #expect(try log.read(from: 1).map { payloadObject($0)?["n"] as? Int } == Array(1...10))
            // Stream reads.
            #expect(try log.read(stream: "even").map(\.position) == [2, 4, 6, 8, 10])
            #expect(try log.read(stream: "even", from: 3).map(\.version) == [3, 4, 5])
            #expect(try log.read(stream: "even", from: 3, limit: 1).map(\.version) == [3])
            #expect(try log.read(stream: "even", from: 0).count == 5)
            #expect(try log.read(stream: "even", from: 6).isEmpty)
            #expect(try log.read(stream: "odd", from: 5).map(\.position) == [9])
            #expect(try log.read(stream: "missing") == [])
            #expect(try log.version(of: "missing") == nil)
            // A stream name that is a prefix of another is its own stream.
            try log.append(to: "ev", [event(11)])
            #expect(try log.read(stream: "ev").map(\.position) == [11])
            #expect(try log.read(stream: "even").count == 5)
            // By id.
            for (i, id) in ids.enumerated() {
                let e = try #require(try log.event(id: id))
                #expect(e.position == UInt64(i + 1))
                #expect(e.id == id)
            }
            #expect(try log.event(id: UUID()) == nil)
            // Replay covers the same events as read.
            var replayed: [RecordedEvent] = []
            try log.replay(from: 4, through: 7, chunk: 2) { replayed.append($0) }
            let direct = try log.read(from: 4, limit: 4)
            #expect(replayed == direct)
        }
    }

    @Test(arguments: Backend.allCases) func recordedFieldsRoundTrip(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            let corr = UUID(), cause = UUID()
            let occurred = Timestamp(microseconds: 1_700_000_000_123_456)
            let p = ProposedEvent(type: "Lead.Handed-Off_2", schemaVersion: 7, occurredAt: occurred, actor: "zoë ✓",
                                  correlationID: corr, causationID: cause, payload: json(#"{"x":"ü"}"#), signature: [0, 255, 7])
            let r = try log.append(to: "lead/L-1 ☃", [p])
            let e = try #require(try log.read(from: 1).first)
            #expect(e == r.events[0])
            #expect(e.id == p.id)
            #expect(e.stream == "lead/L-1 ☃")
            #expect(e.type == p.type)
            #expect(e.schemaVersion == 7)
            #expect(e.occurredAt == occurred)
            #expect(e.actor == "zoë ✓")
            #expect(e.correlationID == corr)
            #expect(e.causationID == cause)
            #expect(e.signature == [0, 255, 7])
            #expect(e.payloadString == #"{"x":"ü"}"#)
            // occurredAt defaults to the recorded-at time.
            let d = try log.append(to: "x", [event(1)]).events[0]
            #expect(d.occurredAt == d.recordedAt)
        }
    }

    // MARK: Reopening

    @Test func openReusesTheLiveInstance() throws {
        try withLedger { log, dir throws in
            let again = try EventLog.open(at: dir.path)
            #expect(again === log)
            let viaOtherSpelling = try EventLog.open(at: dir.path + "/./")
            #expect(viaOtherSpelling === log)
        }
    }

    @Test func reopenAfterReleaseSeesEverything() async throws {
        try await withTempDirAsync { dir in
            var written: [RecordedEvent] = []
            var ledgerID = UUID()
            var head = Checkpoint(position: 0, hash: .genesis)
            weak var weakEnv: Environment?
            do {
                let log = try EventLog.create(at: dir.path)
                ledgerID = log.ledgerID
                written += try appendMany(log, stream: "a", count: 5).flatMap(\.events)
                written += try log.append([StreamAppend(stream: "b", events: [event(1), event(2)])]).events
                head = try log.head()
                weakEnv = try log.env
            }
            // Let the released instance finish (its writer thread holds the environment until it exits),
            // so the reopen below is a real close-then-open.
            #expect(waitUntilReleased({ weakEnv }), "the released log's environment was never closed")

            let log = try EventLog.open(at: dir.path)
            #expect(log.ledgerID == ledgerID)
            #expect(try log.head() == head)
            #expect(try log.read(from: 1) == written)
            #expect(try log.version(of: "a") == 5)
            // It keeps appending where it stopped, chained to the old head.
            let r = try log.append(to: "a", expected: .exact(5), [event(6)])
            #expect(r.events[0].position == head.position + 1)
            #expect(r.events[0].version == 6)
            #expect(try log.verify(checkpoint: head).checkpointMatched == true)

            // And another process sees the same ledger.
            let (child, raw) = try verifyInChild(dir.path, checkpoint: head)
            #expect(child == .ok(events: head.position + 1, head: try log.head().description), "\(raw)")
            let appended = try ProbeProcess.run(["append", dir.path, "a", "3"])
            #expect(appended.exit == .exited(0), "\(appended)")
            #expect(try log.version(of: "a") == 9)
            #expect(try log.verify().isSound)
        }
    }

    @Test func theHeadFollowsOtherProcessesCommits() throws {
        // `head()` answers from the last head read while no commit follows it; another process's commit must show.
        try withLedger { log, dir throws in
            try appendMany(log, stream: "mine", count: 2)
            let before = try log.head()
            #expect(try log.head() == before)
            let appended = try ProbeProcess.run(["append", dir.path, "theirs", "3"])
            #expect(appended.exit == .exited(0), "\(appended)")
            let after = try log.head()
            #expect(after.position == before.position + 3)
            #expect(after == (try log.read(from: after.position, limit: 1).last.map { Checkpoint(position: $0.position, hash: $0.hash) }))
            try log.transaction { tx in tx.requestIndex() }  // a commit that appends nothing
            #expect(try log.head() == after)
            try log.append(to: "mine", [event(3)])
            #expect(try log.head().position == after.position + 1)
        }
    }

    #if os(Linux)
    /// LMDB must not be opened twice by one process: closing the second handle drops the process's POSIX
    /// locks on `lock.mdb`, after which another process opening the ledger believes it is alone and resets
    /// the shared lock table (reader slots, writer mutex) under the live handle. A released log's
    /// environment outlives it briefly (its writer thread holds it); a reopen in that window must share it.
    @Test func reopenWhileTheOldEnvironmentIsStillAliveKeepsTheLockFileLocked() throws {
        try withTempDir { dir throws in
            var oldEnv: Environment?
            do {
                let log = try EventLog.create(at: dir.path)
                try log.append(to: "s", [event(1)])
                oldEnv = try log.env  // stands in for the writer thread that has not exited yet
            }
            let log = try EventLog.open(at: dir.path)
            oldEnv = nil  // the old handle goes away while `log` is open
            _ = oldEnv
            let inode = try #require((try FileManager.default.attributesOfItem(atPath: dir.sub("lock.mdb"))[.systemFileNumber]) as? NSNumber)
            let pid = getpid()
            let locks = try String(contentsOfFile: "/proc/locks", encoding: .utf8)
            let held = locks.split(separator: "\n").contains { line in
                let f = line.split(separator: " ", omittingEmptySubsequences: true)
                return f.count >= 6 && f.contains("POSIX") && f.contains(Substring(String(pid)))
                    && f.contains { $0.hasSuffix(":\(inode.uint64Value)") }
            }
            #expect(held, "the open ledger's lock file is no longer locked by this process (LMDB was opened twice and one handle closed)")
            try log.append(to: "s", [event(2)])
            #expect(try log.verify().isSound)
        }
    }
    #endif

    // MARK: Refusals

    @Test func unsupportedFormatIsRefused() throws {
        try withTempDir { dir throws in
            weak var weakEnv: Environment?
            do {
                let log = try EventLog.create(at: dir.path)
                try log.append(to: "s", [event(1)])
                try log.env.write { w in
                    var v = (EventLog.formatVersion + 1).littleEndian
                    try withUnsafeBytes(of: &v) { value in
                        try Meta.format.withUnsafeBytes { key in try w.put(w.dbs.meta, key, value) }
                    }
                }
                // Another process refuses it while this one still has it open.
                let r = try ProbeProcess.run(["head", dir.path])
                #expect(r.exit == .exited(3), "\(r)")
                #expect(r.stdout.contains("uses on-disk format version \(EventLog.formatVersion + 1), but this build reads version \(EventLog.formatVersion)"), "\(r)")
                let v = try ProbeProcess.run(["verify", dir.path])
                #expect(v.exit == .exited(3), "\(v)")
                #expect(v.stdout.contains("format version \(EventLog.formatVersion + 1)"), "\(v)")
                weakEnv = try log.env
            }
            #expect(waitUntilReleased({ weakEnv }))
            expectError(.unsupportedFormat(path: dir.path, found: EventLog.formatVersion + 1, supported: EventLog.formatVersion)) {
                _ = try EventLog.open(at: dir.path)
            }
            // The refusal left the file alone.
            let again = try ProbeProcess.run(["head", dir.path])
            #expect(again.stdout.contains("format version \(EventLog.formatVersion + 1)"), "\(again)")
        }
    }

    @Test func notALedgerIsRefused() throws {
        try withTempDir("notledger") { dir throws in
            try dir.create()
            func expectNotALedger(_ path: String, _ why: String, sourceLocation: SourceLocation = #_sourceLocation) {
                do {
                    let log = try EventLog.open(at: path)
                    Issue.record("\(why): opened as a ledger \(log.ledgerID)", sourceLocation: sourceLocation)
                } catch EventLogError.notALedger(let p, let reason) {
                    #expect(p == path, sourceLocation: sourceLocation)
                    #expect(!reason.isEmpty, sourceLocation: sourceLocation)
                } catch {
                    Issue.record("\(why): expected notALedger, got \(error)", sourceLocation: sourceLocation)
                }
            }
            // Missing.
            expectNotALedger(dir.sub("missing"), "missing directory")
            #expect(!FileManager.default.fileExists(atPath: dir.sub("missing")), "open must not create a directory")
            // A plain file.
            _ = FileManager.default.createFile(atPath: dir.sub("file"), contents: Data("hello".utf8))
            expectNotALedger(dir.sub("file"), "plain file")
            // An empty directory.
            try FileManager.default.createDirectory(atPath: dir.sub("empty"), withIntermediateDirectories: false)
            expectNotALedger(dir.sub("empty"), "empty directory")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.sub("empty")).isEmpty)
            // A directory with a garbage data.mdb (larger than LMDB's meta pages, and a tiny one).
            try FileManager.default.createDirectory(atPath: dir.sub("garbage"), withIntermediateDirectories: false)
            var rng = TestRandom(stream: 601)
            let garbage = Data((0..<65_536).map { _ in UInt8.random(in: 0...255, using: &rng) })
            try garbage.write(to: URL(fileURLWithPath: dir.sub("garbage") + "/data.mdb"))
            expectNotALedger(dir.sub("garbage"), "garbage data.mdb")
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir.sub("garbage") + "/data.mdb")) == garbage, "open changed a foreign file")
            do {
                _ = try EventLog.create(at: dir.sub("garbage"))
                Issue.record("create over a garbage data.mdb succeeded")
            } catch EventLogError.notALedger {}
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir.sub("garbage") + "/data.mdb")) == garbage, "create changed a foreign file")
            try FileManager.default.createDirectory(atPath: dir.sub("tiny"), withIntermediateDirectories: false)
            try Data("not an lmdb file\n".utf8).write(to: URL(fileURLWithPath: dir.sub("tiny") + "/data.mdb"))
            expectNotALedger(dir.sub("tiny"), "short garbage data.mdb")
            // An LMDB file that is not a ledger: no ledger metadata (e.g. a create that never committed).
            try FileManager.default.createDirectory(atPath: dir.sub("bare"), withIntermediateDirectories: false)
            do { _ = try Environment(path: dir.sub("bare"), create: true) }
            expectNotALedger(dir.sub("bare"), "LMDB file without ledger metadata")
            // An LMDB file with none of the ledger's databases (another program's, or a create killed at once).
            try FileManager.default.createDirectory(atPath: dir.sub("plain-lmdb"), withIntermediateDirectories: false)
            var plain: OpaquePointer?
            #expect(mdb_env_create(&plain) == 0)
            #expect(mdb_env_open(plain, dir.sub("plain-lmdb"), 0, 0o644) == 0)
            mdb_env_close(plain)
            expectNotALedger(dir.sub("plain-lmdb"), "LMDB file without the ledger's databases")
            do {
                _ = try EventLog.create(at: dir.sub("plain-lmdb"))
                Issue.record("create over an LMDB file without the ledger's databases succeeded")
            } catch EventLogError.notALedger(_, let reason) {
                #expect(reason.contains("interrupted"), "\(reason)")
            }
            // Creating over it is refused the same way, with the way out (it may be another program's file).
            do {
                _ = try EventLog.create(at: dir.sub("bare"))
                Issue.record("create over an LMDB file without ledger metadata succeeded")
            } catch EventLogError.notALedger(_, let reason) {
                #expect(reason.contains("interrupted") && reason.contains("remove the directory"), "\(reason)")
            }
            // And the child process refuses the same way (exit 3, message on stdout).
            let r = try ProbeProcess.run(["head", dir.sub("garbage")])
            #expect(r.exit == .exited(3), "\(r)")
            #expect(r.stdout.contains("is not an alignment ledger"), "\(r)")
        }
    }

    @Test func createRefusesAnExistingLedgerAndForeignDirectories() throws {
        try withLedger { log, dir throws in
            try log.append(to: "s", [event(1)])
            let head = try log.head()
            expectError(.alreadyExists(path: dir.path)) { _ = try EventLog.create(at: dir.path) }
            #expect(try log.head() == head)
            #expect(try EventLog.open(at: dir.path) === log)
        }
        try withTempDir("create") { dir throws in
            try dir.create()
            _ = FileManager.default.createFile(atPath: dir.sub("file"), contents: Data("x".utf8))
            do {
                _ = try EventLog.create(at: dir.sub("file"))
                Issue.record("create over a plain file succeeded")
            } catch EventLogError.notALedger {} catch { Issue.record("unexpected \(error)") }
            try FileManager.default.createDirectory(atPath: dir.sub("busy"), withIntermediateDirectories: false)
            _ = FileManager.default.createFile(atPath: dir.sub("busy") + "/notes.txt", contents: Data("keep".utf8))
            expectInvalidInput { _ = try EventLog.create(at: dir.sub("busy")) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.sub("busy")) == ["notes.txt"])
            // A new nested path and an existing empty directory are fine.
            let nested = try EventLog.create(at: dir.sub("new/nested/ledger"))
            #expect(try nested.head() == Checkpoint(position: 0, hash: .genesis))
            try FileManager.default.createDirectory(atPath: dir.sub("empty"), withIntermediateDirectories: false)
            let inEmpty = try EventLog.create(at: dir.sub("empty"))
            #expect(inEmpty.ledgerID != nested.ledgerID)
        }
    }

    // MARK: Limits

    @Test(arguments: Backend.allCases) func limitsAreCheckedAndWriteNothing(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            try log.append(to: "ok", [event(0)])
            let head = try log.head()
            func refused(_ what: String, _ appends: [StreamAppend], sourceLocation: SourceLocation = #_sourceLocation) {
                let message = expectInvalidInput(sourceLocation: sourceLocation) { try log.append(appends) }
                #expect(message != nil, "\(what)", sourceLocation: sourceLocation)
                #expect((try? log.head()) == head, "\(what) wrote something", sourceLocation: sourceLocation)
            }
            func one(_ e: ProposedEvent, stream: String = "s") -> [StreamAppend] { [StreamAppend(stream: stream, events: [e])] }
            let ok = event(1)

            // Stream names.
            refused("empty stream name", one(ok, stream: ""))
            refused("201-byte stream name", one(ok, stream: String(repeating: "a", count: 201)))
            refused("201-byte stream name in multi-byte characters", one(ok, stream: String(repeating: "é", count: 100) + "a"))
            refused("control character in a stream name", one(ok, stream: "a\u{07}b"))
            refused("newline in a stream name", one(ok, stream: "a\nb"))
            refused("DEL in a stream name", one(ok, stream: "a\u{7F}"))
            refused("C1 control in a stream name", one(ok, stream: "a\u{85}"))
            // Type names.
            for bad in ["", "has space", "slash/type", "ümlaut", "tab\t", String(repeating: "T", count: 101), "a:b"] {
                var e = ok; e.type = bad
                refused("type \(bad.debugDescription)", one(e))
            }
            // Actors.
            for bad in ["", String(repeating: "x", count: 201), "a\u{0}b"] {
                var e = ok; e.actor = bad
                refused("actor \(bad.debugDescription)", one(e))
            }
            // Payloads: over the size limit (valid JSON, so only the size refuses it), invalid JSON, duplicate keys.
            var big = ok
            big.payload = [UInt8(ascii: "\"")] + [UInt8](repeating: UInt8(ascii: "a"), count: Limits.maxPayloadBytes - 1) + [UInt8(ascii: "\"")]
            #expect(big.payload.count == Limits.maxPayloadBytes + 1)
            refused("1 MiB + 1 payload", one(big))
            for bad in ["", "   ", "{", #"{"a":}"#, #"{"a":1,}"#, "[1,2", "nul", "01", "1.", "-", #"{"a":1} x"#, #""\x""#,
                        #"{"a":1,"a":2}"#, #"{"b":{"k":1,"k":1}}"#, #"[{"a":1,"a":1}]"#, #"{"a":1,"\u0061":2}"#,
                        "'single'", "{a:1}", "NaN", "\"\u{01}\"", #""\ud800""#] {
                var e = ok; e.payload = json(bad)
                refused("payload \(bad.debugDescription)", one(e))
            }
            var badUTF8 = ok; badUTF8.payload = [0x22, 0xC3, 0x28, 0x22]
            refused("invalid UTF-8 in a payload", one(badUTF8))
            // Signatures.
            var sig = ok; sig.signature = [UInt8](repeating: 1, count: Limits.maxSignatureBytes + 1)
            refused("oversized signature", one(sig))
            // No events at all.
            refused("no events", [StreamAppend(stream: "s", events: [])])
            refused("no appends", [])
            // A bad event late in a request refuses the whole request.
            var late = ok; late.payload = json("{")
            refused("bad second event", [StreamAppend(stream: "s", events: [event(2), late])])
            #expect(try log.version(of: "s") == nil)
            #expect(try log.read(stream: "s").isEmpty)
            // Reading a stream with an invalid name is refused too.
            expectInvalidInput { _ = try log.read(stream: "") }
        }
    }

    @Test(arguments: Backend.allCases) func limitsAreInclusive(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            let stream200 = String(repeating: "s", count: 200)
            var e = event(1)
            e.type = String(repeating: "T", count: 100)
            e.actor = String(repeating: "é", count: 100)  // 200 bytes
            e.signature = [UInt8](repeating: 9, count: Limits.maxSignatureBytes)
            e.payload = [UInt8(ascii: "\"")] + [UInt8](repeating: UInt8(ascii: "b"), count: Limits.maxPayloadBytes - 2) + [UInt8(ascii: "\"")]
            let r = try log.append(to: stream200, [e])
            let stored = try #require(try log.read(from: 1).first)
            #expect(stored == r.events[0])
            #expect(stored.stream == stream200)
            #expect(stored.payload.count == Limits.maxPayloadBytes)
            #expect(stored.signature.count == Limits.maxSignatureBytes)
            #expect(try log.verify().isSound)
        }
    }

    // MARK: Canonical payloads

    @Test(arguments: Backend.allCases) func payloadIsStoredCanonically(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            let input = " {\n \"b\" : 1 ,\t\"a\" : [ 1 , 2.50 , -0 , 1e+2 ] , \"c\" : { \"z\" : true , \"y\" : null, \"é\": \"\\u00e9\\/\\u0041\\n\" } } \r\n"
            let expected = #"{"a":[1,2.50,-0,1e+2],"b":1,"c":{"y":null,"z":true,"é":"é/A\n"}}"#
            let r = try log.append(to: "s", [ProposedEvent(type: "T", actor: "me", payload: json(input))])
            #expect(r.events[0].payloadString == expected)
            #expect(try log.read(from: 1)[0].payloadString == expected)
            // As stored in the record bytes.
            var stored: [UInt8] = []
            try log.replayRaw(from: 1, through: 1) { pos, v in stored = try RecordCodec.decode(position: pos, v).payload }
            #expect(stored == json(expected))
            #expect(CanonicalJSON.isCanonical(stored))
            // Keys sort by UTF-8 bytes, so upper case before lower case and shorter prefixes first.
            let k = try log.append(to: "s", [ProposedEvent(type: "T", actor: "me", payload: json(#"{"b":0,"B":0,"ab":0,"a":0,"":0}"#))])
            #expect(k.events[0].payloadString == #"{"":0,"B":0,"a":0,"ab":0,"b":0}"#)
        }
    }

    // MARK: Group commit

    @Test(arguments: Backend.allCases) func concurrentAsyncAppendsAllSucceedWithGaplessPositions(_ backend: Backend) async throws {
        try await withLedgerAsync(backend) { log, _ in
            let tasks = 16, perTask = 8
            let results = try await withThrowingTaskGroup(of: [RecordedEvent].self) { group in
                for t in 0..<tasks {
                    group.addTask {
                        var out: [RecordedEvent] = []
                        for i in 1...perTask {
                            let r = try await log.append([StreamAppend(stream: "task/\(t)", expected: .exact(UInt64(i - 1)), events: [event(i)])])
                            #expect(!r.wasDuplicate)
                            out += r.events
                        }
                        return out
                    }
                }
                var all: [[RecordedEvent]] = []
                for try await r in group { all.append(r) }
                return all
            }
            #expect(results.count == tasks)
            let positions = results.flatMap { $0.map(\.position) }.sorted()
            #expect(positions == Array(1...UInt64(tasks * perTask)))
            for events in results {
                #expect(events.map(\.version) == Array(1...UInt64(perTask)))
                #expect(events.map(\.position) == events.map(\.position).sorted())
            }
            let stored = try log.read(from: 1, limit: 10_000)
            #expect(stored == results.flatMap { $0 }.sorted { $0.position < $1.position })
            #expect(try log.verify().isSound)
        }
    }

    @Test(arguments: Backend.allCases) func refusedAppendsInAGroupCommitLeaveNoTrace(_ backend: Backend) async throws {
        // Many appends at once are committed in shared batches; a multi-stream append refused on its second
        // stream must not leave its first stream's events behind, whatever else shares its transaction.
        try await withLedgerAsync(backend) { log, _ in
            try log.append(to: "blocker", [event(0)])
            let n = 96
            let outcomes = try await withThrowingTaskGroup(of: (Int, [UUID], Bool).self) { group in
                for i in 0..<n {
                    group.addTask {
                        if i % 2 == 0 {
                            let e = event(i)
                            let r = try await log.append([StreamAppend(stream: "ok/\(i)", expected: .noStream, events: [e])])
                            return (i, r.events.map(\.id), true)
                        }
                        let e1 = event(i), e2 = event(i + 1), e3 = event(i + 2)
                        do {
                            try await log.append([
                                StreamAppend(stream: "doomed/\(i)", expected: .noStream, events: [e1, e2]),
                                StreamAppend(stream: "blocker", expected: .noStream, events: [e3]),
                            ])
                            Issue.record("append \(i) should have been refused")
                        } catch let e as EventLogError {
                            #expect(e == .wrongExpectedVersion(stream: "blocker", expected: .noStream, actual: 1))
                        }
                        return (i, [e1.id, e2.id, e3.id], false)
                    }
                }
                var all: [(Int, [UUID], Bool)] = []
                for try await o in group { all.append(o) }
                return all
            }
            #expect(outcomes.count == n)
            for (i, ids, ok) in outcomes {
                if ok {
                    #expect(try log.version(of: "ok/\(i)") == 1)
                    #expect(try log.event(id: ids[0]) != nil)
                } else {
                    #expect(try log.version(of: "doomed/\(i)") == nil, "refused append \(i) left events behind")
                    for id in ids { #expect(try log.event(id: id) == nil) }
                }
            }
            let all = try log.read(from: 1, limit: 10_000)
            #expect(all.count == 1 + n / 2)
            #expect(all.map(\.position) == Array(1...UInt64(all.count)))
            #expect(!all.contains { $0.stream.hasPrefix("doomed/") })
            #expect(try log.version(of: "blocker") == 1)
            #expect(try log.verify().isSound)
        }
    }

    @Test(arguments: Backend.allCases) func failedTransactionBodiesInSharedBatchesUndoOnlyTheirOwnWrites(_ backend: Backend) throws {
        // Transaction bodies from many threads share batches, and jobs that arrive while a batch is being written
        // join it. A body that writes and then throws must lose its writes (and its events), and only those.
        struct Refused: Error {}
        try withLedger(backend) { log, _ in
            try log.prepareSideTables(["side"])
            let threads = 8, rounds = 25
            let group = DispatchGroup()
            for t in 0..<threads {
                group.enter()
                Thread {
                    defer { group.leave() }
                    for r in 0..<rounds {
                        let key = Array("\(t)/\(r)".utf8), fails = (t + r) % 3 == 0
                        do {
                            try log.transaction { tx in
                                try tx.put("side", key, [UInt8(t), UInt8(r)])
                                _ = try tx.append([StreamAppend(stream: "s/\(t)", events: [event(r)])])
                                if fails { throw Refused() }
                            }
                            #expect(!fails)
                        } catch is Refused {
                            #expect(fails)
                        } catch {
                            Issue.record("unexpected \(error)")
                        }
                    }
                }.start()
            }
            group.wait()
            var expectedEvents = 0
            for t in 0..<threads {
                let kept = (0..<rounds).filter { ($0 + t) % 3 != 0 }
                expectedEvents += kept.count
                #expect(try log.read(stream: "s/\(t)").map { payloadObject($0)?["n"] as? Int } == kept)
                for r in 0..<rounds {
                    let value = try log.transaction { tx in try tx.get("side", Array("\(t)/\(r)".utf8)) }
                    #expect(value == ((t + r) % 3 == 0 ? nil : [UInt8(t), UInt8(r)]), "side row \(t)/\(r)")
                }
            }
            #expect(try log.read(from: 1, limit: 10_000).count == expectedEvents)
            #expect(try log.verify().isSound)
        }
    }

    @Test(arguments: Backend.allCases) func concurrentSyncAndAsyncAppendsWithConflictsStayConsistent(_ backend: Backend) async throws {
        // Several writers race on one stream with exact expected versions: exactly one wins each version.
        try await withLedgerAsync(backend) { log, _ in
            let writers = 8, rounds = 10
            let wins = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<writers {
                    group.addTask {
                        var won = 0
                        for _ in 0..<rounds {
                            let v = try log.version(of: "hot") ?? 0
                            do {
                                try await log.append([StreamAppend(stream: "hot", expected: .exact(v), events: [event(Int(v) + 1)])])
                                won += 1
                            } catch EventLogError.wrongExpectedVersion(let s, _, _) {
                                #expect(s == "hot")
                            }
                        }
                        return won
                    }
                }
                return try await group.reduce(0, +)
            }
            let events = try log.read(stream: "hot")
            #expect(events.count == wins)
            #expect(events.map(\.version) == Array(1...UInt64(wins)))
            #expect(events.map { payloadObject($0)?["n"] as? Int } == Array(1...wins))
            #expect(try log.verify().isSound)
        }
    }

    // MARK: Subscriptions

    @Test(.timeLimit(.minutes(1)))
    func subscriptionCatchesUpThenDeliversInProcessAndCrossProcessAppends() async throws {
        try await withLedgerAsync { log, dir in
            try appendMany(log, stream: "early", count: 5)
            let stream = log.subscribe(from: 2, pollInterval: .milliseconds(5))
            let collector = SubscriptionCollector(stream)

            // Catch-up: positions 2...5.
            let caught = try await collector.next(4, timeout: 20)
            #expect(caught.map(\.position) == [2, 3, 4, 5])

            // In process.
            try await log.append([StreamAppend(stream: "live", events: [event(1), event(2), event(3)])])
            let live = try await collector.next(3, timeout: 20)
            #expect(live.map(\.position) == [6, 7, 8])
            #expect(live.map(\.stream) == ["live", "live", "live"])

            // From another process.
            let child = try ProbeProcess.run(["append", dir.path, "remote", "4"])
            #expect(child.exit == .exited(0), "\(child)")
            let remote = try await collector.next(4, timeout: 20)
            #expect(remote.map(\.position) == [9, 10, 11, 12])
            #expect(remote.map(\.stream) == Array(repeating: "remote", count: 4))
            #expect(remote.map { payloadObject($0)?["n"] as? Int } == [1, 2, 3, 4])
            #expect(remote.map(\.version) == [1, 2, 3, 4])
            collector.cancel()
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func subscriptionSeesAChildAppendingWhileItWaits() async throws {
        try await withLedgerAsync { log, dir in
            let collector = SubscriptionCollector(log.subscribe(pollInterval: .milliseconds(5)))
            let child = try ProbeProcess(["append", dir.path, "remote", "25"])
            let got = try await collector.next(25, timeout: 30)
            let r = child.wait(timeout: 30)
            #expect(r.exit == .exited(0), "\(r)")
            #expect(got.map(\.position) == Array(1...25))
            #expect(got.map(\.version) == Array(1...25))
            collector.cancel()
        }
    }
}

/// Pulls events from a subscription on its own task; `next(n, timeout:)` waits for the next `n` events and
/// fails (rather than hanging) when they do not come in time: the wait races a timer in a task group.
final class SubscriptionCollector: @unchecked Sendable {
    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var buffer: [RecordedEvent] = []
        var failure: Error?
        var finished = false
        func with<T>(_ body: (State) -> T) -> T { lock.lock(); defer { lock.unlock() }; return body(self) }
    }
    private let state = State()
    private let task: Task<Void, Never>

    struct Timeout: Error, CustomStringConvertible {
        var wanted: Int, got: Int
        var description: String { "subscription timed out waiting for \(wanted) events (got \(got))" }
    }

    init(_ stream: AsyncThrowingStream<RecordedEvent, Error>) {
        let s = state
        task = Task {
            do {
                for try await e in stream { s.with { $0.buffer.append(e) } }
                s.with { $0.finished = true }
            } catch {
                s.with { $0.finished = true; $0.failure = error }
            }
        }
    }

    deinit { task.cancel() }

    func next(_ n: Int, timeout seconds: Double) async throws -> [RecordedEvent] {
        let s = state
        return try await withThrowingTaskGroup(of: [RecordedEvent].self) { group in
            group.addTask {
                while true {
                    let (taken, failure, finished): ([RecordedEvent]?, Error?, Bool) = s.with { st in
                        if st.buffer.count >= n {
                            let out = Array(st.buffer.prefix(n))
                            st.buffer.removeFirst(n)
                            return (out, nil, false)
                        }
                        return (nil, st.failure, st.finished)
                    }
                    if let taken { return taken }
                    if let failure { throw failure }
                    if finished { throw Timeout(wanted: n, got: s.with { $0.buffer.count }) }
                    try await Task.sleep(for: .milliseconds(2))
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                throw Timeout(wanted: n, got: s.with { $0.buffer.count })
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    func cancel() { task.cancel() }
}
