import AlignmentDomain
import AlignmentProjections
import EventLog
import Foundation

/// An audit answer: what it says, the positions of the events it rests on, and the log's head, so it can be
/// checked with `align verify --checkpoint`.
public struct AuditTrail: Sendable {
    /// The events, in log order.
    public var events: [RecordedEvent]
    /// The log's head when the answer was read.
    public var head: Checkpoint
    /// For each imported event (by position): who imported it, and from where ("imported by rita from crm.csv").
    public var imports: [UInt64: String] = [:]
    /// The backdating window of the policy in force when the answer was read (lines mark events backdated past it).
    public var maxBackdateHours = Policy.defaultMaxBackdateHours
}

/// The answer to "who approved definition X, as of time T?".
public struct Approval: Codable, Sendable {
    public struct SignOff: Codable, Sendable {
        public var actor: String
        public var at: Date
        public var position: UInt64
        public var comment: String?
        /// When the sign-off was recorded.
        public var recordedAt: Date?
        /// Whether it was recorded more than `maxBackdateHours` after its business time.
        public var backdated: Bool?
    }
    /// A sales member's rejection of the version (dissent on record, whatever came after it).
    public struct Rejection: Codable, Sendable {
        public var actor: String
        public var at: Date
        public var position: UInt64
        public var reason: String
        public var recordedAt: Date
        public var backdated: Bool
    }
    public var definition: String
    public var at: Date
    /// nil when no version was active at that time.
    public var version: Int?
    public var title: String?
    /// Who proposed the version, and when (business time).
    public var author: String?
    public var proposedAt: Date?
    /// Who recorded the activation.
    public var activatedBy: String?
    public var activeFrom: Date?
    public var activeUntil: Date?
    public var activationPosition: UInt64?
    /// When the activation was recorded, and whether that was more than `maxBackdateHours` after its business time.
    public var activationRecordedAt: Date?
    public var activationBackdated: Bool?
    /// The backdating window of the policy in force when the answer was read.
    public var maxBackdateHours: Int = Policy.defaultMaxBackdateHours
    public var override: Override?
    public var signOffs: [SignOff]
    /// The version's rejections by sales members (empty when there were none).
    public var rejections: [Rejection] = []
    public var head: String
    /// How long the query took in process, for those who measure it.
    public var queryMicroseconds: Double?
}

extension AlignmentLedger {
    // MARK: Audit

    /// Every event of one stream, in order, with the head.
    public func auditStream(_ stream: String) throws -> AuditTrail {
        let head = try log.head()
        let events = try log.read(stream: stream).filter { $0.position <= head.position }
        if events.isEmpty {
            // A stream is named with its kind (`campaign/q1-webinar`): say so rather than answer "no events".
            let named = try ["definition/", "campaign/", "lead/", "content/"].map { $0 + stream }.filter { try log.version(of: $0) != nil }
            throw DomainError.notFound("no stream '\(stream)'" + (named.isEmpty ? "; streams are named ledger, definition/ID, campaign/ID, lead/ID or content/ID"
                                                                       : "; did you mean \(named.map { "'\($0)'" }.joined(separator: " or "))?"))
        }
        try log.checkLinks(events)  // an audit cites only records linked to the chain
        return AuditTrail(events: events, head: head, imports: try importNotes(events), maxBackdateHours: try maxBackdateHours())
    }

