import AlignmentDomain
import Foundation
import ISOTime

/// Counters kept per business day and dimension (everyone, one actor, or one definition version).
public enum Counter: Int, CaseIterable, Sendable {
    case activations, activationsWithQuorum
    case handoffs, handoffsWithSignals, signals
    case campaignHandoffs, campaignHandoffsWithBrief
    case triaged, triagedFromPlan, triagedAdHoc
    case launches, launchesReviewed
    case decided, accepted, acceptedWithinSLA, rejected
    case overrides
    case rejectedNotICP, rejectedBadTiming, rejectedNoBudget, rejectedDuplicate, rejectedInsufficientContext, rejectedNoResponse, rejectedOther

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

/// One day's counts for one dimension, with the acceptance delays (in whole minutes) as a histogram.
public struct Bucket: Codable, Equatable, Sendable {
    public var counts: [Int64]
    /// Minutes from handoff to acceptance -> number of leads.
    public var delays: [Int64: Int64]

    public init() {
        counts = Array(repeating: 0, count: Counter.allCases.count)
        delays = [:]
    }

    public subscript(_ c: Counter) -> Int64 {
        get { c.rawValue < counts.count ? counts[c.rawValue] : 0 }
        set {
            if counts.count < Counter.allCases.count { counts += Array(repeating: 0, count: Counter.allCases.count - counts.count) }
            counts[c.rawValue] = newValue
        }
    }

    public mutating func add(_ other: Bucket) {
        for c in Counter.allCases { self[c] += other[c] }
        for (k, v) in other.delays { delays[k, default: 0] += v }
    }
}

/// The scorecard projection: folds events into per-day buckets. Business time decides the day.
///
/// Keys are `DAY|DIMENSION`, DAY being days since 1970-01-01 (zero-padded), DIMENSION `all`, `actor:ID`
/// or `definition:ID@VERSION`. Lead decisions (acceptance, rejection) count on the day of the decision,
/// with the delay measured from the lead's latest handoff.
public final class ScorecardFold {
    public static let codeVersion = 4
    public static let table = "scorecard"

    /// A bucket's key as the fold uses it: the day and an interned dimension (its string in `dimensions`), so that
    /// folding an event builds and hashes no strings but the actor's.
    private struct Key: Hashable {
        var day: Int32
        var dimension: Int32
    }

    private var table: [Key: Bucket] = [:]
    private var changed: Set<Key> = []
    private var dimensions: [String] = ["all"]
    private var actorDimension: [String: Int32] = [:]
    private var definitionDimension: [DefinitionKey: Int32] = [:]
    private struct DefinitionKey: Hashable {
        var id: String
        var version: Int
    }
    private let load: (String) throws -> Bucket?

    public init(load: @escaping (String) throws -> Bucket? = { _ in nil }) {
        self.load = load
    }

    private func string(_ k: Key) -> String { ScorecardFold.key(day: Int(k.day), dimensions[Int(k.dimension)]) }

    /// Every bucket folded or loaded so far, by its stored key (`DAY|DIMENSION`).
    public var buckets: [String: Bucket] {
        var out: [String: Bucket] = [:]
        out.reserveCapacity(table.count)
        for (k, b) in table { out[string(k)] = b }
        return out
    }

    /// The stored keys of the buckets changed since `clearDirty`.
    public var dirty: Set<String> { Set(changed.map(string)) }

    /// The buckets changed since `clearDirty`, with their stored keys.
    public func dirtyBuckets() -> [(key: String, bucket: Bucket)] {
        changed.compactMap { k in table[k].map { (string(k), $0) } }
    }

