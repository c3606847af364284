import AlignmentLedger
import ArgumentParser
import Foundation

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Who did what, and when: answers that show the events they rest on.",
        discussion: "Every answer lists the positions of its events and the log's head, so it can be checked with `align verify --checkpoint`.",
        subcommands: [Definition.self, WhoApproved.self, Actor.self, Stream.self, Overrides.self])

    static func printTrail(_ t: AuditTrail, json: Bool) throws {
        if json { return try Say.json(LedgerResponse.Trail(t)) }
        t.lines.forEach(Say.line)
    }

    struct Definition: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A definition's whole story: proposals, sign-offs, rejections, activations, supersession.", discussion: """
            Example:
              align audit definition mql --version 2
            """)
        @OptionGroup var global: PlainOptions
        @Argument(help: "Definition id.") var id: String
        @Option(help: "Only events about this version (and its supersession).") var version: Int?
        func run() throws {
            let t = try global.open().auditDefinition(id, version: version)
            try AuditCommand.printTrail(t, json: global.json)
        }
    }

    struct WhoApproved: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "who-approved", abstract: "The version active at a time and the sales members who signed it off.", discussion: """
            With --proof, also writes a proof bundle: the answer, every event of the definition's stream and of the
            ledger stream with its signature and an inclusion proof against the newest signed checkpoint (run
            `align checkpoint` first), which anyone can check offline with tools/verify_bundle.py and the ledger's
            verifier key (`align checkpoint --vkey`).

            Examples:
              align audit who-approved mql
              align audit who-approved mql --at 2026-05-01
              align audit who-approved mql --at 2026-05-01 --proof mql-2026-05-01.proof.json
            """)
        @OptionGroup var global: ReadOptions
        @Argument(help: "Definition id.") var id: String
        @Option(help: "Also write a proof bundle of the answer to this file (replaced whole or not at all).") var proof: String?
        func run() throws {
            let ledger = try global.open()
            guard let proof else {
                let a = try ledger.whoApproved(id, at: global.asOf ?? Date())
                if global.json { return try Say.json(a) }
                return a.answerLines.forEach(Say.line)
            }
            let bundle = try ledger.writeWhoApprovedBundle(id, at: global.asOf, toFile: proof)
            let wrote = "proof bundle written to \(proof): \(bundle.events.count) events, proved against the signed checkpoint of "
                + "\(bundle.treeSize) events. An auditor checks it with `python3 tools/verify_bundle.py \(proof) --vkey VKEY`, "
                + "VKEY being this ledger's verifier key, given apart from the bundle: \(bundle.verifierKey ?? "(none: a ledger made before log keys)")"
            if global.json {
                try Say.json(bundle.answer)
                return Say.note(wrote + "\n")
            }
            bundle.answer.answerLines.forEach(Say.line)
            Say.line(wrote)
        }
    }

    struct Actor: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything one person did.", discussion: """
            Example:
              align audit actor sam --since 2026-04-01 --until 2026-05-01
            """)
        @OptionGroup var global: PlainOptions
        @Argument(help: "Actor id.") var id: String
        @Option(help: "From this business time (ISO 8601).") var since: Time?
        @Option(help: "Before this business time (ISO 8601).") var until: Time?
        func run() throws {
            let t = try global.open().auditActor(id, since: since?.date, until: until?.date)
            try AuditCommand.printTrail(t, json: global.json)
        }
    }

    struct Stream: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every event of one stream.", discussion: """
            Example:
              align audit stream campaign/q2-webinar
            """)
        @OptionGroup var global: PlainOptions
        @Argument(help: "Stream name, e.g. lead/L-1001.") var stream: String
        func run() throws {
            let t = try global.open().auditStream(stream)
            try AuditCommand.printTrail(t, json: global.json)
        }
    }

    struct Overrides: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every rule set aside by revops, with the reason.", discussion: """
            --rule keeps the overrides of one rule, e.g. the off-definition
            handoffs revops forced, or the activations without a quorum.

            Examples:
              align audit overrides --json
              align audit overrides --rule off-definition
              align audit overrides --rule sign-off-quorum
            """)
        @OptionGroup var global: PlainOptions
        @Option(help: ArgumentHelp("Only the overrides of this rule.", valueName: "RULE")) var rule: String?
        func run() throws {
            let ledger = try global.open()
            let (os, head) = try ledger.auditOverrides(rule: rule)
            if global.json { return try Say.json(LedgerResponse.Overrides(os, head: head)) }
            OverrideRecord.tableLines(os, head: head, maxBackdateHours: try ledger.maxBackdateHours()).forEach(Say.line)
        }
    }
}

