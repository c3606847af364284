import AlignmentLedger
import ArgumentParser
import Foundation

struct ScorecardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scorecard", abstract: "How aligned marketing and sales are, per period and overall.", discussion: """
        The five indicators (one per failure mode) and qualification: handoffs that met their definition version,
        off-definition handoffs let through, handoffs under a version activated by override. The lead SLA: hours
        from handoff to acceptance (median, 90th percentile), the share accepted within the policy's SLA (a lead
        still open past it is a miss), open leads by age. The closed loop: the share of decisions accepted for
        leads that met their definition and for those that did not; conversions and amounts. Business time
        decides the period; --until counts whole days. Read from the kept projection (no replay), except with
        --until before the latest events: the leads open then need the log replayed up to then.
        JSON (--json) carries every figure with its counts (docs/ANALYTICS.md).

        Examples:
          align scorecard
          align scorecard --period week --since 2026-04-01 --until 2026-07-01
          align scorecard --by owner
          align scorecard --by definition --json
        """)
    @OptionGroup var global: PlainOptions
    @Option(help: "The period of each row.") var period: Scorecard.Period = .month
    @Option(help: "From this business time (ISO 8601).") var since: Time?
    @Option(help: "Before this business time (ISO 8601); open leads are aged as of the end of its day.") var until: Time?
    @Option(help: "Break down by: actor (who acted), owner (the lead's), campaign, definition (version).") var by: Scorecard.Breakdown?

    func run() throws {
        let card = try global.open().scorecard(period: period, since: since?.date, until: until?.date, by: by, now: Date())
        if global.json { return try Say.json(card) }
        card.reportLines.forEach(Say.line)
    }
}