    private func intern(actor: String) -> Int32 {
        if let d = actorDimension[actor] { return d }
        let d = Int32(dimensions.count)
        dimensions.append("actor:" + actor)
        actorDimension[actor] = d
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

    public static func key(day: Int, _ dimension: String) -> String {
        let d = String(day)
        return String(repeating: "0", count: max(0, 6 - d.count)) + d + "|" + dimension
    }

    /// The dimensions of an event: everyone, its actor, and for lead decisions the definition version.
    private struct Dims {
        var actor: Int32
        var definition: Int32?
    }

    private func bump(_ at: Date, _ dims: Dims, _ body: (inout Bucket) -> Void) throws {
        let day = Int32(clamping: ScorecardFold.day(at))
        try bump(Key(day: day, dimension: 0), body)
        try bump(Key(day: day, dimension: dims.actor), body)
        if let d = dims.definition { try bump(Key(day: day, dimension: d), body) }
    }

    private func bump(_ k: Key, _ body: (inout Bucket) -> Void) throws {
        if let i = table.index(forKey: k) {
            body(&table.values[i])  // in place: no copy of the bucket's arrays
        } else {
            var b = try load(string(k)) ?? Bucket()
            body(&b)
            table[k] = b
        }
        changed.insert(k)
    }

    /// Folds one event. `state` is the current state *before* this event (for the lead's handoff and the policy).
    public func apply(_ r: Recorded, state: StateSource) throws {
        let dims = Dims(actor: intern(actor: r.actor))
        switch r.event {
        case .definitionActivated(let e):
            try bump(r.at, dims) {
                $0[.activations] += 1
                if e.override == nil && e.signOffs >= e.quorum { $0[.activationsWithQuorum] += 1 }
                if e.override != nil { $0[.overrides] += 1 }
            }
        case .leadHandedOff(let e):
            try bump(r.at, dims) {
                $0[.handoffs] += 1
                if !e.signals.isEmpty { $0[.handoffsWithSignals] += 1 }
                $0[.signals] += Int64(e.signals.count)
                if e.campaign != nil {
                    $0[.campaignHandoffs] += 1
                    if e.brief != nil { $0[.campaignHandoffsWithBrief] += 1 }
                }
                if e.override != nil { $0[.overrides] += 1 }
            }
        case .contentRequestTriaged(let e):
            try bump(r.at, dims) {
                $0[.triaged] += 1
                if e.outcome == .mapped || e.outcome == .addedToPlan { $0[.triagedFromPlan] += 1 }
                if e.outcome == .adHoc { $0[.triagedAdHoc] += 1 }
                if e.override != nil { $0[.overrides] += 1 }
            }
        case .campaignLaunched(let e):
            try bump(r.at, dims) {
                $0[.launches] += 1
                if e.reviewed && e.override == nil { $0[.launchesReviewed] += 1 }
                if e.override != nil { $0[.overrides] += 1 }
            }
        case .leadAccepted(let e):
            let lead = try state.leadHandoff(e.lead)
            let sla = try state.policy().slaHours
            let handedOff = lead.at ?? r.at
            let minutes = Int64(max(0, r.at.timeIntervalSince(handedOff)) / 60)
            var d = dims
            if let id = lead.definition, let v = lead.definitionVersion { d.definition = intern(definition: id, version: v) }
            try bump(r.at, d) {
                $0[.decided] += 1
                $0[.accepted] += 1
                if minutes <= Int64(sla) * 60 { $0[.acceptedWithinSLA] += 1 }
                $0.delays[minutes, default: 0] += 1
            }
        case .leadRejected(let e):
            let lead = try state.leadHandoff(e.lead)
            var d = dims
            if let id = lead.definition, let v = lead.definitionVersion { d.definition = intern(definition: id, version: v) }
            try bump(r.at, d) {
                $0[.decided] += 1
                $0[.rejected] += 1
                $0[Counter.rejection(e.reason)] += 1
            }
        default:
            break
        }
    }

    public func clearDirty() { changed.removeAll(keepingCapacity: true) }
}

/// A ratio with its counts.
public struct Ratio: Codable, Equatable, Sendable {
    public var numerator: Int64
    public var denominator: Int64
    /// nil when the denominator is 0.
    public var value: Double?

    public init(_ n: Int64, _ d: Int64) {
        numerator = n
        denominator = d
        value = d == 0 ? nil : Double(n) / Double(d)
    }
}

/// The five indicators and the lead SLA for one period (or overall, or one actor).
public struct ScorecardRow: Codable, Equatable, Sendable {
    public var period: String
    /// 1. definition versions activated with the sales quorum / all activations.
    public var definitionsWithQuorum: Ratio
    /// 2. handoffs with at least one behavioural signal / all handoffs.
    public var handoffsWithContext: Ratio
    public var meanSignalsPerHandoff: Double?
    /// 3. campaign-sourced handoffs that carried the campaign's brief / all campaign-sourced handoffs.
    public var campaignHandoffsWithBrief: Ratio
    /// 4. content requests served from the plan / all triaged requests.
    public var contentFromPlan: Ratio
    public var contentAdHoc: Ratio
    /// 5. launches with an approving sales review before launch / all launches.
    public var launchesReviewed: Ratio
    /// Lead SLA: minutes from handoff to acceptance (nearest-rank percentiles over whole minutes).
    public var acceptanceMedianMinutes: Int64?
    public var acceptanceP90Minutes: Int64?
    public var acceptedWithinSLA: Ratio
    public var rejectionRate: Ratio
    public var rejectionsByReason: [String: Int64]
    public var overrides: Int64

