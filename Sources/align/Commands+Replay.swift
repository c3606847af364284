import AlignmentLedger
import ArgumentParser
import Foundation

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rebuild one projection from scratch, in memory, as of a past point, and print it.", discussion: """
        Examples:
          align replay --projection scorecard --until 2026-05-01 --json
          align replay --projection state --to 1200 --json > state-at-1200.json
        """)
    @OptionGroup var global: PlainOptions
    @Option(help: "The projection.") var projection: ProjectionName
    @Option(help: "Replay through this position.") var to: UInt64?
    @Option(help: "Replay the events before this business time.") var until: Time?

    func validate() throws {
        if to != nil && until != nil { throw ValidationError("give --to or --until, not both") }
    }

    func run() throws {
        let l = try global.open()
        switch projection {
        case .state:
            let r = try l.replayedStreams(to: to, until: until?.date)
            if global.json { return try Say.json(r) }
            r.lines.forEach(Say.line)
        case .scorecard:
            let card = try l.replayedScorecard(to: to, until: until?.date, now: Date())
            if global.json { return try Say.json(card) }
            card.reportLines.forEach(Say.line)
        case .audit:
            let r = try l.replayedOverrides(to: to, until: until?.date)
            if global.json { return try Say.json(r) }
            r.lines.forEach(Say.line)
        }
    }
}
