import AlignmentDomain
import Foundation

/// A lead's owner as a CRM record names it: an actor, or a CRM value the mapping does not name (with where it was
/// first seen, for the message).
enum OwnerRef: Hashable {
    case actor(String)
    case unknown(raw: String, place: String)
}

/// One dated fact about a lead: a stage it reached, or an owner it got. Small (about 40 bytes, and a string only for
/// a history record's id): it is held for every fact of every lead until the export is read.
struct Fact {
    enum Kind: UInt8 { case stage, owner }
    /// Where it comes from: the record's current values (dropped when a history file dates the lead's stages), its
    /// history, or the record's "converted" flag (dropped when another fact says converted).
    enum Origin: UInt8 { case snapshot, history, conversion }

    var lead: Int32
    var seq: Int32
    var at: Date
    var kind: Kind
    var origin: Origin
    var stage: CRMStage
    /// The rejection reason the value maps to (stage facts).
    var reason: RejectionReason?
    /// The CRM value (stage facts, for a rejection's note) or the owner (owner facts), interned in the timeline.
    var text: Int32
    /// The record it comes from (`Source`), with the record's id when the lead's id and the time do not name it.
    var source: Source
    var record: String
}

/// The CRM record a fact comes from; the source text is rebuilt from it when a step is made.
enum Source: UInt8 {
    /// The lead's own record: `salesforce:Lead/ID`, `hubspot:contact/ID`.
    case lead
    /// `salesforce:LeadHistory/RECORD`.
    case salesforceHistory
    /// `hubspot:history/ID/PROPERTY@MILLISECONDS`.
    case hubspotLifecycleStage, hubspotLeadStatus, hubspotOwner
}

/// One lead of an export: what the timeline needs beyond its facts. Small: it is held for every lead (owners and
/// statuses are interned, the profile is one string).
struct LeadRecord {
    var crmID: String
    var created: Date
    /// The owner the record names now (interned).
    var owner: Int32
    /// The owner before the first owner change in the history, and when that change was.
    var initialOwner: Int32?
    var firstOwnerChange: Date?
    /// The status before the first status change in the history (Salesforce's history holds changes, not the
    /// status a lead was created with), and when that change was.
    var initialStage: CRMStage?
    var initialReason: RejectionReason?
    var initialValue: Int32?
    var firstStatusChange: Date?
    /// Profile values, aligned with `MappingTables.profile`, joined by U+001F (which a cleaned value never holds).
    var profile: String
    /// The sourcing campaign's CRM id, and when the lead responded to it.
    var campaign: String?
    var campaignAt: Date?
    var opportunity: String?
    var amount: Double?
    /// A disqualification reason from another record (HubSpot's Leads object), over the status's.
    var rejection: RejectionReason?
    var rejectionNote: String?

    init(crmID: String, created: Date, owner: Int32, profile: [String], opportunity: String? = nil) {
        self.crmID = crmID
        self.created = created
        self.owner = owner
        self.profile = profile.allSatisfy(\.isEmpty) ? "" : profile.joined(separator: "\u{1F}")
        self.opportunity = opportunity
    }

