import AlignmentLedger
import ArgumentParser
import Foundation

struct ContentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "content", abstract: "Content planned per buy-cycle stage; sales requests triaged against the plan.",
        subcommands: [Plan.self, Request.self, Triage.self, Fulfil.self, List.self])

    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Plan an asset for a buy-cycle stage (marketing).", discussion: """
            Stages: awareness, consideration, decision, onboarding, expansion.

            Example:
              align content plan roi-calculator --title "ROI calculator" \\
                --stage decision --persona CFO --as maria
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Asset id.") var asset: String
        @Option(help: "Title.") var title: String
        @Option(help: "Buy-cycle stage.") var stage: Stage
        @Option(help: "Persona.") var persona: String?
        func run() throws {
            try global.perform(.contentPlan(asset: asset, title: title, stage: stage, persona: persona))
        }
    }

    struct Request: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ask marketing for content (sales).", discussion: """
            Example:
              align content request REQ-7 --what "case study for fintech" \\
                --stage decision --lead L-1001 --why "CFO asked" --as sam
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Request id.") var id: String
        @Option(help: "What is needed.") var what: String
        @Option(help: "Buy-cycle stage.") var stage: Stage
        @Option(help: "The lead it is for.") var lead: String?
        @Option(help: "Why.") var why: String?
        func run() throws {
            try global.perform(.contentRequest(id: id, what: what, stage: stage, lead: lead, why: why))
        }
    }

    struct Triage: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Triage a request against the plan (marketing).", discussion: """
            A request is served from the plan by an asset of its own buy-cycle stage
            (--map-to), added to the plan (--add-to-plan), or declined: the "no"
            the plan exists for, counted as its own outcome, not as a miss. Ad-hoc
            content (--ad-hoc) is outside the plan: the policy refuses it unless
            `align policy set --ad-hoc-content allow`; a revops member may force
            it, or a mapping to another stage, with --override --reason.

            Examples:
              align content triage REQ-7 --map-to fintech-case-study --as maria
              align content triage REQ-8 --add-to-plan security-faq --as maria
              align content triage REQ-9 --decline \\
                --reason "covered by the ROI calculator" --as maria
              align content triage REQ-10 --ad-hoc --override \\
                --reason "board meeting tomorrow" --as rita
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Request id.") var id: String
        @Option(name: .customLong("map-to"), help: "Serve it with this planned asset.") var mapTo: String?
        @Option(name: .customLong("add-to-plan"), help: "Add it to the plan as this asset.") var addToPlan: String?
        @Flag(help: "Decline it (needs --reason).") var decline = false
        @Flag(name: .customLong("ad-hoc"), help: "Make it ad hoc, outside the plan (needs --reason).") var adHoc = false
        @Flag(help: "Revops: set aside the rule that refuses this triage (needs --reason).") var override = false
        @Option(help: "Why.") var reason: String?
        func validate() throws {
            guard [mapTo != nil, addToPlan != nil, decline, adHoc].filter({ $0 }).count == 1 else {
                throw ValidationError("content triage needs exactly one of --map-to ASSET, --add-to-plan ASSET, --decline or --ad-hoc")
            }
            if (decline || adHoc || override) && (reason ?? "").allSatisfy(\.isWhitespace) {
                throw ValidationError("--\(override ? "override" : decline ? "decline" : "ad-hoc") needs --reason TEXT")
            }
        }
        func run() throws {
            let outcome: TriageOutcome = mapTo != nil ? .mapped : addToPlan != nil ? .addedToPlan : decline ? .declined : .adHoc
            try global.perform(.contentTriage(id: id, outcome: outcome, asset: mapTo ?? addToPlan, reason: reason, override: override ? reason : nil))
        }
    }

    struct Fulfil: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a triaged request fulfilled (marketing).", discussion: """
            Example:
              align content fulfil REQ-7 --as maria
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Request id.") var id: String
        @Option(help: "The asset that fulfilled it.") var asset: String?
        func run() throws {
            try global.perform(.contentFulfil(id: id, asset: asset))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The content plan and the requests.", discussion: """
            Examples:
              align content list
              align content list --at 2026-05-01
            """)
        @OptionGroup var global: ReadOptions
        func run() throws {
            let all = try global.open().content(asOf: global.asOf)
            if global.json { return try Say.json(["content": all]) }
            ListText.content(all).forEach(Say.line)
        }
    }
}
