import AlignmentDomain
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
            var a = ArgsBuilder()
            a.set("id", id); a.set("title", title); a.set("fit", fit); a.set("engagement", engagement); a.set("rationale", rationale)
            try Exec.run(global, "definition.propose", a) { _, events in
                if case .definitionProposed(let p)? = events.first { return "proposed '\(id)' v\(p.version); sales can now sign it off: `align definition sign-off \(id) \(p.version)`" }
                return "proposed"
            }
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
            var a = ArgsBuilder()
            a.set("id", id); a.set("version", version); a.set("comment", comment)
            try Exec.run(global, "definition.sign-off", a) { _, _ in "signed off '\(id)' v\(version)" }
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a definition version (sales).", discussion: """
            Example:
              align definition reject mql 2 --reason "too broad: includes students" --as sam
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Definition id.") var id: String
        @Argument(help: "Version.") var version: Int
        @Option(help: "Why.") var reason: String
        func run() throws {
            var a = ArgsBuilder()
            a.set("id", id); a.set("version", version); a.set("reason", reason)
            try Exec.run(global, "definition.reject", a) { _, _ in "rejected '\(id)' v\(version)" }
        }
    }

    struct Activate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Activate a signed-off version (supersedes the active one).", discussion: """
            Needs the policy's quorum of sales sign-offs and no rejection; revops may override with a reason.

            Examples:
              align definition activate mql 3 --as maria
              align definition activate mql 4 --override --reason "board deadline" --as rita
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Definition id.") var id: String
        @Argument(help: "Version.") var version: Int
        @Flag(help: "Force a refused activation (revops; needs --reason).") var override = false
        @Option(help: "Why the rule is set aside.") var reason: String?
        func run() throws {
            var a = ArgsBuilder()
            a.set("id", id); a.set("version", version); a.set("override", override); a.set("reason", reason)
            try Exec.run(global, "definition.activate", a) { _, events in
                if case .definitionActivated(let e)? = events.first {
                    return "activated '\(id)' v\(version)" + (e.supersedes.map { ", superseding v\($0)" } ?? "") + (e.override.map { " (OVERRIDE of rule \($0.rule): \($0.reason))" } ?? "")
                }
                return "activated"
            }
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
            var a = ArgsBuilder()
            a.set("id", id)
            try Exec.run(global, "definition.retire", a) { _, _ in "retired '\(id)'" }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a definition's versions, sign-offs and activations.", discussion: """
            Example:
              align definition show mql --version 3
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Definition id.") var id: String
        @Option(help: "Only this version.") var version: Int?
        func run() throws {
            try align.run(global) {
                guard case .definition(let d)? = try global.open().state(of: StreamName.definition(id)) else {
                    throw CLIError.notFound("no lead definition '\(id)'; see `align definition list`")
                }
                let versions = d.versions.filter { version == nil || $0.version == version }
                if let version, versions.isEmpty { throw CLIError.notFound("lead definition '\(id)' has no version \(version)") }
                if global.json {
                    var copy = d
                    copy.versions = versions
                    Output.json(encodable: copy)
                    return
                }
                Output.line("definition \(id)\(d.retired ? " (retired)" : "")  active: \(d.activeVersion.map { "v\($0)" } ?? "none")")
                for v in versions {
                    Output.line("")
                    Output.line("v\(v.version)  \(v.title)  proposed by \(v.author) at \(Output.date(v.proposedAt))")
                    for c in v.fit { Output.line("    fit         \(c)") }
                    for c in v.engagement { Output.line("    engagement  \(c)") }
                    if let r = v.rationale { Output.line("    rationale   \(r)") }
                    for s in v.signOffs { Output.line("    signed off  by \(s.actor) at \(Output.date(s.at))\(s.text.map { ": \($0)" } ?? "")") }
                    for s in v.rejections { Output.line("    rejected    by \(s.actor) at \(Output.date(s.at)): \(s.text ?? "")") }
                    for a in d.activations where a.version == v.version {
                        Output.line("    active      from \(Output.date(a.from))\(a.until.map { " until \(Output.date($0))" } ?? "")\(a.override.map { " (override: \($0.reason))" } ?? "")")
                    }
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List lead definitions.", discussion: """
            Example:
              align definition list
            """)
        @OptionGroup var global: GlobalOptions
        func run() throws {
            try align.run(global) {
                let defs: [DefinitionState] = try global.open().states(kind: "definition").compactMap {
                    if case .definition(let d) = $0 { return d }
                    return nil
                }
                if global.json { Output.json(encodable: ["definitions": defs]); return }
                Output.table(["ID", "VERSIONS", "ACTIVE", "STATUS", "LATEST TITLE"], defs.map { d in
                    [d.id, String(d.versions.count), d.activeVersion.map { "v\($0)" } ?? "-", d.retired ? "retired" : "open", d.versions.last?.title ?? ""]
                })
            }
        }
    }
}
