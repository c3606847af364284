import AlignmentLedger
import ArgumentParser
import Foundation

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Sign the current tree head with the ledger's log key, keep it, and print the signed note.",
        discussion: """
        The note is a C2SP tlog-checkpoint: the ledger's origin, its size and the root of its Merkle tree
        (RFC 9162), signed by the log key `align init` made (log.<ledger id>.key in the key directory).
        Publish it somewhere the ledger's writers cannot rewrite (a git repository, a ticket, a witness):
        `align verify --checkpoint FILE` later proves the ledger still extends it, and tells a ROLLBACK
        from a FORK. The log never signs a head inconsistent with one it signed before.

        Examples:
          align checkpoint > checkpoints/$(date +%F).note
          align checkpoint --vkey > ledger.vkey
          align checkpoint --latest --json
        """)

    @OptionGroup var global: PlainOptions
    @Flag(help: "Print the log's verifier key (NAME+HASH+KEY) instead of signing.") var vkey = false
    @Flag(help: "Print the newest checkpoint kept instead of signing a new one.") var latest = false

    func run() throws {
        let ledger = try global.openLog()
        if vkey {
            guard let v = try ledger.logVerifier() else { throw CheckpointError.noLogKey }
            return global.json ? try Say.json(["vkey": v.text]) : Say.line(v.text)
        }
        let c: TreeCheckpoint
        if latest {
            guard let kept = try ledger.latestCheckpoint() else { throw CheckpointError.noCheckpoint("no checkpoint has been signed yet: run `align checkpoint`") }
            c = kept
        } else {
            c = try ledger.signCheckpoint(keys: KeyStore.fromEnvironment())
        }
        if global.json { return try Say.json(LedgerResponse.SignedCheckpoint(c)) }
        Printer.out.write(c.note.utf8)
    }
}

struct Prove: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merkle proofs (RFC 9162) against signed checkpoints, for anyone to check without the ledger.",
        subcommands: [Inclusion.self, Consistency.self])

    struct Inclusion: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove that the event at POSITION is in a signed checkpoint's tree.",
            discussion: """
            Against the checkpoint in FILE (checked with --vkey, or the log key pinned in the ledger), or the
            newest one kept. The proof is checked before it is printed; the tree size comes from the signed
            checkpoint. Leaf i is the record at position i+1, its bytes exactly as stored.

            Examples:
              align prove inclusion 42 --json
              align prove inclusion 42 --checkpoint published.note --vkey "$(cat ledger.vkey)" --json
            """)

        @OptionGroup var global: PlainOptions
        @Argument(help: "The event's position.") var position: UInt64
        @Option(help: ArgumentHelp("A signed checkpoint note to prove against.", valueName: "FILE")) var checkpoint: String?
        @Option(help: ArgumentHelp("The verifier key that must have signed it.", valueName: "NAME+HASH+KEY")) var vkey: String?

        func run() throws {
            let note = try checkpoint.map { String(decoding: try readInput($0), as: UTF8.self) }
            let p = try global.openLog().proveInclusion(position: position, checkpointNote: note, vkey: vkey)
            if global.json { return try Say.json(p) }
            Say.line("position \(p.position) (leaf \(p.leafIndex)) is in the tree of \(p.treeSize) events")
            Say.line("leaf hash \(p.leafHash)")
            for (i, h) in p.proof.enumerated() { Say.line("  proof[\(i)] \(h)") }
            Printer.out.write(("checkpoint:\n" + p.checkpoint).utf8)
        }
    }

    struct Consistency: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove that the tree of one signed checkpoint is a prefix of another's.",
            discussion: """
            Both notes are checked (with --vkey, or the log key pinned in the ledger) and against this
            ledger's tree; the proof is checked before it is printed.

            Example:
              align prove consistency monday.note friday.note --json
            """)

        @OptionGroup var global: PlainOptions
        @Argument(help: "The older checkpoint note.") var old: String
        @Argument(help: "The newer checkpoint note.") var new: String
        @Option(help: ArgumentHelp("The verifier key that must have signed them.", valueName: "NAME+HASH+KEY")) var vkey: String?

        func run() throws {
            let a = String(decoding: try readInput(old), as: UTF8.self), b = String(decoding: try readInput(new), as: UTF8.self)
            let p = try global.openLog().proveConsistency(old: a, new: b, vkey: vkey)
            if global.json { return try Say.json(p) }
            Say.line("the tree of \(p.oldSize) events (root \(p.oldRoot)) is a prefix of the tree of \(p.newSize) (root \(p.newRoot))")
            for (i, h) in p.proof.enumerated() { Say.line("  proof[\(i)] \(h)") }
        }
    }
}
