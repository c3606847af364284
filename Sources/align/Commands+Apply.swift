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

        Example line:
          {"command": "lead.accept", "as": "sam", "args": {"id": "L-1"}}

        Examples:
          align apply commands.jsonl
          generate-commands | align apply - --as maria
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A JSON Lines file, or - for standard input.") var file: String

    struct Applied: Encodable { var ok = true; var commands: Int, events: Int, head: String, firstPosition: UInt64, lastPosition: UInt64 }

    func run() throws {
        // Each line is signed by its actor's key when the key directory has it.
        let r = try global.open().apply(file: try readInput(file), defaultActor: global.actorIfGiven, defaultAt: global.businessTime,
                                        signers: global.signer)
        Printer.out.committed = "\(r.recorded.count) events were committed (head \(r.head))"
        if global.json {
            return try Say.json(Applied(commands: r.commands, events: r.recorded.count, head: r.head.description,
                                        firstPosition: r.positions.first, lastPosition: r.positions.last))
        }
        r.lines.forEach(Say.line)
    }
}
