import AlignmentDomain
import AlignmentProjections
import EventLog
import Foundation

/// The read models kept beside the log, by name.
public enum ProjectionName: String, CaseIterable, Sendable {
    /// Current state of every stream (`rm.state`).
    case state
    /// Per-day scorecard buckets (`rm.scorecard`).
    case scorecard
    /// Audit indexes: events by actor (`rm.audit-actor`) and overrides (`rm.audit-overrides`).
    case audit

    /// Bump a projection's version when its fold changes meaning; kept models of another version are rebuilt on open.
    public var codeVersion: Int {
        switch self {
        case .state: CurrentStateFold.codeVersion
        case .scorecard: ScorecardFold.codeVersion
        case .audit: 4  // 4: override records keep their recorded time
        }
    }

    var tables: [String] {
        switch self {
        case .state: [AlignmentLedger.stateTable]
        case .scorecard: [ScorecardFold.table]
        case .audit: [AlignmentLedger.auditActorTable, AlignmentLedger.auditOverridesTable]
        }
    }
}

/// An override as listed by `align audit overrides`.
public struct OverrideRecord: Codable, Equatable, Sendable {
    public var position: UInt64
    public var type: String
    public var stream: String
    public var actor: String
    public var at: Date
    public var rule: String
    public var reason: String
    /// When it was recorded (nil in records kept before version 4 of the audit model).
    public var recordedAt: Date?
}

/// Folds events into every read model, the same way for the kept models (loading and saving through a
/// transaction), a rebuild (starting empty) and an as-of replay (in memory only).
final class Projector {
    let state: CurrentStateFold
    let scorecard: ScorecardFold
    let enabled: Set<ProjectionName>
    /// `enabled`, looked up once (not hashed per event).
    private let foldsScorecard: Bool, foldsAudit: Bool
    /// Positions folded since the last flush, by actor, ascending (for the `audit-actor` posting lists).
    private(set) var actorPositions: [String: [UInt64]] = [:]
    private(set) var overrides: [OverrideRecord] = []
    /// The log's ledger id, which `foldMissing` needs to check the events it folds (`SignatureGate`): events another
    /// process appended (or that were written into the file by other means) are folded only when they are believed.
    var ledgerID: UUID?

    /// Kept models are read through `tx` (none: everything in memory); `enabled` says which ones `flush`
    /// writes back. `freshState` folds the state from nothing instead of reading the kept state (rebuilds).
    init(tx: LogTransaction?, enabled: Set<ProjectionName> = Set(ProjectionName.allCases), freshState: Bool = false) {
        self.enabled = enabled
        foldsScorecard = enabled.contains(.scorecard)
        foldsAudit = enabled.contains(.audit)
        state = CurrentStateFold { stream in
            let key = Array(stream.utf8)
            guard !freshState, let tx, let b = try tx.get(AlignmentLedger.stateTable, key) else { return nil }
            return try AlignmentLedger.modelRow(AlignmentLedger.stateTable, key) { try AlignmentLedger.decodeState(b, key: key) }
        }
        scorecard = ScorecardFold { key in
            guard let tx, let b = try tx.get(ScorecardFold.table, Array(key.utf8)) else { return nil }
            return try AlignmentLedger.modelRow(ScorecardFold.table, Array(key.utf8)) { try AlignmentLedger.decodeBucket(b) }
        }
    }

    /// A projector over the kept models of `tx`, caught up with every event in the log (see `foldMissing`), for a
    /// command to decide on. Throws `ReadModelsOutOfDate` when they cannot be caught up event by event.
    static func caughtUp(_ tx: LogTransaction, ledgerID: UUID) throws -> Projector {
        let p = Projector(tx: tx)
        p.ledgerID = ledgerID
        guard try p.foldMissing(tx) else { throw ReadModelsOutOfDate() }
        return p
    }

