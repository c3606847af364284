import AlignmentLedger
import ArgumentParser
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stream events to JSON Lines or CSV for pandas, DuckDB or a spreadsheet.", discussion: """
        JSON Lines carry the full envelope (valid against schemas/envelope.schema.json) with the payload as an
        object. CSV has one row per event: the envelope columns, then the payload flattened to dotted columns
        (`payload.profile.company`); lists are JSON text. Streams in constant memory. --output writes a
        regular file only (never onto a link, FIFO, device or read-only file), whole or not at all.

        Examples:
          align export --output events.jsonl
          align export --format csv --type LeadAccepted \\
            --since 2026-04-01 --output leads.csv
          align export --stream definition/mql --from 100 --to 2000
        """)
    @OptionGroup var global: PlainOptions
    @Option(help: "The format.") var format: ExportFormat = .jsonl
    @Option(help: "Only this event type (repeatable).") var type: [String] = []
    @Option(help: "Only this stream.") var stream: String?
    @Option(help: "From this business time.") var since: Time?
    @Option(help: "Before this business time.") var until: Time?
    @Option(help: "From this position.") var from: UInt64?
    @Option(help: "Through this position.") var to: UInt64?
    @Option(help: "Write here instead of standard output.") var output: String?

    func validate() throws {
        if since != nil && from != nil { throw ValidationError("give --since or --from, not both") }
        if until != nil && to != nil { throw ValidationError("give --until or --to, not both") }
    }

    struct Exported: Encodable { var ok = true; var events: Int, output: String, format: String, head: String }

    func run() throws {
        var filter = EventFilter()
        (filter.types, filter.stream, filter.since, filter.until, filter.from, filter.to) = (Set(type), stream, since?.date, until?.date, from, to)
        let ledger = try global.openLog()
        guard let output else {
            _ = try ledger.export(filter, as: format) { bytes in
                Printer.out.write(bytes)
                try Printer.out.flush()
            }
            return
        }
        let tty = isatty(2) == 1
        let (count, head) = try ledger.export(filter, as: format, toFile: output) { done, total in
            if tty { Say.note("\rexported through position \(done)/\(total)") }
        }
        if tty { Say.note("\r\u{1B}[K") }
        if global.json { return try Say.json(Exported(events: count, output: output, format: format.rawValue, head: head.description)) }
        Say.line("exported \(count) events to \(output) (\(format.rawValue)); head \(head)")
    }
}