    /// The events of one actor, from the audit index (no scan of the log), optionally between business times.
    public func auditActor(_ actor: String, since: Date? = nil, until: Date? = nil) throws -> AuditTrail {
        try ensureCurrent()
        guard try ledgerState().actors[actor] != nil else { throw DomainError.notFound("no actor '\(actor)'; see `align actor list`") }
        let head = try log.head()
        var prefix = Array(actor.utf8)
        prefix.append(0)
        var positions: [UInt64] = []
        let table = AlignmentLedger.auditActorTable
        try modelScan(table, prefix: prefix) { k, v in
            guard k.count == prefix.count + 8 else {
                throw ReadModelDamage(model: table, key: AlignmentLedger.describeKey(table, k), reason: "the key is not an actor and a position")
            }
            positions += try AlignmentLedger.modelRow(table, k) {
                try AlignmentLedger.postingPositions(first: k[prefix.count...].reduce(0) { $0 << 8 | UInt64($1) }, v)
            }
            return true
        }
        var events: [RecordedEvent] = []
        for p in positions where p <= head.position {
            // A listed position that does not hold this actor's event is damage: never dropped from the answer.
            guard let e = try log.read(from: p, limit: 1).first, e.position == p else {
                throw ReadModelDamage(model: table, key: Terminal.safe("'\(actor)'"), reason: "it lists position \(p), which the log does not hold")
            }
            guard e.actor == actor else {
                throw ReadModelDamage(model: table, key: Terminal.safe("'\(actor)'"), reason: "it lists position \(p), which is another actor's event")
            }
            if let since, e.occurredAt.date < since { continue }
            if let until, e.occurredAt.date >= until { continue }
            events.append(e)
        }
        try log.checkLinks(events)  // an audit cites only records linked to the chain
        return AuditTrail(events: events, head: head, imports: try importNotes(events), maxBackdateHours: try maxBackdateHours())
    }

    /// "imported by ACTOR from SOURCE" for each event in `events` that a revops member signed as an import (the key's
    /// owner, and the source its `RecordsImported` cause names).
    func importNotes(_ events: [RecordedEvent]) throws -> [UInt64: String] {
        let imported = events.filter { EventSignature(field: $0.signature)?.imported == true }
        guard !imported.isEmpty else { return [:] }
        let keys = try ledgerState().keys
        var sources: [UUID: String] = [:]
        var out: [UInt64: String] = [:]
        for e in imported {
            guard let sig = EventSignature(field: e.signature) else { continue }
            var note = "imported by \(keys[sig.keyID]?.actor ?? "key \(sig.keyID)")"
            if let cause = e.causationID {
                if sources[cause] == nil, let c = try log.event(id: cause), case .recordsImported(let r)? = AlignmentLedger.decoded(c) {
                    sources[cause] = r.source
                }
                if let source = sources[cause] { note += " from \(source)" }
            }
            out[e.position] = note
        }
        return out
    }

    /// Every override, from the audit index.
    /// The rules a revops override may set aside.
    public static let overridableRules = Rule.overridable

    /// Every override on record, oldest first; `rule`: only those that set that rule aside (one of `overridableRules`).
    public func auditOverrides(rule: String? = nil) throws -> (overrides: [OverrideRecord], head: Checkpoint) {
        if let rule, !AlignmentLedger.overridableRules.contains(rule) {
            throw DomainError.invalid("'\(rule)' is not a rule an override sets aside; those are \(AlignmentLedger.overridableRules.joined(separator: ", "))")
        }
        try ensureCurrent()
        let head = try log.head()
        var out: [OverrideRecord] = []
        try modelScan(AlignmentLedger.auditOverridesTable) { k, v in
            let o = try AlignmentLedger.modelRow(AlignmentLedger.auditOverridesTable, k) { try AlignmentLedger.decodeOverride(v) }
            if rule == nil || o.rule == rule { out.append(o) }
            return true
        }
        return (out, head)
    }

    /// The version of a definition active at `at` and the sales members who signed it off (from the kept state).
    public func whoApproved(_ definition: String, at: Date) throws -> Approval {
        let started = DispatchTime.now().uptimeNanoseconds
        var a = try approval(definition, at: at)
        a.queryMicroseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1000
        return a
    }

