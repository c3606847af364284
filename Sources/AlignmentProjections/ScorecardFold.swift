import AlignmentDomain
import Foundation

/// Counters kept per business day and dimension (everyone, one actor, owner, campaign or definition version).
///
/// The raw values are the counters' places in a kept bucket: add new counters at the end (and bump
/// `ScorecardFold.codeVersion` whenever what a counter counts changes).
public enum Counter: Int, CaseIterable, Sendable {
    case activations, activationsWithQuorum
    case handoffs, handoffsWithSignals, signals
    case campaignHandoffs, campaignHandoffsWithBrief
    case triaged, triagedFromPlan, triagedAdHoc
    case launches, launchesReviewed
    case decided, accepted, acceptedWithinSLA, rejected
    case overrides
    case rejectedNotICP, rejectedBadTiming, rejectedNoBudget, rejectedDuplicate, rejectedInsufficientContext, rejectedNoResponse, rejectedOther
    /// Handoffs that carry an evaluation (those recorded before evaluation existed do not), and of them those that met
    /// every criterion of their definition version.
    case handoffsEvaluated, handoffsMet
    /// Handoffs that did not meet their definition and were let through: by the policy (`flag`, `allow`), or forced by
    /// a revops override.
    case handoffsFlagged, handoffsAllowed, handoffsForced
    /// Handoffs under a definition version whose activation (the one in force at the handoff) was an override.
    case handoffsUnderOverrideVersion
    case triagedDeclined
    /// Decisions on leads whose handoff met its definition, and on leads whose handoff did not.
    case decidedMet, acceptedMet, decidedNotMet, acceptedNotMet
    /// Conversions, and their amounts in cents (each amount rounded to the cent, halves away from zero).
    case converted, convertedAmountCents
    /// Handoffs imported from a CRM (`LeadHandedOff.source`), and of them those flagged for breaking a rule of the
    /// ledger in the CRM's history (not counted as overrides: nobody forced them).
    case handoffsImported, handoffsImportFlagged

    /// The number of counters (`allCases` builds an array on each use).
    public static let count = Counter.allCases.count

    static func rejection(_ r: RejectionReason) -> Counter {
        switch r {
        case .notICP: .rejectedNotICP
        case .badTiming: .rejectedBadTiming
        case .noBudget: .rejectedNoBudget
        case .duplicate: .rejectedDuplicate
        case .insufficientContext: .rejectedInsufficientContext
        case .noResponse: .rejectedNoResponse
        case .other: .rejectedOther
        }
    }
}

/// The open leads handed off on one day: how many at each minute of the day (0 ..< 1440). A lead stays open from its
/// handoff until it is accepted or rejected (or leaves the handed-off status otherwise).
public struct OpenMinutes: Equatable, Sendable {
    /// (minute of the day, open leads) in minute order. Counts that fell to zero stay until the next compaction.
    public private(set) var entries: [Entry] = []
    private var zeros = 0

    public struct Entry: Equatable, Sendable {
        public var minute: Int32
        public var count: Int32

        public init(minute: Int32, count: Int32) {
            self.minute = minute
            self.count = count
        }
    }

    public init() {}

    /// The minutes with open leads, in order, without zero counts.
    public init(_ entries: [Entry]) {
        self.entries = entries.filter { $0.count != 0 }.sorted { $0.minute < $1.minute }
    }

    public var isEmpty: Bool { entries.count == zeros }

    /// Open leads in all.
    public var total: Int64 { entries.reduce(0) { $0 + Int64($1.count) } }

    /// The entries with a count, in minute order.
    public var nonZero: [Entry] { zeros == 0 ? entries : entries.filter { $0.count != 0 } }

