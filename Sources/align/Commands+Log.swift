import AlignmentLedger
import ArgumentParser
import Foundation

struct Log: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the global log, oldest first.",
        discussion: """
        Examples:
          align log --limit 20
          align log --from 1000 --json | jq .type
          align log --follow          # keep printing new events (Ctrl-C to stop)
        """)

    @OptionGroup var global: PlainOptions
    @Option(help: "First position to print.") var from: UInt64 = 1
    @Option(help: "Most events to print (default: all).") var limit: Int?
    @Flag(help: "After the existing events, keep printing new ones as they commit.") var follow = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func print(_ e: RecordedEvent) {
        if global.json {
            var line: [UInt8] = []
            EventEnvelope.appendLine(e, to: &line)
            Printer.out.write(line)
        } else {
            Say.line(AlignmentLedger.logLine(e))
        }
    }

    func run() async throws {
        let ledger = try global.openLog()
        let max = limit ?? Int.max
        var printed = 0
        if !global.json, !follow, from == 1, try ledger.head().position == 0 { Say.line("(the log is empty)") }
        if follow {
            // Like `tail -f`: a reader that goes away while no event comes (`align log --follow | head -1`) ends it too.
            for try await e in ledger.follow(from: from, until: Printer.out.readerIsGone) {
                print(e)
                printed += 1
                if printed >= max { break }
                try Printer.out.flush()
            }
            return
        }
        var next = from
        while printed < max {
            let batch = try ledger.events(from: next, limit: Swift.min(4096, max - printed))
            guard let last = batch.last else { break }
            for e in batch { print(e) }
            printed += batch.count
            next = last.position + 1
            try Printer.out.check()
        }
    }
}
