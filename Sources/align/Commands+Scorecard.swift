import AlignmentLedger
import ArgumentParser
import Foundation

struct ScorecardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scorecard", abstract: "How aligned marketing and sales are, per period and overall.", discussion: """
        The five indicators (one per failure mode), each as a ratio with its counts, and the lead SLA: median and
        90th percentile minutes from handoff to acceptance, share accepted within the policy's SLA, rejection
        rate by reason and by definition version. Business time decides the period. Read from the kept
        projection (no replay).

        Examples:
          align scorecard
          align scorecard --period week --since 2026-04-01 --until 2026-07-01
          align scorecard --by actor --json
        """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "The period of each row.") var period: Scorecard.Period = .month
    @Option(help: "From this business time (ISO 8601).") var since: Time?
    @Option(help: "Before this business time (ISO 8601).") var until: Time?
    @Option(help: "Break down by: actor.") var by: Breakdown?

    enum Breakdown: String, ExpressibleByArgument, CaseIterable { case actor }

    func run() throws {
        let card = try global.open().scorecard(period: period, since: since?.date, until: until?.date, byActor: by == .actor)
        if global.json { return try Say.json(card) }
        ScorecardCommand.print(card)
    }

    static func pct(_ r: Ratio) -> String {
        guard let v = r.value else { return "-" }
        return String(format: "%.0f%% %lld/%lld", v * 100, r.numerator, r.denominator)
    }

    static func minutes(_ m: Int64?) -> String {
        guard let m else { return "-" }
        return m >= 120 ? String(format: "%.1fh", Double(m) / 60) : "\(m)m"
    }

    static func print(_ card: Scorecard) {
        let header = ["PERIOD", "1 DEF QUORUM", "2 CONTEXT", "3 BRIEF", "4 FROM PLAN", "5 REVIEWED", "MEDIAN", "P90", "IN SLA", "REJECTED"]
        func row(_ r: ScorecardRow) -> [String] {
            [r.period, pct(r.definitionsWithQuorum), pct(r.handoffsWithContext), pct(r.campaignHandoffsWithBrief), pct(r.contentFromPlan),
             pct(r.launchesReviewed), minutes(r.acceptanceMedianMinutes), minutes(r.acceptanceP90Minutes), pct(r.acceptedWithinSLA), pct(r.rejectionRate)]
        }
        Say.line("Alignment scorecard" + (card.since.map { " since \($0)" } ?? "") + (card.until.map { " until \($0)" } ?? ""))
        Say.table(header, card.periods.map(row) + [row(card.overall)])
        Say.line("1 definition versions activated with the sales quorum   2 handoffs with behavioural signals")
        Say.line("3 campaign handoffs that carried the brief             4 content requests served from the plan")
        Say.line("5 launches with an approving sales review              MEDIAN/P90: handoff to acceptance")
        let o = card.overall
        if let m = o.meanSignalsPerHandoff { Say.line(String(format: "mean signals per handoff %.2f; ad-hoc content %@; overrides %lld", m, pct(o.contentAdHoc), o.overrides)) }
        if !o.rejectionsByReason.isEmpty {
            Say.line("rejections by reason: " + o.rejectionsByReason.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !card.byDefinitionVersion.isEmpty {
            Say.line("rejection rate by definition version: " + card.byDefinitionVersion.map { "\($0.definition) v\($0.version) \(pct($0.rejectionRate))" }.joined(separator: ", "))
        }
        if let actors = card.byActor {
            Say.line("")
            Say.table(["ACTOR"] + header.dropFirst(), actors.keys.sorted().map { [$0] + row(actors[$0]!).dropFirst() })
        }
    }
}