    /// Adds `delta` open leads at `minute`. Handoffs come mostly in time order, so the entry is usually the last one.
    public mutating func add(_ minute: Int32, _ delta: Int32) {
        let i: Int
        if let last = entries.last, last.minute <= minute {
            i = last.minute == minute ? entries.count - 1 : entries.count
        } else {
            var lo = 0, hi = entries.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if entries[mid].minute < minute { lo = mid + 1 } else { hi = mid }
            }
            i = lo
        }
        if i < entries.count, entries[i].minute == minute {
            let was = entries[i].count
            entries[i].count &+= delta
            if was == 0 { zeros -= 1 }
            if entries[i].count == 0 { zeros += 1 }
        } else {
            entries.insert(Entry(minute: minute, count: delta), at: i)
            if delta == 0 { zeros += 1 }
        }
        // Compacted when half are zeros: a day's leads are mostly decided a few days later.
        if zeros > 32 && zeros * 2 > entries.count {
            entries.removeAll { $0.count == 0 }
            zeros = 0
        }
    }

    public static func == (a: OpenMinutes, b: OpenMinutes) -> Bool { a.nonZero == b.nonZero }
}

/// One day's counts for one dimension, with the acceptance delays (in whole minutes) as a histogram and the leads
/// handed off that day that are still open.
public struct Bucket: Equatable, Sendable {
    public var counts: [Int64]
    /// Minutes from handoff to acceptance -> number of leads.
    public var delays: [Int64: Int64]
    /// The leads handed off this day that are open now, by minute of the day (kept in the handoff's buckets).
    public var open: OpenMinutes

    public init() {
        counts = Array(repeating: 0, count: Counter.count)
        delays = [:]
        open = OpenMinutes()
    }

    public subscript(_ c: Counter) -> Int64 {
        get { c.rawValue < counts.count ? counts[c.rawValue] : 0 }
        set {
            if counts.count < Counter.count { counts += Array(repeating: 0, count: Counter.count - counts.count) }
            counts[c.rawValue] = newValue
        }
    }

    /// Adds `other`'s counters and delays (not its open leads: their minutes belong to `other`'s day; see `OpenAges`).
    public mutating func add(_ other: Bucket) {
        for i in 0..<min(counts.count, other.counts.count) { counts[i] += other.counts[i] }
        for (k, v) in other.delays { delays[k, default: 0] += v }
    }
}

/// What the scorecard fold reads of the state before an event: the policy, a lead's handoff, a definition version's
/// activations. `CurrentStateFold` answers in place.
public protocol ScorecardStateSource {
    /// The ledger's policy.
    func policy() throws -> Policy
    /// A lead's latest handoff and whether it is open.
    func leadScoring(_ id: String) throws -> LeadScoringFacts
    /// The spans of business time during which a definition version was active, oldest first.
    func activations(of definition: String, version: Int) throws -> [ActivationSpan]
}

/// What the scorecard needs of a lead's state to count a decision or a conversion, and to close the lead.
public struct LeadScoringFacts: Equatable, Sendable {
    /// Handed off and neither accepted nor rejected (nor converted or recycled) since.
    public var open: Bool
    /// The latest handoff's business time and actor.
    public var at: Date?
    public var by: String?
    public var owner: String?
    public var campaign: String?
    public var definition: String?
    public var definitionVersion: Int?
    /// Whether the latest handoff met its definition (nil: recorded before evaluation, or never handed off).
    public var met: Bool?

    public init(open: Bool, at: Date?, by: String?, owner: String?, campaign: String?, definition: String?, definitionVersion: Int?, met: Bool?) {
        self.open = open
        self.at = at
        self.by = by
        self.owner = owner
        self.campaign = campaign
        self.definition = definition
        self.definitionVersion = definitionVersion
        self.met = met
    }

    public init(_ lead: LeadState) {
        self.init(open: lead.status == .handedOff, at: lead.handedOffAt, by: lead.handedOffBy, owner: lead.handoff?.owner,
                  campaign: lead.handoff?.campaign, definition: lead.handoff?.definition,
                  definitionVersion: lead.handoff?.definitionVersion, met: lead.handoff?.evaluation?.met)
    }
}

/// A span of business time during which a definition version was active, and whether its activation was an override.
public struct ActivationSpan: Equatable, Sendable {
    public var from: Date
    public var until: Date?
    public var byOverride: Bool

    public init(from: Date, until: Date?, byOverride: Bool) {
        self.from = from
        self.until = until
        self.byOverride = byOverride
    }
}

