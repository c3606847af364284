// Tamper evidence: altered, deleted, swapped and rolled-back records are caught by `verify`, which names the
// first bad position. Damage is done on fresh copies of one ledger, through LMDB (a clean B-tree holding
// wrong records) or to the raw file bytes. The verifier runs in a child (`eventlog-probe verify`) because
// LMDB itself may crash on a damaged page; for damage done through LMDB a crash of the child is a failure.
import Foundation
import Testing
@testable import EventLog
@testable import EventLogLMDB
import EventLogMemory

/// A ledger of 200 events whose payloads carry unique markers, built once per test, with every event indexed
/// (`indexTail`), unless `indexed` is false: then all 200 are in the unindexed tail.
struct TamperFixture {
    static let events = 200
    let root: TempDir
    let path: String
    let log: EventLog
    let head: Checkpoint
    /// Position -> the unique marker string in its payload.
    let markers: [UInt64: String]

    init(indexed: Bool = true) throws {
        root = TempDir("tamper")
        try root.create()
        path = root.sub("ledger")
        log = try EventLog.create(at: path)
        var markers: [UInt64: String] = [:]
        let salt = UUID().uuidString.prefix(8)
        for i in 1...Self.events {
            let marker = "MARK\(salt)x\(String(format: "%06d", i))"
            let r = try log.append(to: "stream/\(i % 5)", [event(i, actor: "actor-\(i % 3)", marker: marker)])
            markers[r.events[0].position] = marker
        }
        self.markers = markers
        if indexed { try log.indexTail() }
        head = try log.head()
    }

    func remove() { root.remove() }

    /// A fresh file copy of the ledger (data.mdb only) in a new directory.
    func copy(_ name: String = UUID().uuidString) throws -> String {
        let dest = root.sub(name)
        try copyLedger(from: path, to: dest)
        return dest
    }

    /// A compacted hot backup (no free pages, so each record's bytes occur once in the file).
    func compactCopy(_ name: String = UUID().uuidString) throws -> String {
        let dest = root.sub(name)
        try log.backup(to: dest)
        return dest
    }
}

func positionKey(_ p: UInt64) -> [UInt8] { withUnsafeBytes(of: Keys.record(p)) { Array($0) } }

/// Changes a copied ledger through LMDB, in one durable write transaction of this process.
func tamper(_ path: String, _ body: (WriteTransaction) throws -> Void) throws {
    let log = try EventLog.open(at: path)
    try log.env.write { w in try body(w) }
}