    init(period: String, _ b: Bucket) {
        self.period = period
        definitionsWithQuorum = Ratio(b[.activationsWithQuorum], b[.activations])
        handoffsWithContext = Ratio(b[.handoffsWithSignals], b[.handoffs])
        meanSignalsPerHandoff = b[.handoffs] == 0 ? nil : Double(b[.signals]) / Double(b[.handoffs])
        campaignHandoffsWithBrief = Ratio(b[.campaignHandoffsWithBrief], b[.campaignHandoffs])
        contentFromPlan = Ratio(b[.triagedFromPlan], b[.triaged])
        contentAdHoc = Ratio(b[.triagedAdHoc], b[.triaged])
        launchesReviewed = Ratio(b[.launchesReviewed], b[.launches])
        acceptanceMedianMinutes = Scorecard.percentile(b.delays, 50)
        acceptanceP90Minutes = Scorecard.percentile(b.delays, 90)
        acceptedWithinSLA = Ratio(b[.acceptedWithinSLA], b[.accepted])
        rejectionRate = Ratio(b[.rejected], b[.decided])
        var reasons: [String: Int64] = [:]
        for r in RejectionReason.allCases where b[Counter.rejection(r)] > 0 { reasons[r.rawValue] = b[Counter.rejection(r)] }
        rejectionsByReason = reasons
        overrides = b[.overrides]
    }
}

/// Rejection rate of the leads qualified by one definition version.
public struct DefinitionRejections: Codable, Equatable, Sendable {
    public var definition: String
    public var version: Int
    public var decided: Int64
    public var rejected: Int64
    public var rejectionRate: Ratio
    public var byReason: [String: Int64]
}

/// The scorecard: per period, overall, optionally per actor.
public struct Scorecard: Codable, Equatable, Sendable {
    public enum Period: String, Codable, CaseIterable, Sendable { case week, month, quarter }

    public var period: Period
    public var since: String?
    public var until: String?
    public var periods: [ScorecardRow]
    public var overall: ScorecardRow
    public var byActor: [String: ScorecardRow]?
    public var byDefinitionVersion: [DefinitionRejections]

    /// Nearest-rank percentile of a histogram (nil when empty).
    public static func percentile(_ hist: [Int64: Int64], _ p: Int) -> Int64? {
        let total = hist.values.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = Int64((Double(p) / 100 * Double(total)).rounded(.up))
        var seen: Int64 = 0
        for k in hist.keys.sorted() {
            seen += hist[k]!
            if seen >= max(rank, 1) { return k }
        }
        return hist.keys.max()
    }

    /// The label of the period a day falls in: `2026-W14`, `2026-04`, `2026-Q2`.
    public static func label(day: Int, _ period: Period) -> String {
        // Arithmetic on day numbers: Foundation's Calendar and String(format:) here took about a fifth of the work of
        // `align scorecard` itself on a 1M-event ledger (perf record, 2026-12-07).
        func digits(_ v: Int64, _ n: Int) -> String {
            let s = String(v)
            return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
        }
        let (y, m, _) = ISOTime.civil(fromDays: Int64(day))
        switch period {
        case .month: return "\(digits(y, 4))-\(digits(m, 2))"
        case .quarter: return "\(digits(y, 4))-Q\((m - 1) / 3 + 1)"
        case .week:
            // ISO 8601: the week belongs to the year of its Thursday; 1970-01-01 was a Thursday (weekday 4, Monday 1).
            let weekday = ((Int64(day) % 7 + 7 + 3) % 7) + 1
            let thursday = Int64(day) - weekday + 4
            let (wy, _, _) = ISOTime.civil(fromDays: thursday)
            return "\(digits(wy, 4))-W\(digits((thursday - ISOTime.days(fromCivil: wy, 1, 1)) / 7 + 1, 2))"
        }
    }

    /// Aggregates kept buckets (`key` as written by `ScorecardFold`) between two business times.
    public static func compute(buckets: [(key: String, bucket: Bucket)], period: Period, since: Date?, until: Date?, byActor: Bool) -> Scorecard {
        var tally = ScorecardTally(period: period, since: since, until: until, byActor: byActor)
        for (key, b) in buckets { tally.add(key: key) { into, _ in into.add(b) } }
        return tally.scorecard
    }
}
