import AlignmentDomain
import Foundation
import ISOTime

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

/// Open leads (handed off, neither accepted nor rejected) by age against the policy's SLA, as of a time.
public struct OpenLeads: Codable, Equatable, Sendable {
    public var total: Int64
    /// Age at most the SLA (nil when the scorecard ages no leads: no `asOf`).
    public var withinSLA: Int64?
    /// Older than the SLA, at most twice the SLA: a miss.
    public var pastSLA: Int64?
    /// Older than twice the SLA: a miss.
    public var pastTwiceSLA: Int64?

    public init(total: Int64 = 0, withinSLA: Int64? = nil, pastSLA: Int64? = nil, pastTwiceSLA: Int64? = nil) {
        self.total = total
        self.withinSLA = withinSLA
        self.pastSLA = pastSLA
        self.pastTwiceSLA = pastTwiceSLA
    }

    /// Open leads past the SLA (0 when not aged).
    public var misses: Int64 { (pastSLA ?? 0) + (pastTwiceSLA ?? 0) }
}

/// Ages open leads as the scorecard reads them: the time they are aged at and the SLA they are aged against.
public struct OpenAging: Equatable, Sendable {
    /// Whole minutes since 1970 (`ScorecardFold.minute`) of the time the leads are aged at.
    public var asOfMinute: Int64
    public var slaMinutes: Int64

    public init(asOf: Date, slaHours: Int) {
        asOfMinute = ScorecardFold.minute(asOf)
        slaMinutes = Int64(max(0, slaHours)) * 60
    }

    /// Adds one day's open entries (`minute` of the day, `count`) into `into`: age = as-of minute - handoff minute.
    @inline(__always)
    public func add(day: Int, minute: Int64, count: Int64, into o: inout OpenLeads) {
        o.total += count
        let age = asOfMinute - (Int64(day) * 1440 + minute)
        if age <= slaMinutes { o.withinSLA = (o.withinSLA ?? 0) + count }
        else if age <= 2 * slaMinutes { o.pastSLA = (o.pastSLA ?? 0) + count }
        else { o.pastTwiceSLA = (o.pastTwiceSLA ?? 0) + count }
    }

    /// The counts of an aged scorecard: zeros rather than nil.
    public static func aged(_ o: OpenLeads) -> OpenLeads {
        OpenLeads(total: o.total, withinSLA: o.withinSLA ?? 0, pastSLA: o.pastSLA ?? 0, pastTwiceSLA: o.pastTwiceSLA ?? 0)
    }
}

