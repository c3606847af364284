import AlignmentDomain
import AlignmentProjections
import EventLog
import Foundation

// Typed reads of the kept states, now or as of a business time.
//
// Every read takes `asOf`: nil answers from the kept read models (the ledger now); a business time answers with the
// state as it stood then, folded by the same folds from the events whose business time is at or before it. One
// mechanism serves every read: `state(of:asOf:)` for one stream (its own events, read through the stream index), and
// `states(kind:asOf:)` for a kind of stream (a replay of the log, as `align state --at` does).

extension AlignmentLedger {
    /// The events of `stream` in log order, checked and linked to the chain, through the head; with `asOf`, only those
    /// whose business time is at or before it (a stream's events come in business-time order: the stream-order rule).
    public func streamEvents(_ stream: String, asOf: Date? = nil) throws -> [RecordedEvent] {
        try ensureCurrent()  // every event read below was checked on its way into the kept models
        let head = try log.head()
        var events = try log.read(stream: stream).filter { $0.position <= head.position }
        if let asOf { events = events.filter { $0.occurredAt.date <= asOf } }
        try log.checkLinks(events)  // an answer rests only on records linked to the chain
        return events
    }

    /// The state of one stream (`definition/mql`, `lead/L-1`, `ledger`, ...): the kept one, or with `asOf` the fold of
    /// its events up to that business time; nil when it has no events (then).
    public func state(of stream: String, asOf: Date?) throws -> EntityState? {
        guard let asOf else { return try state(of: stream) }
        let events = try streamEvents(stream, asOf: asOf)
        guard !events.isEmpty else { return nil }
        let p = Projector(tx: nil, enabled: [.state], freshState: true)
        for e in events { try p.apply(e) }
        return try p.state.state(stream)
    }

    /// The states of one kind (`definition`, `campaign`, `lead`, `content`) in id order: the kept ones, or with `asOf`
    /// those replayed from the log up to that business time.
    public func states(kind: String, asOf: Date?) throws -> [EntityState] {
        guard let asOf else { return try states(kind: kind) }
        let prefix = kind + "/"
        return try replay(asOf: asOf, [.state]).state.states.filter { $0.key.hasPrefix(prefix) }
            .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map(\.value)
    }

    /// " as of TIME" for a not-found message, or nothing.
    static func asOfNote(_ asOf: Date?) -> String { asOf.map { " as of \(DomainTime.format($0))" } ?? "" }

    /// A lead definition's state (as of a business time); `DomainError.notFound` when there is none (then).
    public func definition(_ id: String, asOf: Date? = nil) throws -> DefinitionState {
        guard case .definition(let d)? = try state(of: StreamName.definition(id), asOf: asOf), d.exists else {
            throw DomainError.notFound("no lead definition '\(id)'\(AlignmentLedger.asOfNote(asOf)); see `align definition list`")
        }
        return d
    }

    /// A campaign's state (as of a business time); `DomainError.notFound` when there is none (then).
    public func campaign(_ id: String, asOf: Date? = nil) throws -> CampaignState {
        guard case .campaign(let c)? = try state(of: StreamName.campaign(id), asOf: asOf), c.exists else {
            throw DomainError.notFound("no campaign '\(id)'\(AlignmentLedger.asOfNote(asOf)); see `align campaign list`")
        }
        return c
    }

    /// A lead's state (as of a business time); `DomainError.notFound` when there is none (then).
    public func lead(_ id: String, asOf: Date? = nil) throws -> LeadState {
        guard case .lead(let l)? = try state(of: StreamName.lead(id), asOf: asOf), l.status != .none else {
            throw DomainError.notFound("no lead '\(id)'\(AlignmentLedger.asOfNote(asOf)); see `align lead list`")
        }
        return l
    }

    /// The ledger stream's state (actors, keys, policy) as of a business time, or now.
    public func ledgerState(asOf: Date?) throws -> LedgerState {
        guard asOf != nil else { return try ledgerState() }
        if case .ledger(let s)? = try state(of: StreamName.ledger, asOf: asOf) { return s }
        return LedgerState()
    }

    /// Every lead definition, by id (as of a business time).
    public func definitions(asOf: Date? = nil) throws -> [DefinitionState] {
        try states(kind: "definition", asOf: asOf).compactMap { if case .definition(let d) = $0 { d } else { nil } }
    }

    /// Every campaign, by id (as of a business time).
    public func campaigns(asOf: Date? = nil) throws -> [CampaignState] {
        try states(kind: "campaign", asOf: asOf).compactMap { if case .campaign(let c) = $0 { c } else { nil } }
    }

    /// Every lead, by id, only those in `status` if given (as of a business time).
    /// `owner`: only the leads handed to this salesperson; `open`: only those waiting for a decision (handed off,
    /// neither accepted nor rejected). In natural order of their ids (`L-2` before `L-11`).
    public func leads(status: LeadState.Status? = nil, owner: String? = nil, open: Bool = false, asOf: Date? = nil) throws -> [LeadState] {
        if asOf == nil, let wanted = open ? LeadState.Status.handedOff : status {
            if open, let status, status != .handedOff { return [] }
            return try keptLeads(status: wanted, owner: owner)
        }
        return try states(kind: "lead", asOf: asOf).compactMap { state -> LeadState? in
            guard case .lead(let l) = state, l.status != .none, status == nil || l.status == status, owner == nil || l.handoff?.owner == owner,
                  !open || l.status == .handedOff else { return nil }
            return l
        }.sorted { NaturalOrder.less($0.id, $1.id) }
    }

    /// Every planned asset and content request, by id (as of a business time).
    public func content(asOf: Date? = nil) throws -> [ContentState] {
        try states(kind: "content", asOf: asOf).compactMap { if case .content(let c) = $0 { c } else { nil } }
    }

    /// The kept leads in `status` (of `owner`), reading only the first bytes of the others' rows: a salesperson's open
    /// inbox among a million mostly decided leads (the inbox page, `lead list --owner --open`) decoded every lead
    /// before (2 s of CPU at 1M events, tools/bench-pages.sh); a row whose status cannot be read that way is decoded
    /// whole, so damage is reported as before.
    private func keptLeads(status wanted: LeadState.Status, owner: String?) throws -> [LeadState] {
        try ensureCurrent()
        var out: [LeadState] = []
        try modelScan(AlignmentLedger.stateTable, prefix: Array("lead/".utf8)) { k, v in
            if let s = LeadState.keptStatus(v), s != wanted { return true }
            guard case .lead(let l) = try AlignmentLedger.keptState(k, v) else { return true }
            if l.status == wanted, owner == nil || l.handoff?.owner == owner { out.append(l) }
            return true
        }
        return out.sorted { NaturalOrder.less($0.id, $1.id) }
    }
}
