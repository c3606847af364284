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
    @OptionGroup var global: PlainOptions
    @Option(help: "The period of each row.") var period: Scorecard.Period = .month
    @Option(help: "From this business time (ISO 8601).") var since: Time?
    @Option(help: "Before this business time (ISO 8601).") var until: Time?
    @Option(help: "Break down by: actor.") var by: Breakdown?

    enum Breakdown: String, Choice { case actor }

    func run() throws {
        let card = try global.open().scorecard(period: period, since: since?.date, until: until?.date, byActor: by == .actor)
        if global.json { return try Say.json(card) }
        card.reportLines.forEach(Say.line)
    }
}
