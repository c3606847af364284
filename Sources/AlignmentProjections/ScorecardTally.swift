import AlignmentDomain
import Foundation

/// Sums kept scorecard buckets into a `Scorecard`, one bucket at a time, so that a reader can decode each stored
/// bucket straight into the period's (or breakdown row's, or definition version's) sum and skip the ones nobody reads.
public struct ScorecardTally {
    public let period: Scorecard.Period
    public let since: Date?
    public let until: Date?
    public let by: Scorecard.Breakdown?
    /// How open leads are aged (nil: counted, not aged).
    public let aging: OpenAging?
    private let fromDay: Int
    private let toDay: Int
    private var perPeriod: [String: Sum] = [:]
    private var rows: [String: Sum] = [:]
    private var definitions: [String: Sum] = [:]
    /// Whether a bucket of a day after `until` was seen: events after it, so open leads kept now may have been decided
    /// since (an answer as of `until` must then replay the log; see `AlignmentLedger.scorecard`).
    public private(set) var sawLaterDays = false

    /// A sum of buckets, and of their open leads (aged by each bucket's own day).
    public struct Sum {
        public var bucket = Bucket()
        public var open = OpenLeads()
        public init() {}

        /// Adds a bucket with what `needs` asks for.
        public mutating func add(_ b: Bucket, _ needs: Needs) {
            for i in 0..<min(bucket.counts.count, b.counts.count) { bucket.counts[i] += b.counts[i] }
            if needs.delays { for (k, v) in b.delays { bucket.delays[k, default: 0] += v } }
            if needs.open { for e in b.open.nonZero { addOpen(minute: Int64(e.minute), count: Int64(e.count), needs) } }
        }

        /// Adds `count` leads handed off at `minute` of the day `needs.day` and open now.
        @inline(__always)
        public mutating func addOpen(minute: Int64, count: Int64, _ needs: Needs) {
            if let a = needs.aging { a.add(day: needs.day, minute: minute, count: count, into: &open) } else { open.total += count }
        }

        mutating func add(_ other: Sum) {
            bucket.add(other.bucket)
            open.total += other.open.total
            if let w = other.open.withinSLA { open.withinSLA = (open.withinSLA ?? 0) + w }
            if let p = other.open.pastSLA { open.pastSLA = (open.pastSLA ?? 0) + p }
            if let p = other.open.pastTwiceSLA { open.pastTwiceSLA = (open.pastTwiceSLA ?? 0) + p }
        }
    }

    /// What a sum needs of a bucket: its acceptance delays, its open leads (and the bucket's day, to age them).
    public struct Needs {
        public var delays: Bool
        public var open: Bool
        public var day: Int
        public var aging: OpenAging?

        public init(delays: Bool, open: Bool, day: Int, aging: OpenAging?) {
            self.delays = delays
            self.open = open
            self.day = day
            self.aging = aging
        }
    }

    public init(period: Scorecard.Period, since: Date?, until: Date?, by: Scorecard.Breakdown?, aging: OpenAging?) {
        self.period = period
        self.since = since
        self.until = until
        self.by = by
        self.aging = aging
        fromDay = since.map { ScorecardFold.day($0) } ?? .min
        toDay = until.map { ScorecardFold.day($0.addingTimeInterval(-0.000_001)) } ?? .max
    }

    /// The last day counted (`until` counts whole days: a time inside a day counts that day), nil without `until`.
    public var lastDay: Int? { until == nil ? nil : toDay }

    /// What a kept bucket's key (`DAY|DIMENSION`) counts toward.
    enum Dimension {
        case all
        /// A breakdown row (`actor:ID`, `owner:ID`, `campaign:ID` or `definition:ID@VERSION` as `by` asks).
        case row(String)
        /// `ID@VERSION`.
        case definition(String)
    }