    /// Folds the events the kept models have not seen yet (appended by a process that keeps no models, or while a
    /// catch-up or rebuild was under way elsewhere), reading the checkpoints in `tx`: a command then decides on the
    /// whole log, and the checkpoint its flush writes is true. Returns false when the kept models cannot be caught up
    /// event by event (another code version, checkpoints that disagree or are missing): they need a rebuild.
    func foldMissing(_ tx: LogTransaction) throws -> Bool {
        let cps = try AlignmentLedger.readCheckpoints { try tx.get(AlignmentLedger.metaTable, $0) }
        guard ProjectionName.allCases.allSatisfy({ cps[$0]?.version == $0.codeVersion }) else { return false }
        let positions = Set(ProjectionName.allCases.map { cps[$0]?.position ?? UInt64.max })
        guard positions.count == 1, let last = positions.first, last <= tx.head.position else { return false }
        guard let ledgerID else { return false }  // unknown: the caller rebuilds, which checks from position 1
        try fold(tx, from: last + 1, through: tx.head.position, ledgerID: ledgerID)
        return true
    }

    /// Folds positions `from...through` as `tx` sees them. The log has no gaps; a missing position is reported as
    /// damage rather than folded around.
    func fold(_ tx: LogTransaction, from: UInt64, through: UInt64, ledgerID: UUID) throws {
        guard from <= through else { return }
        // Every event is checked: this folds what another process (or something else) wrote. One gate for the whole
        // range, so that a signed command's events are checked together even across batches.
        var context = SignatureCheck.Context(ledgerID: ledgerID)
        context.seenAll = false
        if from > 1, let before = try tx.readStored(from: from - 1, limit: 1).events().first {
            context.previous = before.hash
            if CommandSignatureField.isCommand(before.signature) { context.command = (before.signature, before.correlationID) }
        }
        context.genesis = try tx.readStored(from: 1, limit: 1).events().first?.correlationID
        let gate = SignatureGate(context: context, ledger: try state.ledger()) { _ in true }
        var next = from
        while next <= through {
            let events = try tx.readStored(from: next, limit: Int(min(4096, through - next + 1))).events()
            for (i, e) in events.enumerated() where e.position != next + UInt64(i) {
                throw EventLogError.corrupt(position: next + UInt64(i), reason: "the record is missing (the log has a gap)")
            }
            guard !events.isEmpty else { throw EventLogError.corrupt(position: next, reason: "the log ends before its head (\(through))") }
            for e in events {
                let decoded = try Projector.decode(e)
                try gate.check(e, decoded: decoded, state: state)
                try apply(e, decoded: decoded)
            }
            try gate.flush()
            next += UInt64(events.count)
        }
        // A command's events are committed together: one still owed at the end of the range was cut short.
        try gate.finish(at: through)
    }

    /// Folds one event (the scorecard first: it reads the state as it was before the event).
    func apply(_ r: Recorded, stream: String, type: String) throws {
        if foldsScorecard { try scorecard.apply(r, state: state) }
        if foldsAudit {
            actorPositions[r.actor, default: []].append(r.position)
            if let o = r.event.override {
                overrides.append(OverrideRecord(position: r.position, type: type, stream: stream, actor: r.actor, at: r.at, rule: o.rule, reason: o.reason,
                                                recordedAt: r.recordedAt))
            }
        }
        try state.apply(r, stream: stream)
    }

    /// Folds a stored event, skipping types this build does not know.
    func apply(_ e: RecordedEvent) throws {
        try apply(e, decoded: try Projector.decode(e))
    }

    func apply(_ e: RecordedEvent, decoded: DomainEvent?) throws {
        guard let d = decoded else { return }
        try apply(Recorded(event: d, actor: e.actor, at: e.occurredAt.date, position: e.position, recordedAt: e.recordedAt.date),
                  stream: e.stream, type: e.type)
    }

    /// A stored event ready to fold: its domain event with actor, business time and position, and its stream and type.
    struct Folding {
        var recorded: Recorded
        var stream: String
        var type: String
    }