func storedRecord(_ w: WriteTransaction, _ position: UInt64) throws -> [UInt8] {
    Array(try #require(try w.reader.record(at: position)))
}

/// Runs the child verifier; records a clear failure (and returns nil) when the child crashed or said ok.
func expectCaught(_ path: String, checkpoint: Checkpoint? = nil, at expected: UInt64, _ what: String,
                  sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
    let (verdict, raw) = try verifyInChild(path, checkpoint: checkpoint)
    switch verdict {
    case .bad(let position, let reason):
        #expect(position == expected, "\(what): verify named position \(position) (\(reason)), expected \(expected)", sourceLocation: sourceLocation)
        return reason
    case .ok:
        Issue.record("\(what) was NOT caught: verify said \(verdict)", sourceLocation: sourceLocation)
    case .error(let e):
        Issue.record("\(what): verify failed with an error instead of naming position \(expected): \(e)", sourceLocation: sourceLocation)
    case .crashed(let exit, _):
        Issue.record("\(what): the verifier child process crashed (\(exit)) instead of reporting the damage — \(raw)", sourceLocation: sourceLocation)
    }
    return nil
}

@Suite("Tamper evidence")
struct TamperTests {
    enum Region: String, CaseIterable, Sendable {
        case flags, lengthField, version, recordedAt, id, streamName, payload, trailingHash
    }

    @Test(arguments: Region.allCases)
    func flippedByteInARecordIsCaught(_ region: Region) throws {
        let f = try TamperFixture()
        defer { f.remove() }
        var rng = TestRandom(stream: 100 + UInt64(Region.allCases.firstIndex(of: region) ?? 0))
        let k = UInt64.random(in: 2...UInt64(TamperFixture.events - 1), using: &rng)
        let copy = try f.copy()
        try tamper(copy) { w in
            var v = try storedRecord(w, k)
            let offset: Int = switch region {
            case .flags: 1
            case .lengthField: Int.random(in: 4..<16, using: &rng)
            case .version: Int.random(in: 16..<24, using: &rng)
            case .recordedAt: Int.random(in: 24..<32, using: &rng)
            case .id: Int.random(in: 40..<56, using: &rng)
            case .streamName: 88
            case .payload: Int.random(in: (v.count - 32 - 20)..<(v.count - 32), using: &rng)
            case .trailingHash: Int.random(in: (v.count - 32)..<v.count, using: &rng)
            }
            v[offset] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            try w.put(w.dbs.events, positionKey(k), v)
        }
        _ = try expectCaught(copy, at: k, "a flipped \(region) byte in record \(k) (\(TestRandom.note))")
        // The same answer in process (the B-tree itself is intact).
        let report = try EventLog.open(at: copy).verify()
        #expect(report.problem?.position == k, "\(TestRandom.note)")
        // The pristine original is untouched and sound.
        #expect(try f.log.verify().isSound)
    }

    @Test func deletedRecordIsCaught() throws {
        let f = try TamperFixture()
        defer { f.remove() }
        let n = UInt64(TamperFixture.events)
        var rng = TestRandom(stream: 200)
        for k in [UInt64.random(in: 2...(n - 1), using: &rng), 1, n] {
            let copy = try f.copy()
            try tamper(copy) { w in try w.delete(w.dbs.events, positionKey(k)) }
            let reason = try expectCaught(copy, at: k, "deleting record \(k) (\(TestRandom.note))")
            #expect(reason.map { $0.contains("missing") || $0.contains("removed") } ?? true, "\(reason ?? "")")
        }
        // Deleting a record together with its index entries and rewinding the head still leaves a hole.
        let k = n / 2
        let copy = try f.copy()
        try tamper(copy) { w in
            let v = try storedRecord(w, k)
            try w.delete(w.dbs.ids, Array(v[40..<56]))
            try w.delete(w.dbs.events, positionKey(k))
        }
        _ = try expectCaught(copy, at: k, "deleting record \(k) and its id entry")
    }

    @Test func swappedRecordsAreCaught() throws {
        let f = try TamperFixture()
        defer { f.remove() }
        let n = UInt64(TamperFixture.events)
        var rng = TestRandom(stream: 300)
        let k = UInt64.random(in: 1...(n - 10), using: &rng)
        let j = UInt64.random(in: (k + 1)...n, using: &rng)
        for (a, b) in [(k, j), (k, k + 1)] {
            let copy = try f.copy()
            try tamper(copy) { w in
                let va = try storedRecord(w, a), vb = try storedRecord(w, b)
                try w.put(w.dbs.events, positionKey(a), vb)
                try w.put(w.dbs.events, positionKey(b), va)
            }
            _ = try expectCaught(copy, at: a, "swapping records \(a) and \(b) (\(TestRandom.note))")
        }
    }

    @Test func recordReplacedByAValidlyChainedForgeryIsCaughtByItsSuccessor() throws {
        // A forger who recomputes record k's own hash still breaks k+1's link (k+1 was chained to the old hash).
        let f = try TamperFixture()
        defer { f.remove() }
        let k = UInt64(TamperFixture.events / 2)
        let copy = try f.copy()
        try tamper(copy) { w in
            var v = try storedRecord(w, k)
            let previous = try RecordCodec.decode(position: k - 1, try #require(try w.reader.record(at: k - 1))).hash
            let bodyLen = v.count - 32
            v[bodyLen - 2] ^= 0x01  // inside the payload's closing value
            let h = v.withUnsafeBytes { RecordCodec.chain(previous: previous, position: k, body: UnsafeRawBufferPointer(rebasing: $0[0..<bodyLen])) }
            h.write(into: &v, at: bodyLen)
            try w.put(w.dbs.events, positionKey(k), v)
        }
        _ = try expectCaught(copy, at: k + 1, "a re-hashed forgery of record \(k)")
    }

    @Test func flippedByteInTheRawFileIsCaught() throws {
        let f = try TamperFixture()
        defer { f.remove() }
        var rng = TestRandom(stream: 400)
        let k = UInt64.random(in: 1...UInt64(TamperFixture.events), using: &rng)
        let marker = try #require(f.markers[k], "\(TestRandom.note)")
        let copy = try f.compactCopy()
        let file = URL(fileURLWithPath: copy + "/data.mdb")
        var bytes = try Data(contentsOf: file)
        let needle = Data(marker.utf8)
        let found = try #require(bytes.range(of: needle), "marker of position \(k) not found in the file")
        #expect(bytes.range(of: needle, in: found.upperBound..<bytes.endIndex) == nil, "marker occurs twice in a compacted file")
        bytes[found.upperBound - 3] ^= 0x01  // a digit of the marker: the payload stays valid JSON
        try bytes.write(to: file)

        let (verdict, raw) = try verifyInChild(copy)
        switch verdict {
        case .bad(let position, _):
            #expect(position == k, "verify named \(position), expected \(k): \(raw) (\(TestRandom.note))")
        case .crashed(.signaled(let s), _):
            // Acceptable for raw file damage only: LMDB does not checksum pages and may crash on a damaged one.
            // The crash stays in the child; the runner survives. (A byte inside a record's value should not
            // upset LMDB, so this is not expected here, only tolerated.)
            print("note: verifier child died of signal \(s) on a raw byte flip at position \(k)")
        default:
            Issue.record("a flipped byte in record \(k)'s raw bytes was not reported as bad \(k): \(verdict) — \(raw)")
        }
    }

    @Test func rollbackIsCaughtByALaterCheckpoint() throws {
        try withTempDir("rollback") { dir throws in
            try dir.create()
            let path = dir.sub("ledger")
            weak var weakEnv: Environment?
            let c1: Checkpoint, c2: Checkpoint
            do {
                let log = try EventLog.create(at: path)
                try appendMany(log, stream: "s", count: 200)
                c1 = try log.head()
                try copyLedger(from: path, to: dir.sub("at-c1"))  // the attacker's old copy
                try appendMany(log, stream: "s", count: 50, start: 201)
                c2 = try log.head()  // published elsewhere
                #expect(c2.position == 250)
                weakEnv = try log.env
            }
            #expect(waitUntilReleased({ weakEnv }))
            // Replace the ledger directory with the old copy.
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.moveItem(atPath: dir.sub("at-c1"), toPath: path)

            // On its own the old copy is a sound ledger; only the later checkpoint exposes it.
            let (plain, rawPlain) = try verifyInChild(path)
            #expect(plain == .ok(events: 200, head: c1.description), "\(rawPlain)")
            let (atC1, rawC1) = try verifyInChild(path, checkpoint: c1)
            #expect(atC1 == .ok(events: 200, head: c1.description), "\(rawC1)")
            let reason = try expectCaught(path, checkpoint: c2, at: c1.position + 1, "a rollback to position \(c1.position)")
            #expect(reason?.contains("rolled back") == true, "\(reason ?? "")")

            // Rolled back and then extended past the checkpoint with other events: caught at the checkpoint.
            let forged = try ProbeProcess.run(["append", path, "forged", "60"])
            #expect(forged.exit == .exited(0), "\(forged)")
            let (plain2, rawPlain2) = try verifyInChild(path)
            if case .ok(let n, _) = plain2 { #expect(n == 260) } else { Issue.record("the forged ledger should be self-consistent: \(rawPlain2)") }
            let reason2 = try expectCaught(path, checkpoint: c2, at: c2.position, "a rollback rewritten past the checkpoint")
            #expect(reason2?.contains("rewritten") == true, "\(reason2 ?? "")")
            // A checkpoint with the right position but another hash is refused too.
            var wrong = c1
            wrong.hash = ChainHash(hex: String(repeating: "ab", count: 32))!
            _ = try expectCaught(path, checkpoint: wrong, at: c1.position, "a checkpoint whose hash does not match")
        }
    }

    @Test func indexedMetadataPastTheEndIsCaught() throws {
        // The indexes claim more events than the log holds: records were cut off the end.
        let f = try TamperFixture()
        defer { f.remove() }
        let copy = try f.copy()
        try tamper(copy) { w in try w.put(w.dbs.meta, Meta.indexed, Meta.encode(f.head.position + 5)) }
        _ = try expectCaught(copy, at: f.head.position + 1, "an indexed position past the end")
    }

    @Test func recordsCutFromTheUnindexedTailAreCaughtByACheckpoint() throws {
        // Unindexed records cut from the end leave the Merkle tree longer than the log: caught. Cut from the tree too,
        // they leave a shorter, self-consistent log (as if the last commits had never happened): on its own it
        // verifies, and a checkpoint taken before the cut exposes it.
        let f = try TamperFixture(indexed: false)
        defer { f.remove() }
        #expect(try f.log.indexedPosition() == 0)
        let n = f.head.position
        let copy = try f.copy()
        try tamper(copy) { w in
            for k in (n - 2)...n { try w.delete(w.dbs.events, positionKey(k)) }
        }
        let treeReason = try expectCaught(copy, at: n - 2, "records cut from the tail but not from the tree")
        #expect(treeReason?.contains("Merkle tree has \(n) leaves") == true, "\(treeReason ?? "")")
        try tamper(copy) { w in
            let tree = try #require(try MerkleTable.tables(f.log.env)).tree
            for leaf in (n - 3)..<n {
                var key = leaf.bigEndian
                try w.delete(tree, withUnsafeBytes(of: &key) { Array($0) })
            }
        }
        let (plain, raw) = try verifyInChild(copy)
        if case .ok(let events, _) = plain { #expect(events == n - 3) } else { Issue.record("expected a sound shorter log: \(raw)") }
        let reason = try expectCaught(copy, checkpoint: f.head, at: n - 2, "records cut from the tail, against the head checkpoint")
        #expect(reason?.contains("rolled back") == true, "\(reason ?? "")")
        // A record deleted inside the tail is still a hole.
        let copy2 = try f.copy()
        try tamper(copy2) { w in try w.delete(w.dbs.events, positionKey(n / 2)) }
        _ = try expectCaught(copy2, at: n / 2, "deleting tail record \(n / 2)")
    }

    @Test func aRecordRepeatingAnIndexedIDIsCaughtAndNamedByTheNextWriter() throws {
        // An old record copied verbatim (same id, same signature) to the head, its version and chain recomputed:
        // verify names it, and the next process's writer, whose index pass cannot store the id twice, reports the
        // damage at that position instead of failing with LMDB's error.
        let f = try TamperFixture()
        defer { f.remove() }
        let k: UInt64 = 50
        let copy = try f.copy()
        let forged = try forgeRepeat(of: k, in: try EventLog.open(at: copy), .lmdb)
        #expect(forged == f.head.position + 1)
        let reason = try expectCaught(copy, at: forged, "record \(k) repeated at \(forged)")
        #expect(reason?.contains("already stored at position \(k)") == true, "\(reason ?? "")")
        let writer = try ProbeProcess.run(["append", copy, "later", "1"])
        #expect(writer.exit == .exited(3), "\(writer)")
        #expect(writer.stdout.contains("record at position \(forged) is damaged") && writer.stdout.contains("already stored at position \(k)"), "\(writer)")
        #expect(!writer.stdout.contains("MDB_KEYEXIST"), "\(writer)")
        _ = try expectCaught(copy, at: forged, "record \(k) repeated at \(forged), after the refused append")
    }

    @Test func damagedIndexesAreCaught() throws {
        let f = try TamperFixture()
        defer { f.remove() }
        let k: UInt64 = 77
        // An id index entry pointing elsewhere.
        let copy = try f.copy()
        try tamper(copy) { w in
            let v = try storedRecord(w, k)
            try w.put(w.dbs.ids, Array(v[40..<56]), withUnsafeBytes(of: UInt64(5).littleEndian) { Array($0) })
        }
        _ = try expectCaught(copy, at: k, "an id index entry moved from \(k) to 5")
        // A stream index entry removed.
        let copy2 = try f.copy()
        try tamper(copy2) { w in
            let v = try storedRecord(w, k)
            let e = try v.withUnsafeBytes { try RecordCodec.decode(position: k, $0) }
            let sid = try #require(try Streams.id(w.reader, e.stream))
            var key = Keys.streamIndex(sid, e.version)
            try w.delete(w.dbs.streamIndex, withUnsafeBytes(of: &key) { Array($0) })
        }
        _ = try expectCaught(copy2, at: k, "a stream index entry of \(k) removed")
    }

    /// Random single-byte damage (20 trials, `FLIP_TRIALS` raises it) anywhere in the data pages of a compacted copy. The verifier must either
    /// report it (exit 3), or say ok only when the byte was not part of any record, or die of a signal
    /// (LMDB has no page checksums and may crash on a damaged page: acceptable for raw damage, since it
    /// stays in the child). It must never hang, exit otherwise, or accept a damaged record.
    @Test func randomRawByteFlipsAreReportedOrHarmless() throws {
        let f = try TamperFixture()
        defer { f.remove() }
        let master = try f.compactCopy("master")
        let original = try Data(contentsOf: URL(fileURLWithPath: master + "/data.mdb"))
        // Where each record's stored bytes sit in the file.
        var recordAt: [(range: Range<Int>, position: UInt64)] = []
        try f.log.replayRaw { pos, v in
            let r = try #require(original.range(of: Data(v)), "record \(pos) not found in the compacted file")
            recordAt.append((r, pos))
        }
        let pageSize = 4096
        var outcomes: [String: Int] = [:]
        let trials = max(20, ProcessInfo.processInfo.environment["FLIP_TRIALS"].flatMap { Int($0) } ?? 0)
        var rng = TestRandom(stream: 500)
        for trial in 1...trials {
            let offset = Int.random(in: (2 * pageSize)..<original.count, using: &rng)
            let copy = f.root.sub("flip-\(trial)")
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
            var bytes = original
            bytes[offset] ^= UInt8.random(in: 1...255, using: &rng)
            try bytes.write(to: URL(fileURLWithPath: copy + "/data.mdb"))
            let inRecord = recordAt.first { $0.range.contains(offset) }?.position

            let (verdict, raw) = try verifyInChild(copy, timeout: 60)
            switch (verdict, raw.exit) {
            case (.bad(let p, _), _):
                outcomes["bad", default: 0] += 1
                if let k = inRecord { #expect(p == k, "flip at \(offset) inside record \(k) reported as position \(p) (\(TestRandom.note))") }
            case (.error, _):
                outcomes["error", default: 0] += 1
                #expect(inRecord == nil, "flip at \(offset) inside record \(inRecord ?? 0) gave an error instead of bad: \(raw) (\(TestRandom.note))")
            case (.ok, _):
                outcomes["ok", default: 0] += 1
                #expect(inRecord == nil, "flip at \(offset) inside record \(inRecord ?? 0) was NOT caught: \(raw) (\(TestRandom.note))")
            case (_, .signaled):
                outcomes["signal", default: 0] += 1
            default:
                Issue.record("flip at \(offset): the verifier neither reported, accepted nor crashed: \(raw) (\(TestRandom.note))")
            }
        }
        print("random raw flips: \(outcomes.sorted { $0.key < $1.key })")
    }
}