/// The five indicators, qualification and the closed loop, and the lead SLA for one period (or overall, or one
/// actor, owner, campaign or definition version).
public struct ScorecardRow: Codable, Equatable, Sendable {
    public var period: String
    /// 1. definition versions activated with the sales quorum / all activations.
    public var definitionsWithQuorum: Ratio
    /// 1. handoffs that met every criterion of their definition version / all handoffs.
    public var qualifiedHandoffs: Ratio
    /// Handoffs recorded before evaluation existed (no evaluation in the event): neither met nor not met.
    public var handoffsNotEvaluated: Int64
    /// Handoffs that did not meet their definition, let through by the policy (`flag`, `allow`) or forced by override.
    public var offDefinitionFlagged: Int64
    public var offDefinitionAllowed: Int64
    public var offDefinitionForced: Int64
    /// Handoffs under a definition version whose activation in force was an override / all handoffs.
    public var handoffsUnderOverrideVersion: Ratio
    /// 2. handoffs with at least one behavioural signal / all handoffs.
    public var handoffsWithContext: Ratio
    public var meanSignalsPerHandoff: Double?
    /// 3. campaign-sourced handoffs that carried the campaign's brief / all campaign-sourced handoffs.
    public var campaignHandoffsWithBrief: Ratio
    /// Campaign-sourced handoffs with no brief published before them ("no brief": misses of indicator 3).
    public var campaignHandoffsNoBrief: Int64
    /// 4. content requests served from the plan (without override) / requests served (triaged, not declined).
    public var contentFromPlan: Ratio
    /// Ad-hoc requests / requests served.
    public var contentAdHoc: Ratio
    /// Declined requests / all triaged requests: their own outcome, not a miss.
    public var contentDeclined: Ratio
    /// 5. launches with an approving sales review before launch / all launches.
    public var launchesReviewed: Ratio
    /// Lead SLA: minutes from handoff to acceptance (nearest-rank percentiles over whole minutes).
    public var acceptanceMedianMinutes: Int64?
    public var acceptanceP90Minutes: Int64?
    /// Accepted within the SLA / accepted + open leads past the SLA (those only when the scorecard ages open leads).
    public var acceptedWithinSLA: Ratio
    /// Leads handed off in the period that are open (as of the scorecard's `asOf`), by age.
    public var openLeads: OpenLeads
    public var rejectionRate: Ratio
    public var rejectionsByReason: [String: Int64]
    /// The closed loop: of the decisions on leads that met their definition, the share accepted and rejected; the same
    /// for leads that did not; decisions on leads handed off before evaluation existed are in neither.
    public var acceptanceMet: Ratio
    public var rejectionMet: Ratio
    public var acceptanceNotMet: Ratio
    public var rejectionNotMet: Ratio
    public var decisionsNotEvaluated: Int64
    /// Leads converted, and the sum of their amounts.
    public var conversions: Int64
    public var amount: Double
    public var overrides: Int64
    /// Handoffs imported from a CRM, and of them those flagged for breaking one of the ledger's rules in the CRM's
    /// history (`align import`; a flag is not an override).
    public var importedHandoffs: Int64
    public var importFlagged: Int64

    init(period: String, _ b: Bucket, _ open: OpenLeads) {
        self.period = period
        definitionsWithQuorum = Ratio(b[.activationsWithQuorum], b[.activations])
        qualifiedHandoffs = Ratio(b[.handoffsMet], b[.handoffs])
        handoffsNotEvaluated = b[.handoffs] - b[.handoffsEvaluated]
        offDefinitionFlagged = b[.handoffsFlagged]
        offDefinitionAllowed = b[.handoffsAllowed]
        offDefinitionForced = b[.handoffsForced]
        handoffsUnderOverrideVersion = Ratio(b[.handoffsUnderOverrideVersion], b[.handoffs])
        handoffsWithContext = Ratio(b[.handoffsWithSignals], b[.handoffs])
        meanSignalsPerHandoff = b[.handoffs] == 0 ? nil : Double(b[.signals]) / Double(b[.handoffs])
        campaignHandoffsWithBrief = Ratio(b[.campaignHandoffsWithBrief], b[.campaignHandoffs])
        campaignHandoffsNoBrief = b[.campaignHandoffs] - b[.campaignHandoffsWithBrief]
        let served = b[.triaged] - b[.triagedDeclined]
        contentFromPlan = Ratio(b[.triagedFromPlan], served)
        contentAdHoc = Ratio(b[.triagedAdHoc], served)
        contentDeclined = Ratio(b[.triagedDeclined], b[.triaged])
        launchesReviewed = Ratio(b[.launchesReviewed], b[.launches])
        acceptanceMedianMinutes = Scorecard.percentile(b.delays, 50)
        acceptanceP90Minutes = Scorecard.percentile(b.delays, 90)
        acceptedWithinSLA = Ratio(b[.acceptedWithinSLA], b[.accepted] + open.misses)
        openLeads = open
        rejectionRate = Ratio(b[.rejected], b[.decided])
        var reasons: [String: Int64] = [:]
        for r in RejectionReason.allCases where b[Counter.rejection(r)] > 0 { reasons[r.rawValue] = b[Counter.rejection(r)] }
        rejectionsByReason = reasons
        acceptanceMet = Ratio(b[.acceptedMet], b[.decidedMet])
        rejectionMet = Ratio(b[.decidedMet] - b[.acceptedMet], b[.decidedMet])
        acceptanceNotMet = Ratio(b[.acceptedNotMet], b[.decidedNotMet])
        rejectionNotMet = Ratio(b[.decidedNotMet] - b[.acceptedNotMet], b[.decidedNotMet])
        decisionsNotEvaluated = b[.decided] - b[.decidedMet] - b[.decidedNotMet]
        conversions = b[.converted]
        amount = Double(b[.convertedAmountCents]) / 100
        overrides = b[.overrides]
        importedHandoffs = b[.handoffsImported]
        importFlagged = b[.handoffsImportFlagged]
    }
}