    /// The profile values, aligned with `MappingTables.profile`.
    var profileValues: [String] {
        profile.isEmpty ? [] : profile.utf8.split(separator: 0x1F, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// A dated signal of a lead.
struct SignalFact {
    var lead: Int32
    var seq: Int32
    var signal: Signal
}

/// Every lead of an export with its dated facts, walked into ledger commands (`steps`). Shared by both CRMs.
struct Timeline {
    let tables: MappingTables
    /// The CRM object of the leads, for sources: `salesforce:Lead/ID`, `hubspot:contact/ID`.
    let object: String
    private(set) var leads: [LeadRecord] = []
    private var index: [String: Int32] = [:]
    private var facts: [Fact] = []
    private var signals: [SignalFact] = []
    private var seq: Int32 = 0
    private var sorted = false
    private var texts: [String] = []
    private var textIndex: [String: Int32] = [:]
    private var owners: [OwnerRef] = []
    private var ownerIndex: [OwnerRef: Int32] = [:]
    /// CRM campaign id → name (for details and names in the mapping).
    var campaignNames: [String: String] = [:]

    init(tables: MappingTables, object: String) {
        self.tables = tables
        self.object = object
    }

    var crm: CRM { tables.crm }

    /// Adds a lead; false if the export already holds one with that id.
    mutating func add(_ lead: LeadRecord) -> Bool {
        guard index[lead.crmID] == nil else { return false }
        index[lead.crmID] = Int32(leads.count)
        leads.append(lead)
        return true
    }

    /// The lead with a CRM id, if the export holds it.
    func lead(_ crmID: String) -> Int32? { index[crmID] }

    /// Updates a lead in place.
    mutating func update(_ lead: Int32, _ body: (inout LeadRecord) -> Void) { body(&leads[Int(lead)]) }

    private mutating func nextSeq() -> Int32 {
        seq &+= 1
        return seq
    }

    /// A CRM value's number in the timeline's table (each distinct value is stored once).
    mutating func intern(_ text: String) -> Int32 {
        if let i = textIndex[text] { return i }
        let i = Int32(texts.count)
        texts.append(text)
        textIndex[text] = i
        return i
    }

    /// An owner's number in the timeline's table: an actor, or a CRM user the mapping does not name (the
    /// `defaultOwner` when there is one; else kept with the first place it is seen, for the message).
    mutating func owner(_ ref: OwnerRef) -> Int32 {
        var ref = ref
        if case .unknown = ref, let d = tables.mapping.defaultOwner { ref = .actor(d) }
        let key: OwnerRef = if case .unknown(let raw, _) = ref { .unknown(raw: raw, place: "") } else { ref }
        if let i = ownerIndex[key] { return i }
        let i = Int32(owners.count)
        owners.append(ref)
        ownerIndex[key] = i
        return i
    }

    /// Records that a lead reached a stage at `at`.
    mutating func stage(_ lead: Int32, _ stage: CRMStage, at: Date, value: String, reason: RejectionReason?, origin: Fact.Origin,
                        source: Source, record: String = "") {
        let text = intern(value)
        facts.append(Fact(lead: lead, seq: nextSeq(), at: at, kind: .stage, origin: origin, stage: stage, reason: reason, text: text,
                          source: source, record: record))
    }

    /// Records that a lead got an owner (from `owner(_:)`) at `at`.
    mutating func owner(_ lead: Int32, _ owner: Int32, at: Date, origin: Fact.Origin, source: Source, record: String = "") {
        facts.append(Fact(lead: lead, seq: nextSeq(), at: at, kind: .owner, origin: origin, stage: .open, reason: nil, text: owner,
                          source: source, record: record))
    }

    /// The source text of a fact of `lead`.
    func source(_ fact: Fact, _ lead: LeadRecord) -> String {
        switch fact.source {
        case .lead: recordSource(lead.crmID)
        case .salesforceHistory: "salesforce:LeadHistory/\(fact.record)"
        case .hubspotLifecycleStage: "hubspot:history/\(lead.crmID)/lifecyclestage@\(CRMValue.millis(fact.at))"
        case .hubspotLeadStatus: "hubspot:history/\(lead.crmID)/hs_lead_status@\(CRMValue.millis(fact.at))"
        case .hubspotOwner: "hubspot:history/\(lead.crmID)/hubspot_owner_id@\(CRMValue.millis(fact.at))"
        }
    }

    /// Records a signal of a lead.
    mutating func signal(_ lead: Int32, _ signal: Signal) {
        signals.append(SignalFact(lead: lead, seq: nextSeq(), signal: signal))
    }

    /// The source naming a lead's own record.
    func recordSource(_ crmID: String) -> String { "\(crm.rawValue):\(object)/\(crmID)" }

    /// Walks every lead's facts in time order through the ledger's lead lifecycle (none/open → handedOff →
    /// accepted → converted; handedOff → rejected; accepted/rejected → recycled), giving `body` each lead's steps in
    /// order, leads in the order read. O(n log n) in the facts; holds one lead's steps at a time.
    mutating func walk(_ ctx: ReadContext, _ body: (ImportStep) throws -> Void) rethrows {
        if !sorted {
            facts.sort { ($0.lead, $0.at, $0.seq) < ($1.lead, $1.at, $1.seq) }
            signals.sort { ($0.lead, $0.signal.at, $0.seq) < ($1.lead, $1.signal.at, $1.seq) }
            sorted = true
        }
        var out: [ImportStep] = []
        var f = 0, s = 0
        for (i, lead) in leads.enumerated() {
            let n = Int32(i)
            let fStart = f
            while f < facts.count, facts[f].lead == n { f += 1 }
            let sStart = s
            while s < signals.count, signals[s].lead == n { s += 1 }
            out.removeAll(keepingCapacity: true)
            walk(lead, facts[fStart..<f], signals[sStart..<s], ctx, &out)
            for step in out { try body(step) }
        }
    }

    /// Every step, after the checks: `CRMImportError` for what the read found wrong (bad rows, values the mapping
    /// lacks), else each step to `body` when given (and none kept), or all of them in the reading.
    mutating func finish(_ ctx: ReadContext, each body: ((ImportStep) throws -> Void)?) throws -> CRMReading {
        guard let body else {
            var steps: [ImportStep] = []
            walk(ctx) { steps.append($0) }
            try ctx.finish()
            return ctx.reading(steps)
        }
        // A first walk finds the owners the mapping lacks, so that nothing reaches `body` from an export that is refused.
        walk(ctx) { _ in }
        try ctx.finish()
        ctx.notes.muted = true
        try walk(ctx, body)
        ctx.notes.muted = false
        return ctx.reading([])
    }

    /// The facts the walk uses: history over the record's current values, with the status a lead had before its
    /// first change; in time order, owner changes before stage changes at the same time.
    private func arranged(_ lead: LeadRecord, _ facts: ArraySlice<Fact>) -> [Fact] {
        let dated = facts.contains { $0.kind == .stage && $0.origin == .history }
        var kept = facts.filter { !($0.kind == .stage && dated && $0.origin == .snapshot) }
        if dated, let stage = lead.initialStage, let first = lead.firstStatusChange {
            kept.append(Fact(lead: 0, seq: -1, at: min(lead.created, first), kind: .stage, origin: .history, stage: stage,
                             reason: lead.initialReason, text: lead.initialValue ?? 0, source: .lead, record: ""))
        }
        if kept.contains(where: { $0.kind == .stage && $0.origin != .conversion && $0.stage == .converted }) {
            kept.removeAll { $0.origin == .conversion }
        }
        kept.sort { a, b in
            if a.at != b.at { return a.at < b.at }
            if a.kind != b.kind { return a.kind == .owner }
            return a.seq < b.seq
        }
        return kept
    }

    private enum State { case open, handedOff, accepted, rejected, converted }

    private func walk(_ lead: LeadRecord, _ facts: ArraySlice<Fact>, _ signals: ArraySlice<SignalFact>, _ ctx: ReadContext,
                      _ out: inout [ImportStep]) {
        let facts = arranged(lead, facts)
        guard facts.contains(where: { $0.kind == .stage && $0.stage != .open }) else { return }
        let ledgerID = tables.leadID(lead.crmID)
        var owner = facts.contains(where: { $0.kind == .owner }) ? (lead.initialOwner ?? lead.owner) : lead.owner
        var state = State.open
        var cycle = 0
        var straight = false

        func actor(_ index: Int32) -> String {
            let o = Int(index) < owners.count ? owners[Int(index)] : OwnerRef.unknown(raw: "?", place: "")
            switch o {
            case .actor(let a): return a
            case .unknown(let raw, let place):
                if let d = tables.mapping.defaultOwner { return d }
                if raw.isEmpty {
                    ctx.unmapped("user:", "a lead without an owner (\(place)): set \"defaultOwner\" to the sales actor who takes such leads")
                } else {
                    ctx.unmapped("user:" + raw, "user \(MappingTables.json(raw)) (\(place)): add \"users\": {\(MappingTables.json(raw)): \"ACTOR\"}, or set \"defaultOwner\"")
                }
                return raw
            }
        }
        func emit(_ verb: String, _ fact: Fact, _ who: String, _ command: Command) {
            out.append(ImportStep(key: "\(crm.rawValue)/\(lead.crmID)/\(verb)/\(cycle)", source: source(fact, lead), lead: ledgerID, actor: who,
                                  at: fact.at, command: command))
        }
        func handoff(_ fact: Fact) {
            cycle += 1
            var h = HandoffArgs(id: ledgerID, definition: tables.mapping.definition.id)
            h.version = tables.mapping.definition.version
            h.owner = actor(owner)
            h.campaign = campaign(lead, ctx)
            let values = lead.profileValues
            for (j, p) in tables.profile.enumerated() where j < values.count && !values[j].isEmpty {
                h.profile[p.field] = values[j]
            }
            var seen = Set<String>()
            for sf in signals where sf.signal.at <= fact.at {
                let sig = sf.signal
                if seen.insert("\(sig.name)|\(sig.at.timeIntervalSince1970)|\(sig.detail ?? "")").inserted { h.signals.append(sig) }
            }
            emit("handoff", fact, tables.mapping.handoffActor, .leadHandoff(h))
            state = .handedOff
        }
        func accept(_ fact: Fact) {
            emit("accept", fact, actor(owner), .leadAccept(id: ledgerID))
            state = .accepted
        }
        func reject(_ fact: Fact) {
            let reason = lead.rejection ?? fact.reason ?? .other
            let text = CRMValue.freeText(lead.rejectionNote ?? (Int(fact.text) < texts.count ? texts[Int(fact.text)] : ""))
            emit("reject", fact, actor(owner), .leadReject(id: ledgerID, reason: reason, note: text.isEmpty ? nil : text))
            state = .rejected
        }
        func convert(_ fact: Fact) {
            emit("convert", fact, actor(owner), .leadConvert(id: ledgerID, opportunity: lead.opportunity, amount: lead.amount))
            state = .converted
        }
        func recycle(_ fact: Fact) {
            emit("recycle", fact, actor(owner), .leadRecycle(id: ledgerID))
            state = .open
        }
        func ignored(_ from: State, _ to: CRMStage) {
            ctx.notes.add("stage changes changed nothing (a repeated stage, or a step the ledger's lifecycle has no word for)",
                          "\(lead.crmID): \(from) → \(to.rawValue)")
        }

        for fact in facts {
            if fact.kind == .owner {
                owner = fact.text
                continue
            }
            switch (state, fact.stage) {
            case (.open, .open): break
            case (.open, .handoff): handoff(fact)
            case (.open, .accepted): straight = true; handoff(fact); accept(fact)
            case (.open, .rejected): straight = true; handoff(fact); reject(fact)
            case (.open, .converted): straight = true; handoff(fact); accept(fact); convert(fact)
            case (.handedOff, .accepted): accept(fact)
            case (.handedOff, .rejected): reject(fact)
            case (.handedOff, .converted): accept(fact); convert(fact)
            case (.accepted, .converted): convert(fact)
            case (.accepted, .open), (.rejected, .open): recycle(fact)
            case (.accepted, .handoff), (.rejected, .handoff): recycle(fact); handoff(fact)
            default: ignored(state, fact.stage)
            }
        }
        if straight {
            ctx.notes.add("leads went from open straight to accepted, rejected or converted: handed off first, at the same time", lead.crmID)
        }
    }

    /// The ledger campaign of a lead's sourcing campaign; an unmapped one is left off, with a note.
    private func campaign(_ lead: LeadRecord, _ ctx: ReadContext) -> String? {
        guard let id = lead.campaign else { return nil }
        let name = campaignNames[id]
        if let c = tables.campaign(id, name: name) { return c }
        ctx.notes.add("handoffs name a CRM campaign the mapping does not map, and carry no campaign (add \"campaigns\": {\"CRM-ID\": \"CAMPAIGN\"})",
                      name.map { "\(id) \(MappingTables.json($0))" } ?? id)
        return nil
    }
}