/// The scorecard projection: folds events into per-day buckets. Business time decides the day.
///
/// Keys are `DAY|DIMENSION`, DAY being days since 1970-01-01 (zero-padded), DIMENSION `all`, `actor:ID`, `owner:ID`,
/// `campaign:ID` or `definition:ID@VERSION`. A lead's events count under its owner, its campaign and the definition
/// version it was handed off under (as well as everyone and the event's actor); a launch under its campaign; an
/// activation under its version. Lead decisions (acceptance, rejection) count on the day of the decision, with the
/// delay measured from the lead's latest handoff; an open lead is kept in the buckets of its handoff (day and minute),
/// and leaves them when it is decided.
public final class ScorecardFold {
    /// 4: triage overrides count as overrides. 5: handoffs by evaluation, owner, campaign and definition version;
    /// decisions by met / not met; conversions and amounts; declined triage; open leads by handoff minute. 6: CRM
    /// imports: imported and flagged handoffs, a flag not counted as an override.
    public static let codeVersion = 6
    public static let table = "scorecard"

    /// A bucket's key as the fold uses it: the day and an interned dimension (its string in `dimensions`).
    private struct Key: Hashable {
        var day: Int32
        var dimension: Int32
    }

    /// The buckets, each with its key and whether it changed since `clearDirty`.
    private var slots: [Bucket] = []
    private var slotKeys: [Key] = []
    private var slotDirty: [Bool] = []
    private var dirtySlots: [Int] = []
    /// Per day, the slot of each dimension (-1: none yet): folding an event hashes its day once, not each bucket's key.
    private var days: [Int32: Int] = [:]
    private var dayTables: [[Int]] = []
    private var lastDay: Int32 = .min, lastTable = -1

    private var dimensions: [String] = ["all"]
    private var actorDimension: [String: Int32] = [:]
    private var ownerDimension: [String: Int32] = [:]
    private var campaignDimension: [String: Int32] = [:]
    private var definitionDimension: [DefinitionKey: Int32] = [:]
    private struct DefinitionKey: Hashable {
        var id: String
        var version: Int
    }
    /// A definition version's activations, by its dimension, read from the state once and forgotten when one of the
    /// definition's activations or retirements is folded.
    private var activationSpans: [Int32: [ActivationSpan]] = [:]
    private let load: (String) throws -> Bucket?

    /// A lead handed off in this fold and open since: its handoff's day, minute, dimensions (the marketer as the actor),
    /// time and evaluation. It joins its buckets' open leads when they are read or written (`materialize`): most leads
    /// are decided before then, and never enter and leave five open-lead histograms.
    private struct Pending {
        var day: Int32
        var minute: Int32
        var dims: Dims
        var at: Date
        var met: Bool?
    }
    private var pending: [String: Pending] = [:]

    public init(load: @escaping (String) throws -> Bucket? = { _ in nil }) {
        self.load = load
    }

    private func string(_ k: Key) -> String { ScorecardFold.key(day: Int(k.day), dimensions[Int(k.dimension)]) }

    /// Every bucket folded or loaded so far, by its stored key (`DAY|DIMENSION`).
    public var buckets: [String: Bucket] {
        materialize()
        var out: [String: Bucket] = [:]
        out.reserveCapacity(slots.count)
        for (i, k) in slotKeys.enumerated() { out[string(k)] = slots[i] }
        return out
    }

    /// The stored keys of the buckets changed since `clearDirty`.
    public var dirty: Set<String> {
        materialize()
        return Set(dirtySlots.map { string(slotKeys[$0]) })
    }

    /// The buckets changed since `clearDirty`, with their stored keys.
    public func dirtyBuckets() -> [(key: String, bucket: Bucket)] {
        materialize()
        return dirtySlots.map { (string(slotKeys[$0]), slots[$0]) }
    }

    public func clearDirty() {
        for i in dirtySlots { slotDirty[i] = false }
        dirtySlots.removeAll(keepingCapacity: true)
    }

