import AlignmentDomain
import Foundation

/// Sums kept scorecard buckets into a `Scorecard`, one bucket at a time, so that a reader can decode each stored
/// bucket straight into the period's (or actor's, or definition version's) sum and skip the ones nobody reads.
public struct ScorecardTally {
    public let period: Scorecard.Period
    public let since: Date?
    public let until: Date?
    public let byActor: Bool
    private let fromDay: Int
    private let toDay: Int
    private var perPeriod: [String: Bucket] = [:]
    private var actors: [String: Bucket] = [:]
    private var definitions: [String: Bucket] = [:]

    public init(period: Scorecard.Period, since: Date?, until: Date?, byActor: Bool) {
        self.period = period
        self.since = since
        self.until = until
        self.byActor = byActor
        fromDay = since.map { ScorecardFold.day($0) } ?? .min
        toDay = until.map { ScorecardFold.day($0.addingTimeInterval(-0.000_001)) } ?? .max
    }

    /// What a kept bucket's key (`DAY|DIMENSION`) counts toward.
    enum Dimension {
        case all
        case actor(String)
        /// `ID@VERSION`.
        case definition(String)
    }

    /// The day and dimension of a kept bucket's key when this scorecard uses it, nil when it does not.
    func use(key: String) -> (day: Int, dimension: Dimension)? {
        guard let bar = key.utf8.firstIndex(of: UInt8(ascii: "|")), let day = Int(key[..<bar]), day >= fromDay, day <= toDay
        else { return nil }
        // On UTF-8 bytes: `Substring.hasPrefix` walks Characters, a quarter of a millisecond on 700 keys.
        let dim = key.utf8[key.utf8.index(after: bar)...]
        func after(_ prefix: String) -> String? {
            dim.starts(with: prefix.utf8) ? String(Substring(dim.dropFirst(prefix.utf8.count))) : nil
        }
        if dim.elementsEqual("all".utf8) { return (day, .all) }
        if let a = after("actor:") { return byActor ? (day, .actor(a)) : nil }
        if let d = after("definition:") { return (day, .definition(d)) }
        return nil
    }

    /// Adds the bucket kept under `key`, when this scorecard uses it: `merge` adds it into the sum it belongs to,
    /// and is told whether that sum needs the acceptance delays (the per-definition sums do not).
    public mutating func add(key: String, _ merge: (inout Bucket, _ delays: Bool) throws -> Void) rethrows {
        guard let (day, dim) = use(key: key) else { return }
        switch dim {
        case .all: try merge(&perPeriod[Scorecard.label(day: day, period), default: Bucket()], true)
        case .actor(let a): try merge(&actors[a, default: Bucket()], true)
        case .definition(let d): try merge(&definitions[d, default: Bucket()], false)
        }
    }

    /// The scorecard of the buckets added.
    public var scorecard: Scorecard {
        var overall = Bucket()
        for b in perPeriod.values { overall.add(b) }
        let byDefinition: [DefinitionRejections] = definitions.compactMap { k, b in
            guard let at = k.lastIndex(of: "@"), let v = Int(k[k.index(after: at)...]) else { return nil }
            var reasons: [String: Int64] = [:]
            for r in RejectionReason.allCases where b[Counter.rejection(r)] > 0 { reasons[r.rawValue] = b[Counter.rejection(r)] }
            return DefinitionRejections(definition: String(k[..<at]), version: v, decided: b[.decided], rejected: b[.rejected],
                                        rejectionRate: Ratio(b[.rejected], b[.decided]), byReason: reasons)
        }.sorted { ($0.definition, $0.version) < ($1.definition, $1.version) }
        return Scorecard(
            period: period, since: since.map(DomainTime.format), until: until.map(DomainTime.format),
            periods: perPeriod.sorted { $0.key < $1.key }.map { ScorecardRow(period: $0.key, $0.value) },
            overall: ScorecardRow(period: "overall", overall),
            byActor: byActor ? actors.mapValues { ScorecardRow(period: "overall", $0) } : nil,
            byDefinitionVersion: byDefinition)
    }
}