    private func approval(_ definition: String, at: Date) throws -> Approval {
        guard case .definition(let d)? = try state(of: StreamName.definition(definition)), d.exists else {
            throw DomainError.notFound("no lead definition '\(definition)'; see `align definition list`")
        }
        let head = try log.head()  // read after the state, so every position the answer cites is at or before it
        let hours = try maxBackdateHours()
        var a = Approval(definition: definition, at: at, version: nil, title: nil, activeFrom: nil, activeUntil: nil,
                         activationPosition: nil, maxBackdateHours: hours, override: nil, signOffs: [], head: head.description)
        guard let act = d.activations.last(where: { $0.from <= at && ($0.until.map { at < $0 } ?? true) }),
              let v = d.version(act.version) else { return a }
        a.version = v.version
        a.title = v.title
        a.activeFrom = act.from
        a.activeUntil = act.until
        a.override = act.override
        a.signOffs = v.signOffs.map {
            .init(actor: $0.actor, at: $0.at, position: $0.position, comment: $0.text, recordedAt: $0.recordedAt,
                  backdated: BusinessTime.isBackdated(at: $0.at, recordedAt: $0.recordedAt, hours: hours))
        }
        a.rejections = v.rejections.map {
            .init(actor: $0.actor, at: $0.at, position: $0.position, reason: $0.text ?? "", recordedAt: $0.recordedAt,
                  backdated: BusinessTime.isBackdated(at: $0.at, recordedAt: $0.recordedAt, hours: hours))
        }
        a.author = v.author
        a.proposedAt = v.proposedAt
        // The kept state does not keep who activated: one read of the activation event (a few µs).
        if act.position > 0, let e = try log.read(from: act.position, limit: 1).first, e.position == act.position {
            a.activatedBy = e.actor
        }
        a.activationPosition = act.position
        a.activationRecordedAt = act.recordedAt
        a.activationBackdated = BusinessTime.isBackdated(at: act.from, recordedAt: act.recordedAt, hours: hours)
        return a
    }

    /// A definition's story (every event of its stream, or those about `version` and its supersession); throws
    /// `DomainError.notFound` when it has none.
    public func auditDefinition(_ id: String, version: Int? = nil) throws -> AuditTrail {
        var t = try auditStream(StreamName.definition(id))
        if t.events.isEmpty { throw DomainError.notFound("no lead definition '\(id)'; see `align definition list`") }
        guard let version else { return t }
        t.events = try t.events.filter { e in
            switch try AlignmentLedger.decodedKnown(e) {
            case .definitionProposed(let x)?: x.version == version
            case .definitionSignedOff(let x)?: x.version == version
            case .definitionRejected(let x)?: x.version == version
            case .definitionActivated(let x)?: x.version == version || x.supersedes == version
            case .definitionRetired(let x)?: x.version == version
            default: false
            }
        }
        return t
    }

    /// The domain event a recorded event holds, nil when its type or payload is not one this build knows.
    public static func decoded(_ e: RecordedEvent) -> DomainEvent? {
        try? DomainEvent.decode(type: e.type, schemaVersion: Int(e.schemaVersion), payload: e.payload)
    }

    // MARK: Scorecard

    /// The scorecard from the kept buckets (no replay), broken down by actor or not; open leads are counted, not aged.
    public func scorecard(period: Scorecard.Period, since: Date?, until: Date?, byActor: Bool) throws -> Scorecard {
        try scorecard(period: period, since: since, until: until, by: byActor ? .actor : nil, now: nil)
    }

    /// The scorecard from the kept buckets, broken down `by` one dimension. `now` (the current time) ages the open leads
    /// against the policy's SLA and counts those past it as misses: as of `now`, or with `until`, as of the end of the
    /// last day counted (`until` counts whole days) when that is earlier. nil: open leads are counted, not aged.
    ///
    /// With `until` and events after it, the leads open then are not the leads open now: the log is replayed up to the
    /// end of the last day counted (through the same fold), which takes about as long as a rebuild.
    public func scorecard(period: Scorecard.Period, since: Date?, until: Date?, by: Scorecard.Breakdown?, now: Date?) throws -> Scorecard {
        try ensureCurrent()
        let probe = ScorecardTally(period: period, since: since, until: until, by: by, aging: nil)
        let asOf = now.map { now in probe.lastDay.map { min(now, Date(timeIntervalSince1970: Double($0 + 1) * 86_400)) } ?? now }
        let aging = try asOf.map { OpenAging(asOf: $0, slaHours: try ledgerState().policy.slaHours) }
        var tally = ScorecardTally(period: period, since: since, until: until, by: by, aging: aging)
        try modelScan(ScorecardFold.table) { k, v in
            guard AlignmentLedger.isScorecardKey(k) else {
                throw ReadModelDamage(model: ScorecardFold.table, key: AlignmentLedger.describeKey(ScorecardFold.table, k), reason: "the key is not DAY|DIMENSION")
            }
            try AlignmentLedger.modelRow(ScorecardFold.table, k) {
                try tally.add(key: k) { sum, needs in try AlignmentLedger.addBucket(v, into: &sum, needs) }
            }
            return true
        }
        guard let asOf, tally.sawLaterDays, let last = tally.lastDay else { return tally.scorecard }
        // The kept open leads are those open now; the leads open at the end of the last day counted need the log up to then.
        let replayed = try replay(until: Date(timeIntervalSince1970: Double(last + 1) * 86_400), [.scorecard])
        return Scorecard.compute(buckets: replayed.scorecard.buckets.map { ($0.key, $0.value) }, period: period, since: since, until: until, by: by,
                                 aging: OpenAging(asOf: asOf, slaHours: try replayed.state.policy().slaHours))
    }

