import AlignmentLedger
import ArgumentParser
import Foundation

struct ActorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "actor", abstract: "People and their roles (revops manages them).",
        subcommands: [Add.self, Roles.self, Deactivate.self, List.self, KeyCommand.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a person with one or more roles.", discussion: """
            Roles: marketing, sales, revops, viewer. The actor's public key (printed by
            `align key generate --as ID` on their machine) is registered with them; without
            --key, the key in the key directory, if there is one.

            Examples:
              align actor add sam --name "Sam Seller" --role sales --as rita \\
                --key ed25519:... --proof ...
              align actor add sam --name "Sam Seller" --role sales --as rita
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Actor id, e.g. sam.") var id: String
        @Option(help: "Display name.") var name: String
        @Option(help: "A role (repeatable).") var role: [Role] = []
        @OptionGroup var key: KeyOptions
        func run() throws {
            try global.perform(.actorAdd(id: id, name: name, roles: Set(role).sorted(), key: try key.grant(for: id, required: false)))
        }
    }

    struct Roles: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace a person's roles.", discussion: """
            Nobody changes their own roles: another revops member does.

            Example:
              align actor roles sam --role sales --role viewer --as rita
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Actor id.") var id: String
        @Option(help: "A role (repeatable).") var role: [Role] = []
        func run() throws {
            try global.perform(.actorRoles(id: id, roles: Set(role).sorted()))
        }
    }

    struct Deactivate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a person from acting (their history stays).", discussion: """
            Nobody deactivates themselves: another revops member does.

            Example:
              align actor deactivate sam --as rita
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Actor id.") var id: String
        func run() throws {
            try global.perform(.actorDeactivate(id: id))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List people and roles.", discussion: """
            Examples:
              align actor list --json
              align actor list --at 2026-05-01   # the people and roles then
            """)
        @OptionGroup var global: ReadOptions
        func run() throws {
            let actors = try global.open().ledgerState(asOf: global.asOf).actors.values.sorted { $0.id < $1.id }
            if global.json {
                try Say.json(["actors": actors])
            } else {
                ListText.actors(actors).forEach(Say.line)
            }
        }
    }
}

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "The rules revops keeps: quorum, SLA, context, off-definition handoffs, ad-hoc content, signals.",
        subcommands: [Show.self, Set.self, SignalCommand.self, RequireSignatures.self])

    struct SignalCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "signal", abstract: "Keep the vocabulary of signal names handoffs may carry (revops).",
            discussion: """
            While the vocabulary is empty, any signal name passes. Once it holds a name, a handoff's
            signals and a definition's engagement criteria must use names from it, so a typo
            ("webinar.atended") or a placeholder ("x") no longer passes as behaviour.

            Examples:
              align policy signal add webinar.attended pricing.viewed demo.requested --as rita
              align policy signal remove pricing.viewed --as rita
              align policy show
            """,
            subcommands: [Add.self, Remove.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add signal names to the vocabulary.", discussion: """
                Example:
                  align policy signal add webinar.attended demo.requested --as rita
                """)
            @OptionGroup var global: GlobalOptions
            @Argument(help: "Signal names (letters, digits, '.', '_', '-').") var names: [String]
            func run() throws { try global.perform(.policySet(quorum: nil, slaHours: nil, requireContext: nil, requireCampaignReview: nil, addSignals: names)) }
        }

        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove signal names from the vocabulary.", discussion: """
                Handoffs already recorded keep their signals; new ones may no longer use the names.

                Example:
                  align policy signal remove pricing.viewed --as rita
                """)
            @OptionGroup var global: GlobalOptions
            @Argument(help: "Signal names.") var names: [String]
            func run() throws { try global.perform(.policySet(quorum: nil, slaHours: nil, requireContext: nil, requireCampaignReview: nil, removeSignals: names)) }
        }
    }

    struct RequireSignatures: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "require-signatures", abstract: "Require every event to be signed by its actor's key (revops; for ledgers created unsigned).",
            discussion: """
            Ledgers created by `align init` require signatures from their start. An older ledger keeps its
            unsigned history readable (shown as unsigned); this turns the requirement on, for good.

            Example:
              align policy require-signatures --as rita
            """)
        @OptionGroup var global: GlobalOptions
        func run() throws { try global.perform(.policyRequireSignatures) }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the policy in force (now, or at a business time).", discussion: """
            Examples:
              align policy show
              align policy show --at 2026-05-01 --json
            """)
        @OptionGroup var global: ReadOptions
        func run() throws {
            let l = try global.open().ledgerState(asOf: global.asOf)
            if global.json {
                try Say.json(l.policy)
            } else {
                ListText.policy(l.policy, signaturesRequired: l.signaturesRequired).forEach(Say.line)
            }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change the policy (revops).", discussion: """
            --max-backdate HOURS (default 72): how far a command's business time
            (--at) may lie before the moment it is recorded. Older entries need a
            revops override or an import, and audit and show views mark them
            "backdated".

            --off-definition refuse|flag|allow (default refuse): what happens to a
            handoff that does not meet the criteria of the definition version it
            names. refuse: it is refused, naming the failing criteria (revops may
            force it with --override --reason, which the scorecard counts); flag:
            it is recorded and flagged; allow: it is recorded. Every handoff
            records its evaluation either way.

            --ad-hoc-content refuse|allow (default refuse): whether triage may
            make a content request ad hoc, outside the plan, without a revops
            override.

            Examples:
              align policy set --quorum 2 --sla-hours 48 --as rita
              align policy set --max-backdate 24 --as rita
              align policy set --off-definition flag --ad-hoc-content allow --as rita
            """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Sales sign-offs needed to activate a definition version (at most the active sales members).") var quorum: Int?
        @Option(name: .customLong("sla-hours"), help: "Hours sales has to accept a lead.") var slaHours: Int?
        @Option(name: .customLong("require-context"), help: "Handoffs need a behavioural signal (true/false).") var requireContext: Bool?
        @Option(name: .customLong("require-campaign-review"), help: "Launch needs an approving review (true/false).") var requireCampaignReview: Bool?
        @Option(name: .customLong("max-backdate"), help: ArgumentHelp("Hours a business time may lie before its recording (default 72).", valueName: "HOURS"))
        var maxBackdate: Int?
        @Option(name: .customLong("off-definition"), help: "What happens to a handoff that does not meet its definition.")
        var offDefinition: OffDefinitionPolicy?
        @Option(name: .customLong("ad-hoc-content"), help: "Whether triage may make a request ad hoc without an override.")
        var adHocContent: AdHocContentPolicy?
        func validate() throws {
            if quorum == nil && slaHours == nil && requireContext == nil && requireCampaignReview == nil && maxBackdate == nil
                && offDefinition == nil && adHocContent == nil {
                throw ValidationError("give at least one of --quorum, --sla-hours, --require-context, --require-campaign-review, --max-backdate, --off-definition, --ad-hoc-content")
            }
        }
        func run() throws {
            let command = Command.policySet(quorum: quorum, slaHours: slaHours, requireContext: requireContext, requireCampaignReview: requireCampaignReview,
                                            maxBackdateHours: maxBackdate, offDefinition: offDefinition, adHocContent: adHocContent)
            try global.perform(command)
        }
    }
}
