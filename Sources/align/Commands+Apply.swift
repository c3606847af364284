import AlignmentLedger
import ArgumentParser
import Foundation

struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a JSON Lines file of commands in one transaction: all of them, or none.",
        discussion: """
        One command per line; every line is checked first, and every bad line is reported with its number.
        `command` is NOUN.VERB as on the command line; `args` keys are the long option names and the
        positional arguments by name; `as` and `at` may be given per line or for the whole file (--as, --at).

        Example lines:
          {"command": "lead.accept", "as": "sam", "args": {"id": "L-1"}}
          {"command": "lead.accept", "as": "sam", "args": {"id": "L-2"}, "key": "k2"}

        A line may carry an idempotency `key`: a line whose key was applied before is skipped and reported
        (nothing is written for it), so a retry after an unclear failure, or a sync file run again, is safe.

        Each line is signed by its actor's key from the key directory. Lines whose actor's key is not at
        hand are refused, unless a revops member takes them on with --import and a --reason: they sign
        them as an import, recorded in the open (audits say "imported by").

        Examples:
          align apply commands.jsonl
          generate-commands | align apply - --as maria
          align apply crm-sync.jsonl --import --reason "weekly CRM sync" --as rita
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A JSON Lines file, or - for standard input.") var file: String
    @Flag(name: .customLong("import"), help: "Sign the lines whose actor's key is not at hand yourself, as an import (revops).")
    var importing = false
    @Option(help: "Why the lines are imported (with --import).") var reason: String?

    func validate() throws {
        if importing, reason == nil { throw ValidationError("--import needs --reason saying why these lines are taken on") }
        if !importing, reason != nil { throw ValidationError("--reason goes with --import") }
    }

    struct Applied: Encodable {
        var ok = true; var commands: Int, events: Int, head: String, firstPosition: UInt64, lastPosition: UInt64
        var skipped: [ApplyOutcome.Skipped]
    }

    func run() throws {
        // Each line is signed by its actor's key when the key directory has it.
        var authority: ImportAuthority?
        if importing, let reason {
            let actor = try global.actorID()
            guard let key = try global.signer(actor) else {
                throw CLIError.usage("--import needs your own key at hand; there is none for '\(actor)' (`align key generate --as \(actor)`)")
            }
            authority = ImportAuthority(signer: key, source: file == "-" ? "standard input" : file, reason: reason)
        }
        let r = try global.open().apply(file: try readInput(file), defaultActor: global.actorIfGiven, defaultAt: global.businessTime,
                                        signers: global.signer, importing: authority)
        Printer.out.committed = "\(r.recorded.count) events were committed (head \(r.head))"
        if global.json {
            return try Say.json(Applied(commands: r.commands, events: r.recorded.count, head: r.head.description,
                                        firstPosition: r.positions.first, lastPosition: r.positions.last, skipped: r.skipped))
        }
        r.lines.forEach(Say.line)
    }
}
