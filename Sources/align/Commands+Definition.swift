import AlignmentLedger
import ArgumentParser
import Foundation

struct DefinitionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "definition", abstract: "Lead definitions: proposed, signed off by sales, activated.",
        subcommands: [Propose.self, SignOff.self, Reject.self, Activate.self, Retire.self, Show.self, List.self])

    struct Propose: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Propose a new version of a lead definition (prints the version).", discussion: """
            Example:
              align definition propose mql --title "Marketing-qualified lead" \\
                --fit "employees>=200" --fit "industry in [saas,fintech]" \\
                --engagement "webinar.attended>=1" --rationale "Q3 win analysis" --as maria
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Definition id, e.g. mql.") var id: String
        @Option(help: "Title.") var title: String
        @Option(help: "A fit criterion, e.g. \"employees>=200\" (repeatable).") var fit: [String] = []
        @Option(help: "An engagement criterion, e.g. \"webinar.attended>=1\" (repeatable).") var engagement: [String] = []
        @Option(help: "Why this definition.") var rationale: String?
        func run() throws {
            let command = Command.definitionPropose(id: id, title: title, fit: try fit.map(Criterion.parse),
                                                    engagement: try engagement.map(Criterion.parse), rationale: rationale)
            try global.perform(command)
        }
    }

    struct SignOff: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sign-off", abstract: "Sign off a definition version (sales).", discussion: """
            Example:
              align definition sign-off mql 3 --comment "matches our ICP" --as sam
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Definition id.") var id: String
        @Argument(help: "Version.") var version: Int
        @Option(help: "Comment.") var comment: String?
        func run() throws {
            try global.perform(.definitionSignOff(id: id, version: version, comment: comment))
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a definition version (sales).", discussion: """
            Example:
              align definition reject mql 2 --reason "too broad: students" --as sam
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Definition id.") var id: String
        @Argument(help: "Version.") var version: Int
        @Option(help: "Why.") var reason: String
        func run() throws {
            try global.perform(.definitionReject(id: id, version: version, reason: reason))
        }
    }

    struct Activate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Activate a signed-off version (supersedes the active one).", discussion: """
            Needs the policy's quorum of sales sign-offs and no rejection; revops may override with a reason.

            Examples:
              align definition activate mql 3 --as maria
              align definition activate mql 4 --override --reason "deadline" --as rita
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Definition id.") var id: String
        @Argument(help: "Version.") var version: Int
        @OptionGroup var override: OverrideOptions
        func run() throws {
            try global.perform(.definitionActivate(id: id, version: version, override: override.given))
        }
    }

    struct Retire: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Retire a definition: it takes no more handoffs.", discussion: """
            Example:
              align definition retire mql-2025 --as maria
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Definition id.") var id: String
        func run() throws {
            try global.perform(.definitionRetire(id: id))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a definition's versions, sign-offs and activations.", discussion: """
            With --at, the definition as it stood then: the versions proposed, the
            verdicts given and the version active at that business time.

            Examples:
              align definition show mql --version 3
              align definition show mql --at 2026-05-01
            """)
        @OptionGroup var global: ReadOptions
        @Argument(help: "Definition id.") var id: String
        @Option(help: "Only this version.") var version: Int?
        func run() throws {
            let ledger = try global.open()
            let d = try ledger.definition(id, version: version, asOf: global.asOf)
            if global.json { return try Say.json(d) }
            d.storyLines(maxBackdateHours: try ledger.maxBackdateHours()).forEach(Say.line)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List lead definitions.", discussion: """
            Examples:
              align definition list
              align definition list --at 2026-05-01
            """)
        @OptionGroup var global: ReadOptions
        func run() throws {
            let defs = try global.open().definitions(asOf: global.asOf)
            if global.json { return try Say.json(["definitions": defs]) }
            ListText.definitions(defs).forEach(Say.line)
        }
    }
}
