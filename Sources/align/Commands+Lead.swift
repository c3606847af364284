import AlignmentLedger
import ArgumentParser
import Foundation

struct LeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lead", abstract: "Leads: handed off by marketing with context, accepted or rejected by sales.",
        subcommands: [Handoff.self, Accept.self, Reject.self, Convert.self, Recycle.self, Show.self, List.self])

    struct Handoff: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hand a lead to sales, with the definition that qualified it and its behaviour.", discussion: """
            A lead from a campaign gets the campaign's latest brief attached automatically.

            Examples:
              align lead handoff L-1001 --definition mql --campaign q3-webinar \\
                --owner sam --profile company=Acme --profile employees=450 \\
                --signal "webinar.attended@2026-06-20T15:00:00Z:Pricing webinar" \\
                --score 82 --as maria
              align lead handoff L-1002 --file lead.json --as maria
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Lead id.") var id: String
        @Option(help: "Definition that qualified the lead.") var definition: String?
        @Option(help: "Definition version (default: the active one).") var version: Int?
        @Option(help: "Campaign that produced the lead.") var campaign: String?
        @Option(help: "Sales owner.") var owner: String?
        @Option(help: "A profile field KEY=VALUE (repeatable).") var profile: [String] = []
        @Option(help: "A behavioural signal NAME@TIME[:DETAIL] (repeatable).") var signal: [String] = []
        @Option(help: "Lead score.") var score: Double?
        @Option(help: "A note for sales.") var note: String?
        @Option(help: "Read the handoff's arguments from a JSON object (the apply `args` format).") var file: String?
        @OptionGroup var override: OverrideOptions

        func run() throws {
            var h = HandoffArgs(id: id, definition: definition ?? "")
            if let file {
                let data = try readInput(file)
                do { h = try ApplyReader.handoffArgs(json: data, id: id, definition: definition) } catch {
                    throw CLIError.usage("'\(file)': \(LedgerFailure(error).message)")
                }
            } else if definition == nil {
                throw CLIError.usage("lead.handoff needs 'definition' (--definition on the command line)")
            }
            if let version { h.version = version }
            if let campaign { h.campaign = campaign }
            if let owner { h.owner = owner }
            if !profile.isEmpty { h.profile = try HandoffArgs.profile(profile) }
            if !signal.isEmpty { h.signals = try signal.map(Signal.parse) }
            if let score { h.score = score }
            if let note { h.note = note }
            if let o = override.given { h.override = o }
            try global.perform(.leadHandoff(h))
        }
    }

    struct Accept: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept a lead (sales).", discussion: """
            Whoever handed the lead off cannot accept it.

            Example:
              align lead accept L-1001 --as sam
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Lead id.") var id: String
        func run() throws {
            try global.perform(.leadAccept(id: id))
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a lead with a reason code (sales).", discussion: """
            Reason codes: not-icp, bad-timing, no-budget, duplicate, insufficient-context, no-response, other.
            Whoever handed the lead off cannot reject it.

            Example:
              align lead reject L-1002 --reason not-icp --note "an agency" --as sam
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Lead id.") var id: String
        @Option(help: "Reason code.") var reason: RejectionReason
        @Option(help: "A note.") var note: String?
        func run() throws {
            try global.perform(.leadReject(id: id, reason: reason, note: note))
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Convert an accepted lead to an opportunity (sales).", discussion: """
            Example:
              align lead convert L-1001 --opportunity OPP-77 --amount 48000 --as sam
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Lead id.") var id: String
        @Option(help: "Opportunity id.") var opportunity: String?
        // Parsed unconditionally, so that `--amount -5` reaches the rule that refuses a negative amount instead of
        // reading as a missing value.
        @Option(parsing: .unconditional, help: "Amount (not negative).") var amount: Double?
        func run() throws {
            try global.perform(.leadConvert(id: id, opportunity: opportunity, amount: amount))
        }
    }

    struct Recycle: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a lead back to marketing for nurturing (sales).", discussion: """
            Example:
              align lead recycle L-1002 --as sam
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Lead id.") var id: String
        func run() throws {
            try global.perform(.leadRecycle(id: id))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a lead's whole story: handoff, context, brief, decisions.", discussion: """
            Every cycle of the lead, oldest first: the handoff (who, when, definition
            version, owner, profile, signals, the campaign and its brief, or "no
            brief" when none was published before the handoff), the decision
            (accepted, or rejected with its reason and note, and by whom), the
            conversion (opportunity and amount) and the recycle that sent it back.

            Examples:
              align lead show L-1001
              align lead show L-1001 --at 2026-05-01 --json
            """)
        @OptionGroup var global: ReadOptions
        @Argument(help: "Lead id.") var id: String
        func run() throws {
            let ledger = try global.open()
            let story = try ledger.leadStory(id, asOf: global.asOf)
            if global.json { return try Say.json(story) }
            story.detailLines(maxBackdateHours: try ledger.maxBackdateHours()).forEach(Say.line)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List leads.", discussion: """
            In natural order of their ids (L-2 before L-11), with their owner, whether the handoff
            met its definition (EVALUATION), the campaign brief it carried (BRIEF: its version, or
            "no brief" when none was published before the handoff) and, while a lead waits for a
            decision, how long since the handoff against the lead SLA.

            With --at, the leads as they stood then, an open one's wait counted to then.

            Examples:
              align lead list --status handed-off
              align lead list --owner sam --open      # sam's inbox
              align lead list --owner sam --open --at 2026-05-01
            """)
        @OptionGroup var global: ReadOptions
        @Option(help: "Only leads with this status.") var status: LeadStatus?
        @Option(help: "Only the leads handed to this owner.") var owner: String?
        @Flag(help: "Only the leads waiting for a decision (handed off, neither accepted nor rejected).") var open = false
        func run() throws {
            let ledger = try global.open()
            let leads = try ledger.leads(status: status?.status, owner: owner, open: open, asOf: global.asOf)
            if global.json { return try Say.json(["leads": leads]) }
            let sla = try ledger.ledgerState(asOf: global.asOf).policy.slaHours  // the SLA in force then
            ListText.leads(leads, now: global.asOf ?? Date(), slaHours: sla).forEach(Say.line)
        }
    }
}
