import AlignmentLedger
import ArgumentParser
import Foundation

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the ledger online into a new directory (compacted), verify the copy and print its checkpoint.",
        discussion: """
        Uses LMDB's own compacting copy: appends go on while it runs, and the copy is one consistent snapshot. DEST
        must be a new or empty directory. The copy is then verified whole (chain, indexes, signatures) and proven to
        extend the ledger's head from before the copy; keep the printed checkpoint beside the backup. When the
        ledger's log key is at hand, a signed checkpoint of the head is made first and the copy proven to extend it. Exit 0 with a
        verified copy; 2 when DEST holds anything; 3 when the copy cannot be written (a full disk says so, and the
        incomplete copy is removed) or does not verify.

        Examples:
          align backup /backups/alignment-2026-06-30.ledger
          align backup --ledger /srv/alignment.ledger /mnt/offsite/alignment.ledger --json
          align verify --ledger /backups/alignment-2026-06-30.ledger --checkpoint 1042:5f1c...e9
        """)

    @OptionGroup var global: PlainOptions
    @Argument(help: ArgumentHelp("A new (or empty) directory for the copy.", valueName: "DEST")) var destination: String

    func run() throws {
        let tty = isatty(2) == 1 && !global.json
        let answer = try global.openLog().backup(to: destination, checkpointKeys: KeyStore.fromEnvironment()) { done, total in
            if tty, total > 0 { Say.note("\rverifying the copy: \(done)/\(total) events...") }
        }
        if tty { Say.note("\r\u{1B}[K") }
        if global.json { return try Say.json(answer) }
        answer.lines.forEach(Say.line)
    }
}