    /// The day and dimension of a kept bucket's key when this scorecard uses it, nil when it does not. On the key's
    /// bytes: a key this scorecard skips (another breakdown's, another day's) costs no string.
    mutating func use(key: [UInt8]) -> (day: Int, dimension: Dimension)? {
        guard let bar = key.firstIndex(of: UInt8(ascii: "|")), bar > 0, bar <= 18 else { return nil }
        var day = 0
        for b in key[..<bar] {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            day = day * 10 + Int(b - 0x30)
        }
        guard day >= fromDay else { return nil }
        if day > toDay {
            sawLaterDays = true
            return nil
        }
        let dim = key[(bar + 1)...]
        func after(_ prefix: StaticString) -> String? {
            let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
            return dim.starts(with: p) ? String(decoding: dim.dropFirst(p.count), as: UTF8.self) : nil
        }
        if dim.elementsEqual("all".utf8) { return (day, .all) }
        if let d = after("definition:") { return (day, .definition(d)) }
        let row: String? = switch by {
        case .actor?: after("actor:")
        case .owner?: after("owner:")
        case .campaign?: after("campaign:")
        case .definition?, nil: nil
        }
        return row.map { (day, .row($0)) }
    }

    /// Adds the bucket kept under `key`, when this scorecard uses it: `merge` adds it into the sum it belongs to, and is
    /// told what that sum needs (the per-definition sums need neither delays nor open leads, unless broken down by
    /// definition).
    public mutating func add(key: String, _ merge: (inout Sum, Needs) throws -> Void) rethrows {
        try add(key: Array(key.utf8), merge)
    }

    /// Adds the bucket kept under `key` (its bytes), when this scorecard uses it.
    public mutating func add(key: [UInt8], _ merge: (inout Sum, Needs) throws -> Void) rethrows {
        guard let (day, dim) = use(key: key) else { return }
        let full = Needs(delays: true, open: true, day: day, aging: aging)
        switch dim {
        case .all: try merge(&perPeriod[Scorecard.label(day: day, period), default: Sum()], full)
        case .row(let r): try merge(&rows[r, default: Sum()], full)
        case .definition(let d):
            try merge(&definitions[d, default: Sum()], by == .definition ? full : Needs(delays: false, open: false, day: day, aging: nil))
        }
    }

    private func row(_ period: String, _ s: Sum) -> ScorecardRow {
        ScorecardRow(period: period, s.bucket, aging == nil ? s.open : OpenAging.aged(s.open))
    }

    /// The scorecard of the buckets added.
    public var scorecard: Scorecard {
        var overall = Sum()
        for s in perPeriod.values { overall.add(s) }
        let byDefinition: [DefinitionRejections] = definitions.compactMap { k, s in
            guard let at = k.lastIndex(of: "@"), let v = Int(k[k.index(after: at)...]) else { return nil }
            let b = s.bucket
            var reasons: [String: Int64] = [:]
            for r in RejectionReason.allCases where b[Counter.rejection(r)] > 0 { reasons[r.rawValue] = b[Counter.rejection(r)] }
            return DefinitionRejections(definition: String(k[..<at]), version: v, handoffs: b[.handoffs],
                                        qualifiedHandoffs: Ratio(b[.handoffsMet], b[.handoffs]), decided: b[.decided], rejected: b[.rejected],
                                        acceptanceRate: Ratio(b[.accepted], b[.decided]), rejectionRate: Ratio(b[.rejected], b[.decided]),
                                        byReason: reasons, conversions: b[.converted], amount: Double(b[.convertedAmountCents]) / 100)
        }.sorted { ($0.definition, $0.version) < ($1.definition, $1.version) }
        let breakdown: [String: ScorecardRow]? = switch by {
        case nil: nil
        case .definition?: definitions.mapValues { row("overall", $0) }
        case _?: rows.mapValues { row("overall", $0) }
        }
        let aged = aging != nil && overall.open.total > 0
        return Scorecard(
            period: period, since: since.map(DomainTime.format), until: until.map(DomainTime.format),
            asOf: aged ? aging.map { DomainTime.format(Date(timeIntervalSince1970: Double($0.asOfMinute) * 60)) } : nil,
            slaHours: aged ? aging.map { Int($0.slaMinutes / 60) } : nil,
            periods: perPeriod.sorted { $0.key < $1.key }.map { row($0.key, $0.value) },
            overall: row("overall", overall),
            byActor: by == .actor ? breakdown : nil, byOwner: by == .owner ? breakdown : nil,
            byCampaign: by == .campaign ? breakdown : nil, byDefinition: by == .definition ? breakdown : nil,
            byDefinitionVersion: byDefinition)
    }
}
