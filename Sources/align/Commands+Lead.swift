import AlignmentDomain
import AlignmentLedger
import ArgumentParser
import Foundation
import JSONCore

struct LeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lead", abstract: "Leads: handed off by marketing with context, accepted or rejected by sales.",
        subcommands: [Handoff.self, Accept.self, Reject.self, Convert.self, Recycle.self, Show.self, List.self])

    struct Handoff: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hand a lead to sales, with the definition that qualified it and its behaviour.", discussion: """
            A lead from a campaign gets the campaign's latest brief attached automatically.

            Examples:
              align lead handoff L-1001 --definition mql --campaign q3-webinar --owner sam \\
                --profile company=Acme --profile employees=450 \\
                --signal "webinar.attended@2026-06-20T15:00:00Z:Pricing webinar" --score 82 --as maria
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
        @Flag(help: "Force a refused handoff (revops; needs --reason).") var override = false
        @Option(help: "Why the rule is set aside.") var reason: String?

        func run() throws {
            var a = ArgsBuilder()
            if let file {
                do {
                    guard let data = FileManager.default.contents(atPath: file) else { throw CLIError.usage("cannot read '\(file)'") }
                    guard case .object(let o) = try JSONValue.parse(data) else {
                        throw CLIError.usage("'\(file)' must hold one JSON object of handoff arguments")
                    }
                    a.values = o
                } catch let e as CLIError {
                    throw fail(e, json: global.json)
                } catch {
                    throw fail(CLIError.usage("'\(file)' is not valid JSON: \(error)"), json: global.json)
                }
            }
            a.set("id", id); a.set("definition", definition); a.set("version", version); a.set("campaign", campaign)
            a.set("owner", owner); a.set("profile", profile); a.set("signal", signal); a.set("score", score); a.set("note", note)
            a.set("override", override); a.set("reason", reason)
            try Exec.run(global, "lead.handoff", a) { _, events in
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
            var a = ArgsBuilder()
            a.set("id", id)
            try Exec.run(global, "lead.accept", a) { _, _ in "accepted '\(id)'" }
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a lead with a reason code (sales).", discussion: """
            Reason codes: not-icp, bad-timing, no-budget, duplicate, insufficient-context, no-response, other.

            Example:
              align lead reject L-1002 --reason not-icp --note "agency, not a buyer" --as sam
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Lead id.") var id: String
        @Option(help: "Reason code.") var reason: String
        @Option(help: "A note.") var note: String?
        func run() throws {
            var a = ArgsBuilder()
            a.set("id", id); a.set("reason", reason); a.set("note", note)
            try Exec.run(global, "lead.reject", a) { _, _ in "rejected '\(id)' (\(reason))" }
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
            var a = ArgsBuilder()
            a.set("id", id); a.set("opportunity", opportunity); a.set("amount", amount)
            try Exec.run(global, "lead.convert", a) { _, _ in "converted '\(id)'" }
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
            var a = ArgsBuilder()
            a.set("id", id)
            try Exec.run(global, "lead.recycle", a) { _, _ in "recycled '\(id)'" }
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
            try align.run(global) {
                guard case .lead(let l)? = try global.open().state(of: StreamName.lead(id)) else {
                    throw CLIError.notFound("no lead '\(id)'; see `align lead list`")
                }
                if global.json { Output.json(encodable: l); return }
                Output.line("lead \(id)  [\(l.status.rawValue)]\(l.rejection.map { " reason \($0.rawValue)" } ?? "")")
                guard let h = l.handoff else { return }
                Output.line("  handed off by \(l.handedOffBy ?? "?") at \(l.handedOffAt.map(Output.date) ?? "?") under '\(h.definition)' v\(h.definitionVersion)\(h.owner.map { ", owner \($0)" } ?? "")")
                for (k, v) in h.profile.sorted(by: { $0.key < $1.key }) { Output.line("  profile   \(k) = \(v)") }
                for s in h.signals { Output.line("  signal    \(s.name) at \(Output.date(s.at))\(s.detail.map { ": \($0)" } ?? "")") }
                if let c = h.campaign { Output.line("  campaign  \(c)") }
                if let b = h.brief {
                    Output.line("  brief v\(b.version): \(b.summary)")
                    for t in b.talkingPoints { Output.line("    - \(t)") }
                }
                if let s = h.score { Output.line("  score     \(s)") }
                if let n = h.note { Output.line("  note      \(n)") }
                if let o = h.override { Output.line("  OVERRIDE  \(o.rule): \(o.reason)") }
            }
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
            try align.run(global) {
                if let status, LeadState.Status(rawValue: status) == nil || status == "none" {
                    throw CLIError.usage("--status must be one of handed-off, accepted, rejected, converted, recycled")
                }
                let leads: [LeadState] = try global.open().states(kind: "lead").compactMap {
                    if case .lead(let l) = $0, status == nil || l.status.rawValue == status { return l }
                    return nil
                }
                if global.json { Output.json(encodable: ["leads": leads]); return }
                Output.table(["ID", "STATUS", "DEFINITION", "CAMPAIGN", "SIGNALS", "HANDED OFF"], leads.map { l in
                    [l.id, l.status.rawValue, l.handoff.map { "\($0.definition) v\($0.definitionVersion)" } ?? "-",
                     l.handoff?.campaign ?? "-", String(l.handoff?.signals.count ?? 0), l.handedOffAt.map(Output.date) ?? "-"]
                })
            }
        }
    }
}
