import AlignmentLedger
import ArgumentParser
import Foundation

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import lead history from a CRM export (Salesforce, HubSpot), with a dry-run alignment report.",
        discussion: """
            Reads the export through a mapping file (which status means handed off, accepted, rejected or converted;
            which CRM user is which actor; which definition the handoffs claim: docs/IMPORT-MAPPING.md) and records
            each lead's history with its CRM dates, signed by you (revops) as an import. Every step is keyed by its
            CRM record: importing the same export again, or next week's, appends only what is new. A handoff that
            breaks one of the ledger's rules is recorded as a flagged import, not refused. --dry-run appends nothing
            and prints the scorecard the import would leave. docs/IMPORT.md walks through both CRMs.
            """,
        subcommands: [Salesforce.self, HubSpot.self])

    /// What both CRMs' commands take.
    struct Options: ParsableArguments {
        @OptionGroup var global: PlainOptions
        @Option(help: ArgumentHelp("The mapping file (JSON; docs/IMPORT-MAPPING.md).", valueName: "FILE")) var mapping: String
        @Flag(help: "Read and decide everything, append nothing; print the alignment report the import would leave.") var dryRun = false
        @Flag(help: "Skip malformed rows (each is listed) instead of refusing the whole export.") var skipBadRows = false
        @Option(help: "Why the history is imported (recorded with it).") var reason = "CRM history import"
        @Option(help: "The report's period.") var period: Scorecard.Period = .quarter
        @Option(help: "Break the report down by: actor, owner, campaign, definition.") var by: Scorecard.Breakdown?
        @Option(help: "The report from this business time (ISO 8601).") var since: Time?

        func run(_ export: CRMExport) throws {
            let actor = try global.actorID()
            guard let key = try global.signer(actor) else {
                throw CLIError.usage("an import is signed by the importing revops member's own key; there is none for '\(actor)' (`align key generate --as \(actor)`)")
            }
            var options = CRMImportOptions(export: export, mapping: mapping)
            options.dryRun = dryRun
            options.skipBadRows = skipBadRows
            options.period = period
            options.by = by
            options.since = since?.date
            let tty = isatty(2) == 1
            let started = Date()
            let progress: @Sendable (CRMImportProgress) -> Void = { p in
                guard tty else { return }
                let seconds = max(0.001, Date().timeIntervalSince(started))
                switch p {
                case .reading(let file, let rows, let bytes, let total):
                    let eta = bytes > 0 && total > bytes ? String(format: ", about %.0f s left", seconds * Double(total - bytes) / Double(bytes)) : ""
                    Say.note("\r\u{1B}[Kreading \(file): \(rows) rows, \(Int(Double(rows) / seconds)) rows/s\(eta)")
                case .writing(let done):
                    Say.note("\r\u{1B}[K\(dryRun ? "deciding" : "appending"): \(done) steps, \(Int(Double(done) / seconds)) steps/s since the start")
                }
            }
            let outcome: CRMImportOutcome
            do {
                outcome = try global.open().importCRM(options, importer: ImportAuthority(signer: key, source: "", reason: reason), progress: progress)
            } catch {
                if tty { Say.note("\r\u{1B}[K") }
                throw error
            }
            if tty { Say.note("\r\u{1B}[K") }
            if !dryRun, let head = outcome.head { Printer.out.committed = "\(outcome.events) events were committed (head \(head))" }
            if global.json { return try Say.json(outcome) }
            outcome.reportLines.forEach(Say.line)
        }
    }

    struct Salesforce: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a Salesforce data export folder (Lead.csv, and LeadHistory, CampaignMember, Opportunity... when there).",
            discussion: """
                DIR holds Lead.csv (required) and, when exported, LeadHistory.csv (dated status and owner changes),
                Campaign.csv and CampaignMember.csv (the sourcing campaign, responses as signals), Task.csv and
                Event.csv (activities as signals), Opportunity.csv (conversions and amounts) and User.csv (owners'
                names). Data Loader's upper-cased headers are read too.

                Examples:
                  align import salesforce export/ --mapping salesforce.json --dry-run --as rita
                  align import salesforce export/ --mapping salesforce.json --as rita
                  align import salesforce export/ --mapping salesforce.json --skip-bad-rows --json --as rita
                """)
        @OptionGroup var options: Options
        @Argument(help: ArgumentHelp("The export's folder.", valueName: "DIR")) var directory: String

        func run() throws { try options.run(.salesforce(directory: directory)) }
    }

    struct HubSpot: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hubspot", abstract: "Import a HubSpot contacts export (CSV), with its property history when you have it.",
            discussion: """
                FILE is a contacts export with property labels or internal names ("Lifecycle Stage" or
                lifecyclestage). --history adds a long-format property history (record_id, property, value,
                timestamp[, source]) for dated changes; --leads a Leads-object export with disqualification reasons.
                Dates in ISO 8601 or epoch milliseconds.

                Examples:
                  align import hubspot contacts.csv --mapping hubspot.json --dry-run --as rita
                  align import hubspot contacts.csv --history history.csv --mapping hubspot.json --as rita
                """)
        @OptionGroup var options: Options
        @Argument(help: ArgumentHelp("The contacts export.", valueName: "FILE")) var contacts: String
        @Option(help: ArgumentHelp("A long-format property history export.", valueName: "FILE")) var history: String?
        @Option(help: ArgumentHelp("A Leads-object export (disqualification reasons).", valueName: "FILE")) var leads: String?

        func run() throws { try options.run(.hubspot(contacts: contacts, history: history, leads: leads)) }
    }
}
