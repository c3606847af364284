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
                guard let data = FileManager.default.contents(atPath: file) else { throw CLIError.usage("cannot read '\(file)'") }
                do { h = try ApplyReader.handoffArgs(json: Array(data), id: id, definition: definition) } catch {
                    throw CLIError.usage("'\(file)': \(LedgerFailure(error).message)")
                }
            } else if definition == nil {
                throw CLIError.usage("lead.handoff needs 'definition' (--definition on the command line)")
            }
            if let version { h.version = version }
            if let campaign { h.campaign = campaign }
            if let owner { h.owner = owner }
            for p in profile {
                guard let eq = p.firstIndex(of: "="), eq != p.startIndex else { throw CLIError.usage("--profile \(p.debugDescription) is not KEY=VALUE") }
                h.profile[String(p[..<eq])] = String(p[p.index(after: eq)...])
            }
            if !signal.isEmpty { h.signals = try signal.map(Signal.parse) }
            if let score { h.score = score }
            if let note { h.note = note }
            if let o = override.given { h.override = o }
            try global.perform(.leadHandoff(h)) { events in
                guard case .leadHandedOff(let h)? = events.first else { return "handed off" }
                var s = "handed off '\(id)' under '\(h.definition)' v\(h.definitionVersion) with \(h.signals.count) signal(s)"
                if let c = h.campaign { s += "; campaign '\(c)'" + (h.brief.map { " brief v\($0.version) attached" } ?? " (no brief published yet)") }
                if let o = h.override { s += " (OVERRIDE of rule \(o.rule): \(o.reason))" }
                return s
            }
        }
    }

    struct Accept: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept a lead (sales).", discussion: """
            Example:
              align lead accept L-1001 --as sam
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Lead id.") var id: String
        func run() throws {
            try global.perform(.leadAccept(id: id)) { _ in "accepted '\(id)'" }
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a lead with a reason code (sales).", discussion: """
            Reason codes: not-icp, bad-timing, no-budget, duplicate, insufficient-context, no-response, other.

            Example:
              align lead reject L-1002 --reason not-icp --note "an agency" --as sam
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Lead id.") var id: String
        @Option(help: "Reason code.") var reason: RejectionReason
        @Option(help: "A note.") var note: String?
        func run() throws {
            try global.perform(.leadReject(id: id, reason: reason, note: note)) { _ in "rejected '\(id)' (\(reason.rawValue))" }
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
        @Option(help: "Amount.") var amount: Double?
        func run() throws {
            try global.perform(.leadConvert(id: id, opportunity: opportunity, amount: amount)) { _ in "converted '\(id)'" }
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
            try global.perform(.leadRecycle(id: id)) { _ in "recycled '\(id)'" }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a lead with its context and brief.", discussion: """
            Example:
              align lead show L-1001
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Lead id.") var id: String
        func run() throws {
            guard case .lead(let l)? = try global.open().state(of: StreamName.lead(id)) else {
                throw CLIError.notFound("no lead '\(id)'; see `align lead list`")
            }
            if global.json { try Say.json(l); return }
            Say.line("lead \(id)  [\(l.status.rawValue)]\(l.rejection.map { " reason \($0.rawValue)" } ?? "")")
            guard let h = l.handoff else { return }
            Say.line("  handed off by \(l.handedOffBy ?? "?") at \(l.handedOffAt.map(Say.date) ?? "?") under '\(h.definition)' v\(h.definitionVersion)\(h.owner.map { ", owner \($0)" } ?? "")")
            for (k, v) in h.profile.sorted(by: { $0.key < $1.key }) { Say.line("  profile   \(k) = \(v)") }
            for s in h.signals { Say.line("  signal    \(s.name) at \(Say.date(s.at))\(s.detail.map { ": \($0)" } ?? "")") }
            if let c = h.campaign { Say.line("  campaign  \(c)") }
            if let b = h.brief {
                Say.line("  brief v\(b.version): \(b.summary)")
                for t in b.talkingPoints { Say.line("    - \(t)") }
            }
            if let s = h.score { Say.line("  score     \(s)") }
            if let n = h.note { Say.line("  note      \(n)") }
            if let o = h.override { Say.line("  OVERRIDE  \(o.rule): \(o.reason)") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List leads.", discussion: """
            Statuses: handed-off, accepted, rejected, converted, recycled.

            Example:
              align lead list --status handed-off
            """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only leads with this status.") var status: String?
        func run() throws {
            if let status, LeadState.Status(rawValue: status) == nil || status == "none" {
                throw CLIError.usage("--status must be one of handed-off, accepted, rejected, converted, recycled")
            }
            let leads: [LeadState] = try global.open().states(kind: "lead").compactMap {
                if case .lead(let l) = $0, status == nil || l.status.rawValue == status { return l }
                return nil
            }
            if global.json { try Say.json(["leads": leads]); return }
            Say.table(["ID", "STATUS", "DEFINITION", "CAMPAIGN", "SIGNALS", "HANDED OFF"], leads.map { l in
                [l.id, l.status.rawValue, l.handoff.map { "\($0.definition) v\($0.definitionVersion)" } ?? "-",
                 l.handoff?.campaign ?? "-", String(l.handoff?.signals.count ?? 0), l.handedOffAt.map(Say.date) ?? "-"]
            })
        }
    }
}
