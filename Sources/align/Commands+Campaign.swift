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
              align campaign draft q3-webinar --name "Q3 pricing webinar" \\
                --audience "RevOps leaders" --offer "free audit" \\
                --channel email --channel linkedin --launch-date 2026-07-01 \\
                --as maria
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Campaign id.") var id: String
        @Option(help: "Name.") var name: String
        @Option(help: "Audience.") var audience: String?
        @Option(help: "Offer.") var offer: String?
        @Option(help: "A channel (repeatable).") var channel: [String] = []
        @Option(name: .customLong("launch-date"), help: "Planned launch date (ISO 8601).") var launchDate: String?
        func run() throws {
            let command = Command.campaignDraft(id: id, name: name, audience: audience, offer: offer, channels: channel, launchDate: launchDate)
            try global.perform(command)
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
            try global.perform(.campaignRequestReview(id: id))
        }
    }

    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Review the latest draft (sales).", discussion: """
            The author of the latest draft cannot review it.

            Examples:
              align campaign review q3-webinar --approve --comment "good offer" --as sam
              align campaign review q3-webinar --request-changes \\
                --comment "wrong audience" --as sam
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Campaign id.") var id: String
        @Flag(help: "Approve the draft.") var approve = false
        @Flag(name: .customLong("request-changes"), help: "Ask for changes.") var requestChanges = false
        @Option(help: "Comment.") var comment: String?
        func validate() throws {
            if approve == requestChanges { throw ValidationError("campaign review needs exactly one of --approve or --request-changes") }
        }
        func run() throws {
            try global.perform(.campaignReview(id: id, approve: approve, comment: comment))
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
            try global.perform(.campaignBrief(id: id, summary: summary, talkingPoints: talkingPoint, offer: offer))
        }
    }

    struct Launch: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Launch a campaign (needs an approving sales review of the latest draft).", discussion: """
            Examples:
              align campaign launch q3-webinar --as maria
              align campaign launch flash-sale --override \\
                --reason "competitor launch" --as rita
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Campaign id.") var id: String
        @OptionGroup var override: OverrideOptions
        func run() throws {
            try global.perform(.campaignLaunch(id: id, override: override.given))
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
            try global.perform(.campaignClose(id: id))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a campaign.", discussion: """
            Examples:
              align campaign show q3-webinar
              align campaign show q3-webinar --at 2026-07-01   # as it stood then
            """)
        @OptionGroup var global: ReadOptions
        @Argument(help: "Campaign id.") var id: String
        func run() throws {
            let ledger = try global.open()
            let c = try ledger.campaign(id, asOf: global.asOf)
            if global.json { return try Say.json(c) }
            c.detailLines(maxBackdateHours: try ledger.maxBackdateHours()).forEach(Say.line)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List campaigns.", discussion: """
            Examples:
              align campaign list --json
              align campaign list --at 2026-07-01
            """)
        @OptionGroup var global: ReadOptions
        func run() throws {
            let cs = try global.open().campaigns(asOf: global.asOf)
            if global.json { return try Say.json(["campaigns": cs]) }
            ListText.campaigns(cs).forEach(Say.line)
        }
    }
}