    /// Whether `key` has the shape of a scorecard bucket's key: six digits, `|`, then `all`, `actor:ID`, `owner:ID`,
    /// `campaign:ID` or `definition:ID@VERSION` (a read that meets another key fails rather than leaving the bucket out).
    static func isScorecardKey(_ key: [UInt8]) -> Bool {
        guard key.count > 7, key[6] == UInt8(ascii: "|"), key[..<6].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        let dim = key[7...]
        if dim.elementsEqual("all".utf8) { return true }
        if dim.starts(with: "actor:".utf8) { return dim.count > 6 }
        if dim.starts(with: "owner:".utf8) { return dim.count > 6 }
        if dim.starts(with: "campaign:".utf8) { return dim.count > 9 }
        guard dim.starts(with: "definition:".utf8), let at = dim.lastIndex(of: UInt8(ascii: "@")) else { return false }
        return at > dim.startIndex + 11 && at < dim.endIndex - 1 && dim[(at + 1)...].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    // MARK: Replay

    /// Replays the log from scratch in memory up to `position` (inclusive), or the events whose business time is
    /// before `until`, or at or before `asOf`, through the same folds as the kept read models. Answers the folds, the
    /// overrides, the last position folded and how many events were folded (a business-time bound leaves out the
    /// events dated after it, wherever they lie in the log).
    public func replay(to position: UInt64? = nil, until: Date? = nil, asOf: Date? = nil,
                       _ projections: Set<ProjectionName> = Set(ProjectionName.allCases))
        throws -> (state: CurrentStateFold, scorecard: ScorecardFold, overrides: [OverrideRecord], position: UInt64, events: Int)
    {
        let p = Projector(tx: nil, enabled: projections, freshState: true)
        let (overrides, last, folded) = try replay(into: p, to: position, until: until, asOf: asOf)
        return (p.state, p.scorecard, overrides, last, folded)
    }

    /// Folds the log into `p` (a fresh in-memory projector), as `replay` does: the overrides met, the last position
    /// folded and how many events were folded.
    func replay(into p: Projector, to position: UInt64? = nil, until: Date? = nil, asOf: Date? = nil)
        throws -> (overrides: [OverrideRecord], position: UInt64, events: Int)
    {
        var last: UInt64 = 0
        var folded = 0
        var overrides: [OverrideRecord] = []
        let gate = Projector.wholeLogGate(log.ledgerID)
        try log.replay(from: 1, through: position ?? .max) { e in
            let decoded = try Projector.decode(e)
            try gate.check(e, decoded: decoded)
            if let until, e.occurredAt.date >= until { return }
            if let asOf, e.occurredAt.date > asOf { return }
            try p.apply(e, decoded: decoded)
            overrides += p.drainOverrides()
            last = e.position
            folded += 1
        }
        try gate.flush()
        return (overrides, last, folded)
    }
}

extension Projector {
    /// Takes the overrides folded since the last call (for in-memory replays that never flush).
    func drainOverrides() -> [OverrideRecord] {
        defer { clearOverrides() }
        return overrides
    }
}