/// The closed loop of one definition version: its handoffs and how many qualified, what sales decided on them, and
/// what they converted to.
public struct DefinitionRejections: Codable, Equatable, Sendable {
    public var definition: String
    public var version: Int
    public var handoffs: Int64
    public var qualifiedHandoffs: Ratio
    public var decided: Int64
    public var rejected: Int64
    public var acceptanceRate: Ratio
    public var rejectionRate: Ratio
    public var byReason: [String: Int64]
    public var conversions: Int64
    public var amount: Double
}

/// The scorecard: per period, overall, optionally per actor, owner, campaign or definition version.
public struct Scorecard: Codable, Equatable, Sendable {
    public enum Period: String, Codable, CaseIterable, Sendable { case week, month, quarter }

    /// What the rows of a breakdown are: the event's actor, the lead's owner, the lead's (or launch's) campaign, the
    /// definition version the lead was handed off under (or the one activated).
    public enum Breakdown: String, Codable, CaseIterable, Sendable { case actor, owner, campaign, definition }

    public var period: Period
    public var since: String?
    public var until: String?
    /// The time open leads were aged at (whole minutes), present when some lead is open.
    public var asOf: String?
    /// The SLA open leads were aged against, present with `asOf`.
    public var slaHours: Int?
    public var periods: [ScorecardRow]
    public var overall: ScorecardRow
    public var byActor: [String: ScorecardRow]?
    public var byOwner: [String: ScorecardRow]?
    public var byCampaign: [String: ScorecardRow]?
    /// Keyed `ID@VERSION`.
    public var byDefinition: [String: ScorecardRow]?
    public var byDefinitionVersion: [DefinitionRejections]

    /// The rows of the breakdown asked for, nil when none was.
    public var breakdown: (by: Breakdown, rows: [String: ScorecardRow])? {
        if let r = byActor { return (.actor, r) }
        if let r = byOwner { return (.owner, r) }
        if let r = byCampaign { return (.campaign, r) }
        if let r = byDefinition { return (.definition, r) }
        return nil
    }

    /// Nearest-rank percentile of a histogram (nil when empty).
    public static func percentile(_ hist: [Int64: Int64], _ p: Int) -> Int64? {
        let total = hist.values.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = Int64((Double(p) / 100 * Double(total)).rounded(.up))
        var seen: Int64 = 0
        for k in hist.keys.sorted() {
            seen += hist[k, default: 0]
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

    /// Aggregates kept buckets (`key` as written by `ScorecardFold`) between two business times; open leads are
    /// counted, not aged.
    public static func compute(buckets: [(key: String, bucket: Bucket)], period: Period, since: Date?, until: Date?, byActor: Bool) -> Scorecard {
        compute(buckets: buckets, period: period, since: since, until: until, by: byActor ? .actor : nil, aging: nil)
    }

    /// Aggregates kept buckets between two business times, broken down `by` one dimension; `aging` ages the open leads
    /// (nil: counted, not aged).
    public static func compute(buckets: [(key: String, bucket: Bucket)], period: Period, since: Date?, until: Date?, by: Breakdown?,
                               aging: OpenAging?) -> Scorecard {
        var tally = ScorecardTally(period: period, since: since, until: until, by: by, aging: aging)
        for (key, b) in buckets { tally.add(key: key) { into, needs in into.add(b, needs) } }
        return tally.scorecard
    }
}