    /// The stored events this build can fold, ready to fold (pure: done on the decoding thread).
    static func folding(_ e: RecordedEvent) throws -> Folding? {
        try decode(e).map {
            Folding(recorded: Recorded(event: $0, actor: e.actor, at: e.occurredAt.date, position: e.position, recordedAt: e.recordedAt.date),
                    stream: e.stream, type: e.type)
        }
    }

    /// Checks (`gate`) and folds a batch decoded already (see `PendingDecode`), one event after the other.
    func apply(checked batch: [(record: RecordedEvent, folding: Folding?)], gate: SignatureGate) throws {
        for (e, f) in batch {
            try gate.check(e, decoded: f?.recorded.event, state: state)
            if let f { try apply(f.recorded, stream: f.stream, type: f.type) }
        }
        try gate.flush()
    }

    /// A gate for a fold of the whole log from position 1: every event's authority and key state, and the Ed25519
    /// check of the ledger stream's events (who may act, with which key). The other events' checks are `verify`'s and
    /// the catch-up's: doing them here too would make a rebuild of a million events some 20 times slower.
    static func wholeLogGate(_ ledgerID: UUID) -> SignatureGate {
        SignatureGate(context: SignatureCheck.Context(ledgerID: ledgerID)) { $0.stream == StreamName.ledger }
    }

    /// The domain event of a stored one; nil for a type this build does not know. A known type whose payload does not
    /// decode is damage: thrown with its position, never folded around.
    static func decode(_ e: RecordedEvent) throws -> DomainEvent? {
        try AlignmentLedger.decodedKnown(e)
    }

    func clearOverrides() { overrides.removeAll(keepingCapacity: true) }

    /// Writes what changed, and the checkpoints, in `tx`, then forgets what changed. `position` is the last event
    /// folded (default: the transaction's head, right when every event up to it was folded).
    func flush(_ tx: LogTransaction, through position: UInt64? = nil) throws {
        try writeChanges(tx, through: position)
        clearChanges()
    }

    /// Writes what changed since `clearChanges`, and the checkpoints, in `tx`; remembers the changes (a transaction
    /// body that may run again must write them again).
    func writeChanges(_ tx: LogTransaction, through position: UInt64? = nil) throws {
        if enabled.contains(.state) {
            // Encoding is pure: done on all cores, then written on this (the writer's) thread.
            for (stream, bytes) in state.encodedDirtyStates(KeptStateEncoder()) { try tx.put(AlignmentLedger.stateTable, Array(stream.utf8), bytes) }
        }
        if enabled.contains(.scorecard) {
            for (key, b) in scorecard.dirtyBuckets() { try tx.put(ScorecardFold.table, Array(key.utf8), AlignmentLedger.encodeBucket(b)) }
        }
        if enabled.contains(.audit) {
            for (actor, positions) in actorPositions {
                for (key, value) in AlignmentLedger.actorPostings(actor, positions) { try tx.put(AlignmentLedger.auditActorTable, key, value) }
            }
            for o in overrides {
                var k: [UInt8] = []
                withUnsafeBytes(of: o.position.bigEndian) { k.append(contentsOf: $0) }
                try tx.put(AlignmentLedger.auditOverridesTable, k, AlignmentLedger.encodeOverride(o))
            }
        }
        var cps = try AlignmentLedger.readCheckpoints { try tx.get(AlignmentLedger.metaTable, $0) }
        for p in enabled { cps[p] = (p.codeVersion, position ?? tx.head.position) }
        try tx.put(AlignmentLedger.metaTable, AlignmentLedger.checkpointsKey, AlignmentLedger.encodeCheckpoints(cps))
    }

    /// Forgets what changed: the dirty states and buckets, and the audit entries folded since the last call.
    func clearChanges() {
        state.clearDirty()
        scorecard.clearDirty()
        actorPositions.removeAll(keepingCapacity: true)
        overrides.removeAll(keepingCapacity: true)
    }
}

