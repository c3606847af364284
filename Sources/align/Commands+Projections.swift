import AlignmentLedger
import ArgumentParser
import Foundation

struct Projections: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The read models kept beside the log.", subcommands: [Status.self, Rebuild.self])

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each projection's code version and checkpoint.", discussion: """
            Example:
              align projections status
            """)
        @OptionGroup var global: PlainOptions
        func run() throws {
            let s = try global.open().projectionStatus()
            if global.json { return try Say.json(s) }
            s.tableLines.forEach(Say.line)
        }
    }

    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rebuild kept projections from the whole log.", discussion: """
            Rebuilds all projections unless one is named. Shows progress on a terminal.

            Examples:
              align projections rebuild
              align projections rebuild scorecard
            """)
        @OptionGroup var global: PlainOptions
        @Argument(help: "One projection; default all.") var name: ProjectionName?

        struct Rebuilt: Encodable { var ok = true; var rebuilt: [String], events: UInt64, seconds: Double }

        func run() throws {
            let names = name.map { [$0] } ?? ProjectionName.allCases
            let l = try global.open()
            let tty = isatty(2) == 1 && !global.json
            let started = Date()
            try l.rebuild(names) { done, total in
                if tty, done % 20_000 == 0 || done == total { Say.note("\rrebuilding: \(done)/\(total) events") }
            }
            if tty { Say.note("\r\u{1B}[K") }
            let seconds = Date().timeIntervalSince(started)
            let events = try l.head().position
            if global.json { return try Say.json(Rebuilt(rebuilt: names.map(\.rawValue), events: events, seconds: seconds)) }
            Say.line("rebuilt \(names.map(\.rawValue).joined(separator: ", ")) from \(events) events in \(String(format: "%.2f", seconds)) s")
        }
    }
}