    private func intern(_ id: String, _ table: inout [String: Int32], _ prefix: String) -> Int32 {
        if let d = table[id] { return d }
        let d = Int32(dimensions.count)
        dimensions.append(prefix + id)
        table[id] = d
        return d
    }

    private func intern(definition: String, version: Int) -> Int32 {
        let k = DefinitionKey(id: definition, version: version)
        if let d = definitionDimension[k] { return d }
        let d = Int32(dimensions.count)
        dimensions.append("definition:\(definition)@\(version)")
        definitionDimension[k] = d
        return d
    }

    public static func day(_ d: Date) -> Int { Int((d.timeIntervalSince1970 / 86_400).rounded(.down)) }

    /// Whole minutes since 1970-01-01 (rounded down): the clock of open leads' ages.
    public static func minute(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 / 60).rounded(.down)) }

    public static func key(day: Int, _ dimension: String) -> String {
        let d = String(day)
        return String(repeating: "0", count: max(0, 6 - d.count)) + d + "|" + dimension
    }

    /// The dimensions an event counts under besides everyone.
    private struct Dims {
        var actor: Int32
        var owner: Int32 = -1
        var campaign: Int32 = -1
        var definition: Int32 = -1
    }

    /// The slot of (day, dimension), loaded or made when new.
    private func slot(_ day: Int32, _ dimension: Int32) throws -> Int {
        let t: Int
        if day == lastDay {
            t = lastTable
        } else if let found = days[day] {
            t = found
            lastDay = day
            lastTable = t
        } else {
            t = dayTables.count
            dayTables.append([])
            days[day] = t
            lastDay = day
            lastTable = t
        }
        let d = Int(dimension)
        if d < dayTables[t].count, dayTables[t][d] >= 0 { return dayTables[t][d] }
        let key = Key(day: day, dimension: dimension)
        let b = try load(string(key)) ?? Bucket()
        let i = slots.count
        slots.append(b)
        slotKeys.append(key)
        slotDirty.append(false)
        if dayTables[t].count <= d { dayTables[t] += Array(repeating: -1, count: d + 1 - dayTables[t].count) }
        dayTables[t][d] = i
        return i
    }

    private func bump(_ i: Int, _ body: (inout Bucket) -> Void) {
        body(&slots[i])
        if !slotDirty[i] {
            slotDirty[i] = true
            dirtySlots.append(i)
        }
    }

    private func bump(_ at: Date, _ dims: Dims, _ body: (inout Bucket) -> Void) throws {
        try bump(day: Int32(clamping: ScorecardFold.day(at)), dims, body)
    }

    /// Runs `body` on the buckets of `day` for everyone and each of `dims` (no array built per event).
    private func bump(day: Int32, _ dims: Dims, _ body: (inout Bucket) -> Void) throws {
        bump(try slot(day, 0), body)
        if dims.actor >= 0 { bump(try slot(day, dims.actor), body) }
        if dims.owner >= 0 { bump(try slot(day, dims.owner), body) }
        if dims.campaign >= 0 { bump(try slot(day, dims.campaign), body) }
        if dims.definition >= 0 { bump(try slot(day, dims.definition), body) }
    }

    private func leadDims(_ owner: String?, _ campaign: String?, _ definition: String?, _ version: Int?, into d: inout Dims) {
        if let owner { d.owner = intern(owner, &ownerDimension, "owner:") }
        if let campaign { d.campaign = intern(campaign, &campaignDimension, "campaign:") }
        if let definition, let version { d.definition = intern(definition: definition, version: version) }
    }

    /// Puts the pending open leads into their handoff's buckets (made when the handoff was folded).
    private func materialize() {
        guard !pending.isEmpty else { return }
        for p in pending.values { addOpen(p, 1) }
        pending.removeAll(keepingCapacity: true)
    }

    private func addOpen(_ p: Pending, _ delta: Int32) {
        guard let t = days[p.day] else { return }
        for d in [0, p.dims.actor, p.dims.owner, p.dims.campaign, p.dims.definition] where d >= 0 {
            if Int(d) < dayTables[t].count, dayTables[t][Int(d)] >= 0 { bump(dayTables[t][Int(d)]) { $0.open.add(p.minute, delta) } }
        }
    }

    /// The lead an event decides (or converts, or recycles), taken out of the open leads: its owner, campaign and
    /// definition version put in `dims`, and its latest handoff's time and evaluation.
    private func takeLead(_ id: String, into dims: inout Dims, _ state: some ScorecardStateSource) throws -> (at: Date?, met: Bool?) {
        if let p = pending.removeValue(forKey: id) {
            dims.owner = p.dims.owner
            dims.campaign = p.dims.campaign
            dims.definition = p.dims.definition
            return (p.at, p.met)
        }
        let lead = try state.leadScoring(id)
        leadDims(lead.owner, lead.campaign, lead.definition, lead.definitionVersion, into: &dims)
        try close(lead, dims)
        return (lead.at, lead.met)
    }

    /// Takes an open lead out of its handoff's buckets: `dims` are the lead's (owner, campaign, definition version);
    /// the actor is the marketer who handed it off.
    private func close(_ lead: LeadScoringFacts, _ dims: Dims) throws {
        guard lead.open, let at = lead.at else { return }
        var d = dims
        d.actor = lead.by.map { intern($0, &actorDimension, "actor:") } ?? -1
        let (day, minute) = ScorecardFold.dayAndMinute(at)
        try bump(day: day, d) { $0.open.add(minute, -1) }
    }

    /// The day of a business time, and its minute within that day (0 ..< 1440).
    static func dayAndMinute(_ at: Date) -> (day: Int32, minute: Int32) {
        let day = ScorecardFold.day(at)
        return (Int32(clamping: day), Int32(clamping: ScorecardFold.minute(at) - Int64(day) * 1440))
    }

    /// Whether the activation of `dimension`'s version in force at `at` was an override.
    private func activatedByOverride(_ dimension: Int32, _ definition: String, _ version: Int, at: Date,
                                     _ state: some ScorecardStateSource) throws -> Bool {
        let spans: [ActivationSpan]
        if let s = activationSpans[dimension] {
            spans = s
        } else {
            spans = try state.activations(of: definition, version: version)
            activationSpans[dimension] = spans
        }
        return spans.last { $0.from <= at && ($0.until.map { at < $0 } ?? true) }?.byOverride ?? false
    }

    /// Forgets the cached activations of one definition (its activations changed).
    private func forgetActivations(of definition: String) {
        for (k, d) in definitionDimension where k.id == definition { activationSpans[d] = nil }
    }

    /// Amount in cents, rounded half away from zero (0 when there is none, or it is not a finite amount in range).
    static func cents(_ amount: Double?) -> Int64 {
        guard let a = amount else { return 0 }
        let c = (a * 100).rounded(.toNearestOrAwayFromZero)
        return c.isFinite && abs(c) < 9e15 ? Int64(c) : 0
    }

    /// Folds one event. `state` is the current state *before* this event (for the lead's handoff and the policy).
    public func apply(_ r: Recorded, state: some ScorecardStateSource) throws {
        var dims = Dims(actor: intern(r.actor, &actorDimension, "actor:"))
        switch r.event {
        case .definitionActivated(let e):
            forgetActivations(of: e.definition)
            dims.definition = intern(definition: e.definition, version: e.version)
            try bump(r.at, dims) {
                $0[.activations] += 1
                if e.override == nil && e.signOffs >= e.quorum { $0[.activationsWithQuorum] += 1 }
                if e.override != nil { $0[.overrides] += 1 }
            }
        case .definitionRetired(let e):
            forgetActivations(of: e.definition)
        case .leadHandedOff(let e):
            leadDims(e.owner, e.campaign, e.definition, e.definitionVersion, into: &dims)
            let underOverride = try activatedByOverride(dims.definition, e.definition, e.definitionVersion, at: r.at, state)
            let (day, minute) = ScorecardFold.dayAndMinute(r.at)
            // What the handoff counts, worked out once (the body below runs for each of its buckets).
            let signals = Int64(e.signals.count), campaign = e.campaign != nil, brief = e.brief != nil
            let imported = e.source != nil, importFlagged = imported && e.override != nil, overridden = e.override != nil && !imported
            let evaluated = e.evaluation != nil, met = e.evaluation?.met
            let letThrough = met == false ? e.evaluation?.offDefinition : nil
            let flagged = letThrough == .flag, allowed = letThrough == .allow
            let forced = met == false && !flagged && !allowed && overridden
            // Handed off again while open (never under the rules): the open handoff stays open in its buckets.
            if let earlier = pending.updateValue(Pending(day: day, minute: minute, dims: dims, at: r.at, met: met), forKey: e.lead) {
                addOpen(earlier, 1)
            }
            try bump(day: day, dims) {
                $0[.handoffs] += 1
                if signals > 0 { $0[.handoffsWithSignals] += 1 }
                $0[.signals] += signals
                if campaign {
                    $0[.campaignHandoffs] += 1
                    if brief { $0[.campaignHandoffsWithBrief] += 1 }
                }
                if evaluated { $0[.handoffsEvaluated] += 1 }
                if met == true { $0[.handoffsMet] += 1 }
                if flagged { $0[.handoffsFlagged] += 1 }
                if allowed { $0[.handoffsAllowed] += 1 }
                if forced { $0[.handoffsForced] += 1 }
                if underOverride { $0[.handoffsUnderOverrideVersion] += 1 }
                if overridden { $0[.overrides] += 1 }
                if imported { $0[.handoffsImported] += 1 }
                if importFlagged { $0[.handoffsImportFlagged] += 1 }
            }
        case .contentRequestTriaged(let e):
            try bump(r.at, dims) {
                $0[.triaged] += 1
                // A request served by an override (another stage's asset, ad hoc against the policy) is a miss.
                if (e.outcome == .mapped || e.outcome == .addedToPlan) && e.override == nil { $0[.triagedFromPlan] += 1 }
                if e.outcome == .adHoc { $0[.triagedAdHoc] += 1 }
                if e.outcome == .declined { $0[.triagedDeclined] += 1 }
                if e.override != nil { $0[.overrides] += 1 }
            }
        case .campaignLaunched(let e):
            dims.campaign = intern(e.campaign, &campaignDimension, "campaign:")
            try bump(r.at, dims) {
                $0[.launches] += 1
                if e.reviewed && e.override == nil { $0[.launchesReviewed] += 1 }
                if e.override != nil { $0[.overrides] += 1 }
            }
        case .leadAccepted(let e):
            let lead = try takeLead(e.lead, into: &dims, state)
            let sla = try state.policy().slaHours
            let minutes = Int64(max(0, r.at.timeIntervalSince(lead.at ?? r.at)) / 60)
            try bump(r.at, dims) {
                $0[.decided] += 1
                $0[.accepted] += 1
                if minutes <= Int64(sla) * 60 { $0[.acceptedWithinSLA] += 1 }
                $0.delays[minutes, default: 0] += 1
                switch lead.met {
                case true?: $0[.decidedMet] += 1; $0[.acceptedMet] += 1
                case false?: $0[.decidedNotMet] += 1; $0[.acceptedNotMet] += 1
                case nil: break
                }
            }
        case .leadRejected(let e):
            let lead = try takeLead(e.lead, into: &dims, state)
            try bump(r.at, dims) {
                $0[.decided] += 1
                $0[.rejected] += 1
                $0[Counter.rejection(e.reason)] += 1
                switch lead.met {
                case true?: $0[.decidedMet] += 1
                case false?: $0[.decidedNotMet] += 1
                case nil: break
                }
            }
        case .leadConverted(let e):
            _ = try takeLead(e.lead, into: &dims, state)
            let cents = ScorecardFold.cents(e.amount)
            try bump(r.at, dims) {
                $0[.converted] += 1
                $0[.convertedAmountCents] += cents
            }
        case .leadRecycled(let e):
            _ = try takeLead(e.lead, into: &dims, state)
        default:
            break
        }
    }
}
