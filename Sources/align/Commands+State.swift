import AlignmentLedger
import ArgumentParser
import Foundation

struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "What was in force at a point in time, replayed from the log.", discussion: """
        Replays the log from the start up to a position, or up to a business time, and shows the active
        definitions, open campaigns, leads by status and the content plan then.

        Examples:
          align state --at 2026-05-01
          align state --position 1200 --json
        """)
    @OptionGroup var global: ReadOptions
    @Option(help: "Replay through this position.") var position: UInt64?

    func validate() throws {
        if position != nil && global.at != nil { throw ValidationError("give --at or --position, not both") }
    }

    func run() throws {
        let s = try global.open().stateSummary(position: position, at: global.asOf)
        if global.json { return try Say.json(s) }
        s.lines.forEach(Say.line)
    }
}
