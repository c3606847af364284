import AlignmentDomain
import AlignmentLedger
import ArgumentParser
import Foundation

struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign", abstract: "Campaigns: drafted by marketing, reviewed by sales, briefed, launched.",
        subcommands: [Draft.self, RequestReview.self, Review.self, Brief.self, Launch.self, Close.self, Show.self, List.self])

    struct Draft: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Draft a campaign, or a new revision of its draft.", discussion: """
            Example:
              align campaign draft q3-webinar --name "Q3 pricing webinar" --audience "RevOps leaders" \\
                --offer "free audit" --channel email --channel linkedin --launch-date 2026-07-01 --as maria
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Campaign id.") var id: String
        @Option(help: "Name.") var name: String
        @Option(help: "Audience.") var audience: String?
        @Option(help: "Offer.") var offer: String?
        @Option(help: "A channel (repeatable).") var channel: [String] = []
        @Option(name: .customLong("launch-date"), help: "Planned launch date (ISO 8601).") var launchDate: String?
        func run() throws {
            var a = ArgsBuilder()
            a.set("id", id); a.set("name", name); a.set("audience", audience); a.set("offer", offer); a.set("channel", channel); a.set("launch-date", launchDate)
            try Exec.run(global, "campaign.draft", a) { _, events in
                if case .campaignDrafted(let e)? = events.first { return "drafted '\(id)' revision \(e.revision)" }
                return "drafted"
            }
        }
    }

    struct RequestReview: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "request-review", abstract: "Ask sales to review the latest draft.", discussion: """
            Example:
              align campaign request-review q3-webinar --as maria
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Campaign id.") var id: String
        func run() throws {
            var a = ArgsBuilder()
            a.set("id", id)
            try Exec.run(global, "campaign.request-review", a) { _, _ in "review of '\(id)' requested" }
        }
    }

    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Review the latest draft (sales).", discussion: """
            Examples:
              align campaign review q3-webinar --approve --comment "good offer" --as sam
              align campaign review q3-webinar --request-changes --comment "wrong audience" --as sam
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Campaign id.") var id: String
        @Flag(help: "Approve the draft.") var approve = false
        @Flag(name: .customLong("request-changes"), help: "Ask for changes.") var requestChanges = false
        @Option(help: "Comment.") var comment: String?
        func run() throws {
            var a = ArgsBuilder()
            a.set("id", id); a.set("approve", approve); a.set("request-changes", requestChanges); a.set("comment", comment)
            try Exec.run(global, "campaign.review", a) { _, _ in approve ? "approved '\(id)'" : "requested changes to '\(id)'" }
        }
    }

    struct Brief: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish or revise the campaign brief (attached to its leads at handoff).", discussion: """
            Example:
              align campaign brief q3-webinar --summary "Pricing webinar for RevOps" \\
                --talking-point "ask about their audit" --offer "free audit" --as maria
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Campaign id.") var id: String
        @Option(help: "Summary.") var summary: String
        @Option(name: .customLong("talking-point"), help: "A talking point (repeatable).") var talkingPoint: [String] = []
        @Option(help: "Offer.") var offer: String?
        func run() throws {
            var a = ArgsBuilder()
            a.set("id", id); a.set("summary", summary); a.set("talking-point", talkingPoint); a.set("offer", offer)
            try Exec.run(global, "campaign.brief", a) { _, events in
                if case .campaignBriefPublished(let e)? = events.first { return "published brief v\(e.briefVersion) of '\(id)'" }
                return "published"
            }
        }
    }

    struct Launch: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Launch a campaign (needs an approving sales review of the latest draft).", discussion: """
            Examples:
              align campaign launch q3-webinar --as maria
              align campaign launch flash-sale --override --reason "competitor launch" --as rita
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Campaign id.") var id: String
        @Flag(help: "Force a refused launch (revops; needs --reason).") var override = false
        @Option(help: "Why the rule is set aside.") var reason: String?
        func run() throws {
            var a = ArgsBuilder()
            a.set("id", id); a.set("override", override); a.set("reason", reason)
            try Exec.run(global, "campaign.launch", a) { _, events in
                if case .campaignLaunched(let e)? = events.first {
                    return "launched '\(id)'" + (e.override.map { " (OVERRIDE of rule \($0.rule): \($0.reason))" } ?? "")
                }
                return "launched"
            }
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a campaign.", discussion: """
            Example:
              align campaign close q3-webinar --as maria
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Campaign id.") var id: String
        func run() throws {
            var a = ArgsBuilder()
            a.set("id", id)
            try Exec.run(global, "campaign.close", a) { _, _ in "closed '\(id)'" }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a campaign.", discussion: """
            Example:
              align campaign show q3-webinar
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Campaign id.") var id: String
        func run() throws {
            try align.run(global) {
                guard case .campaign(let c)? = try global.open().state(of: StreamName.campaign(id)) else {
                    throw CLIError.notFound("no campaign '\(id)'; see `align campaign list`")
                }
                if global.json { Output.json(encodable: c); return }
                Output.line("campaign \(id): \(c.name)  [\(c.status.rawValue), revision \(c.revision)]")
                if let a = c.audience { Output.line("  audience  \(a)") }
                if let o = c.offer { Output.line("  offer     \(o)") }
                if !c.channels.isEmpty { Output.line("  channels  \(c.channels.joined(separator: ", "))") }
                if let d = c.launchDate { Output.line("  launch    \(d)") }
                for r in c.reviews { Output.line("  review    by \(r.actor) at \(Output.date(r.at)): \(r.text ?? "")") }
                for b in c.briefs { Output.line("  brief v\(b.version) \(b.summary)\(b.talkingPoints.isEmpty ? "" : " — " + b.talkingPoints.joined(separator: "; "))") }
                if let l = c.launchedAt { Output.line("  launched  \(Output.date(l))") }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List campaigns.", discussion: """
            Example:
              align campaign list --json
            """)
        @OptionGroup var global: GlobalOptions
        func run() throws {
            try align.run(global) {
                let cs: [CampaignState] = try global.open().states(kind: "campaign").compactMap {
                    if case .campaign(let c) = $0 { return c }
                    return nil
                }
                if global.json { Output.json(encodable: ["campaigns": cs]); return }
                Output.table(["ID", "STATUS", "REV", "APPROVED", "BRIEFS", "NAME"], cs.map { c in
                    [c.id, c.status.rawValue, String(c.revision), c.approvedRevision == c.revision ? "yes" : "no", String(c.briefs.count), c.name]
                })
            }
        }
    }
}
