// A ledger opened read only answers from its kept read models and what they lack folded in memory, and writes
// nothing; `backup` copies a ledger being written and verifies the copy.
import Foundation
import Testing
import AlignmentDomain
import AlignmentProjections
@testable import AlignmentLedger
import EventLog
import EventLogLMDB

/// The ledger at `path` opened read only, once this process has let go of a read-write handle of it (a released log's
/// writer thread keeps its environment a moment longer, and one process opens a path once).
func openReadOnly(_ path: String) throws -> AlignmentLedger {
    for _ in 0..<500 {
        let l = try AlignmentLedger.open(at: path, access: .readOnly)
        if l.access.isReadOnly { return l }
        Thread.sleep(forTimeInterval: 0.01)
    }
    throw EventLogError.storage("'\(path)' stayed open read-write in this process")
}

/// The same, read-write.
func openReadWrite(_ path: String) throws -> AlignmentLedger {
    for _ in 0..<500 {
        let l = try AlignmentLedger.open(at: path)
        if !l.access.isReadOnly { return l }
        Thread.sleep(forTimeInterval: 0.01)
    }
    throw EventLogError.storage("'\(path)' stayed open read-only in this process")
}

@Suite("read-only ledgers and backups")
struct ReadOnlyLedgerTests {
    /// An event appended behind the service's back leaves the kept models one event behind; read only, the answers
    /// fold it in memory (the same answers as a replay), and nothing is kept: the file is not touched.
    @Test func aReadOnlyLedgerFoldsWhatItsModelsLackInMemory() throws {
        try withLedgerDirectory { path in
            var f: Fixture? = try Fixture(path: path)
            try f!.populate()
            let payload = Array(#"{"actor":"otto","name":"Otto","roles":["sales"]}"#.utf8)
            let otto = try f!.ledger.log.append(to: "ledger", [ProposedEvent(type: "ActorRegistered", actor: "rita", payload: payload)])
            let head = try f!.ledger.log.head()
            let kept = try #require(try f!.ledger.projectionCheckpoints()[.state]?.position)
            #expect(kept < head.position)
            let replay = try f!.ledger.replay()
            let card = Scorecard.compute(buckets: replay.scorecard.buckets.map { ($0.key, $0.value) }, period: .week, since: nil, until: nil, byActor: true)
            f = nil
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb"))

            let ro = try openReadOnly(path)
            #expect(try ro.ledgerState().actors["otto"]?.roles == [.sales])
            for (stream, state) in try keptStates(ro) { #expect(try replay.state.state(stream) == state, "\(stream)") }
            #expect(try ro.scorecard(period: .week, since: nil, until: nil, byActor: true) == card)
            #expect(try ro.auditActor("rita").events.map(\.position).contains(try #require(otto.lastPosition)))
            let status = try ro.projectionStatus()
            #expect(status.foldedInMemoryThrough == head.position)
            #expect(status.projections.allSatisfy { $0.checkpoint == kept }, "the kept checkpoints are shown as kept")
            #expect(throws: EventLogError.readOnly(path: path)) { try ro.execute(.leadRecycle(id: "L-1"), as: "sam") }
            #expect(throws: EventLogError.readOnly(path: path)) { try ro.rebuild(progress: nil) }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb")) == bytes, "a read-only ledger was written")
        }
    }

    /// Kept models that are current are read as they are: nothing is folded in memory.
    @Test func currentModelsAreReadAsKept() throws {
        try withLedgerDirectory { path in
            var f: Fixture? = try Fixture(path: path)
            try f!.populate()
            let states = try keptStates(f!.ledger)
            f = nil
            let ro = try openReadOnly(path)
            #expect(try keptStates(ro) == states)
            #expect(try ro.projectionStatus().foldedInMemoryThrough == nil)
        }
    }

    /// A log written without the service (no side tables at all): read only, the models read as not kept, and the
    /// whole log is folded in memory for the answers; no table is created.
    @Test func aLedgerWithoutSideTablesReadsAsNotKept() throws {
        try withLedgerDirectory { path in
            let f = try Fixture(inMemory: ())
            try f.populate()
            let events = try f.ledger.log.read(from: 1, limit: 10_000)
            let states = try keptStates(f.ledger)
            do {
                let log = try EventLog.create(at: path)
                for e in events {
                    try log.append(to: e.stream, [ProposedEvent(type: e.type, schemaVersion: e.schemaVersion, occurredAt: e.occurredAt, actor: e.actor,
                                                                correlationID: e.correlationID, causationID: e.causationID, payload: e.payload)])
                }
            }
            Thread.sleep(forTimeInterval: 0.05)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb"))
            let ro = try openReadOnly(path)
            // The same stories (recorded again, so at other recording times), and the same as a replay of the copy.
            #expect(try Set(keptStates(ro).keys) == Set(states.keys))
            let actors = try f.ledger.ledgerState().actors.keys.sorted()
            #expect(try ro.ledgerState().actors.keys.sorted() == actors)
            let replay = try ro.replay()
            for (stream, state) in try keptStates(ro) { #expect(try replay.state.state(stream) == state, "\(stream)") }
            let status = try ro.projectionStatus()
            #expect(status.projections.allSatisfy { $0.keptVersion == 0 && $0.checkpoint == 0 })
            #expect(status.foldedInMemoryThrough == UInt64(events.count))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb")) == bytes)
        }
    }

    /// `backup` while another thread appends as fast as it can: every copy verifies, extends the head read before it,
    /// and answers as the ledger did at its head.
    @Test func backupWhileAWriterAppends() throws {
        try withFixture { f in
            let log = f.ledger.log
            let stop = Flag()
            let appended = Counter()
            let writer = Thread {
                let payload = Array(#"{"note":"load"}"#.utf8)
                while !stop.isSet {
                    if (try? log.append(to: "load/x", [ProposedEvent(type: "LoadTest", actor: "rita", payload: payload)])) != nil { appended.add() }
                }
            }
            writer.start()
            defer { stop.set() }
            while appended.value < 5 { Thread.sleep(forTimeInterval: 0.005) }
            let root = URL(fileURLWithPath: f.path).deletingLastPathComponent().appendingPathComponent("backups-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: root) }
            var heads: [UInt64] = []
            for i in 0..<3 {
                // Each backup after the writer has moved on (it never stops meanwhile).
                while let last = heads.last, try log.head().position <= last { Thread.sleep(forTimeInterval: 0.002) }
                let a = try f.ledger.backup(to: "\(root)/copy-\(i)")
                #expect(a.verify.ok, "\(a.verify)")
                let head = try #require(Checkpoint(a.head)), extends = try #require(Checkpoint(a.extends))
                #expect(head.position >= extends.position)
                #expect(a.events == head.position)
                let copy = try EventLog.open(at: "\(root)/copy-\(i)", access: .readOnly)
                #expect(try copy.verify(checkpoint: extends).isSound)
                #expect(try log.verify(checkpoint: head).isSound, "the ledger extends its copy")
                heads.append(head.position)
            }
            stop.set()
            #expect(heads == heads.sorted() && Set(heads).count == 3, "\(heads)")
            #expect(throws: EventLogError.self) { try f.ledger.backup(to: "\(root)/copy-0") }
        }
    }
}

/// A flag set once, read from any thread.
final class Flag: @unchecked Sendable {
    // @unchecked: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// A counter shared between threads.
final class Counter: @unchecked Sendable {
    // @unchecked: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}
