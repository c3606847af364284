import AlignmentLedger
import ArgumentParser
import Foundation

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rebuild one projection from scratch, in memory, as of a past point, and print it.", discussion: """
        Examples:
          align replay --projection scorecard --until 2026-05-01 --json
          align replay --projection state --to 1200 --json > state-at-1200.json
        """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "The projection.") var projection: ProjectionName
    @Option(help: "Replay through this position.") var to: UInt64?
    @Option(help: "Replay the events before this business time.") var until: Time?

    func validate() throws {
        if to != nil && until != nil { throw ValidationError("give --to or --until, not both") }
    }

    struct ReplayedState: Encodable { var position: UInt64; var streams: [String: EntityState] }
    struct ReplayedOverrides: Encodable { var overrides: [OverrideRecord] }

    func run() throws {
        let l = try global.open()
        switch projection {
        case .state:
            let r = try l.replayedStreams(to: to, until: until?.date)
            if global.json { return try Say.json(ReplayedState(position: r.position, streams: r.streams)) }
            var kinds: [String: Int] = [:]
            for k in r.streams.keys { kinds[String(k.split(separator: "/").first ?? ""), default: 0] += 1 }
            Say.line("state replayed through position \(r.position): " + kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
            Say.line("(use --json for every stream's state)")
        case .scorecard:
            let card = try l.replayedScorecard(to: to, until: until?.date)
            if global.json { return try Say.json(card) }
            card.reportLines.forEach(Say.line)
        case .audit:
            let r = try l.replay(to: to, until: until?.date, [.audit])
            if global.json { return try Say.json(ReplayedOverrides(overrides: r.overrides)) }
            Say.line("audit replayed through position \(r.position): \(r.overrides.count) override(s)")
            for o in r.overrides { Say.line("  #\(o.position) \(Say.date(o.at)) \(o.actor) \(o.type) \(o.stream): \(o.rule): \(o.reason)") }
        }
    }
}