/// The kept read models cannot be caught up event by event (another code version wrote them, or their checkpoints
/// disagree): they must be rebuilt before a command decides on them.
struct ReadModelsOutOfDate: Error, CustomStringConvertible {
    var description: String {
        "the kept read models are out of date and could not be brought up to the log; run `align projections rebuild`"
    }
}

extension Projector {
    /// Everything the enabled models hold, as rows per table in ascending key order: what a rebuild writes into the
    /// emptied tables. Only for a projector that folded from the first event (it writes what it holds, nothing else).
    /// `postings: false` leaves the `audit-actor` rows empty (`verify` compares the positions themselves).
    func allRowsSorted(postings: Bool = true) throws -> [(table: String, rows: [(key: [UInt8], value: [UInt8])])] {
        var out: [(table: String, rows: [(key: [UInt8], value: [UInt8])])] = []
        if enabled.contains(.state) { out.append((AlignmentLedger.stateTable, state.encodedAllStatesSorted(KeptStateEncoder()))) }
        if enabled.contains(.scorecard) {
            let rows = scorecard.buckets.map { (key: Array($0.key.utf8), value: AlignmentLedger.encodeBucket($0.value)) }
            out.append((ScorecardFold.table, rows.sorted { ByteOrder.less($0.key, $1.key) }))
        }
        if enabled.contains(.audit) {
            let encodePostings = postings
            var postings: [(key: [UInt8], value: [UInt8])] = []
            for (actor, positions) in actorPositions where encodePostings { postings += AlignmentLedger.actorPostings(actor, positions) }
            out.append((AlignmentLedger.auditActorTable, postings.sorted { ByteOrder.less($0.key, $1.key) }))
            // Overrides were folded in log order, and their keys are big-endian positions: already sorted.
            out.append((AlignmentLedger.auditOverridesTable, try overrides.map { o in
                (key: withUnsafeBytes(of: o.position.bigEndian) { Array($0) }, value: try AlignmentLedger.encodeOverride(o))
            }))
        }
        return out
    }
}

/// A batch of stored records decoding (envelopes and payloads) on another thread while the writer folds the batch
/// before it: decoding is pure, and in a rebuild it costs about as much as the fold, so the two cores work side by
/// side.
///
/// `@unchecked Sendable`: `result` is written once on the decoding thread before `done` is signalled, and read
/// only after `wait()`.
final class PendingDecode: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<(read: Int, events: [(record: RecordedEvent, folding: Projector.Folding?)]), Error> = .success((0, []))

    /// Reads and decodes positions `from...through` of `log` itself (its own read transaction). Whole records: the
    /// fold checks each one's signature and authority (`SignatureGate`) before folding it.
    init(_ log: EventLog, from: UInt64, through: UInt64) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            result = Result {
                var out: [(record: RecordedEvent, folding: Projector.Folding?)] = []
                out.reserveCapacity(Int(through - from + 1))
                try log.replay(from: from, through: through, chunk: Int(through - from + 1), releasingPagesEvery: nil) { e in
                    // The log has no gaps: a missing position is damage, not something to fold around.
                    guard e.position == from + UInt64(out.count) else {
                        throw EventLogError.corrupt(position: from + UInt64(out.count), reason: "the record is missing (the log has a gap)")
                    }
                    out.append((e, try Projector.folding(e)))
                }
                guard out.count == Int(through - from + 1) else {
                    throw EventLogError.corrupt(position: from + UInt64(out.count), reason: "the log ends before position \(through)")
                }
                return (out.count, out)
            }
            done.signal()
        }
    }

    /// The number of records read, and each with its fold (nil for a type this build does not fold).
    func wait() throws -> (read: Int, events: [(record: RecordedEvent, folding: Projector.Folding?)]) {
        done.wait()
        return try result.get()
    }
}

/// Lets a non-Sendable fold cross into the writer's transaction closure. Safe because the caller waits for
/// the transaction to finish before touching the box again, and only the writer thread uses it meanwhile.
final class UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
