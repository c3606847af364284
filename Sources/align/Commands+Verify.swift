import AlignmentLedger
import ArgumentParser
import Foundation

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the whole log: every hash of the chain, every index entry, and optionally a checkpoint.",
        discussion: """
        Exit 0 when sound; 3 with the first bad position otherwise. A checkpoint (POSITION:HASH, as printed by
        `align stats`) taken earlier and kept elsewhere proves the log was not rolled back or rewritten since.

        Examples:
          align verify
          align verify --checkpoint 1042:5f1c...e9
        """)

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("A checkpoint the log must still extend.", valueName: "POSITION:HASH")) var checkpoint: String?

    func validate() throws {
        if let checkpoint, Checkpoint(checkpoint) == nil {
            throw ValidationError("--checkpoint must be POSITION:HASH (64 hex digits), as printed by `align stats`")
        }
    }

    func run() throws {
        let tty = isatty(2) == 1 && !global.json
        let answer = try global.openLog().verifyAnswer(checkpoint: checkpoint.flatMap(Checkpoint.init)) { done, total in
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

    @OptionGroup var global: GlobalOptions

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
