import AlignmentLedger
import ArgumentParser
import Foundation

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the whole log: every hash of the chain, every index entry, and optionally a checkpoint.",
        discussion: """
        Exit 0 when sound; 3 with the first bad position otherwise. Also recomputes the Merkle tree from the
        records and checks every stored hash. A checkpoint taken earlier and kept elsewhere proves the log was
        not rolled back or rewritten since: a signed checkpoint note (`align checkpoint`), checked with --vkey
        or the log key pinned in the ledger, tells a ROLLBACK (fewer events) from a FORK (another tree at its
        size), printing both heads; a POSITION:HASH checkpoint (`align stats`) works too.

        Examples:
          align verify
          align verify --checkpoint published.note --vkey "$(cat ledger.vkey)"
          align verify --checkpoint 1042:5f1c...e9
        """)

    @OptionGroup var global: PlainOptions
    @Option(help: ArgumentHelp("A checkpoint the log must still extend: a signed note's file, or POSITION:HASH.", valueName: "FILE|POSITION:HASH"))
    var checkpoint: String?
    @Option(help: ArgumentHelp("The verifier key that must have signed the checkpoint note (default: the one pinned in the ledger).", valueName: "NAME+HASH+KEY"))
    var vkey: String?

    func run() throws {
        let tty = isatty(2) == 1 && !global.json
        let position = checkpoint.flatMap(Checkpoint.init)
        if let checkpoint, position == nil, checkpoint != "-", !FileManager.default.fileExists(atPath: checkpoint) {
            throw CLIError.usage("--checkpoint takes the file of a signed checkpoint note (`align checkpoint`) or POSITION:HASH (`align stats`); '\(checkpoint)' is neither")
        }
        let note = try checkpoint.flatMap { position == nil ? String(decoding: try readInput($0), as: UTF8.self) : nil }
        let answer = try global.openLog().verifyAnswer(checkpoint: position, signed: note.map { ($0, vkey) }) { done, total in
            if tty, total > 0 { Say.note("\rverifying \(done)/\(total) events...") }
        }
        if tty { Say.note("\r\u{1B}[K") }
        if global.json { try Say.json(answer) } else { answer.lines.forEach(Say.line) }
        if !answer.ok { throw ExitCode(3) }
    }
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Events, streams, size on disk and the head checkpoint.",
        discussion: """
        Copy the head checkpoint somewhere safe; `align verify --checkpoint` later proves the log still extends it.

        Example:
          align stats --json
        """)

    @OptionGroup var global: PlainOptions

    struct Report: Encodable { var events: UInt64, streams: UInt64, sizeOnDisk: Int64, head: String, ledgerId: String, formatVersion: UInt32 }

    func run() throws {
        let s = try global.openLog().stats()
        let id = s.ledgerID.uuidString.lowercased()
        if global.json {
            return try Say.json(Report(events: s.events, streams: s.streams, sizeOnDisk: s.sizeOnDisk, head: s.head.description, ledgerId: id,
                                       formatVersion: s.formatVersion))
        }
        AlignmentLedger.statsLines(s, path: global.ledgerPath).forEach(Say.line)
    }
}
