import AlignmentLedger
import ArgumentParser
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a new ledger with its first actor, a revops admin.",
        discussion: """
        Refuses to touch an existing ledger. The admin's key (in the key directory, $ALIGN_KEYS or
        ~/.config/align/keys) signs the first events; it is generated when there is none. The new
        ledger requires every event to be signed by its actor's key.

        The ledger's own log key (log.<ledger id>.key, beside the admin's) signs its checkpoints; the first
        event pins its verifier key.

        Example:
          align init --ledger ./acme.ledger --admin rita --name "Rita Revops"
        """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Id of the first actor (role revops).") var admin: String
    @Option(help: "Display name of the first actor.") var name: String
    @Option(help: ArgumentHelp("The origin line of the ledger's signed checkpoints (default: align/<ledger id>).", valueName: "NAME"))
    var origin: String?

    struct Created: Encodable { var admin: String; var head: String; var ledger: String; var ledgerId: String; var ok = true }

    func run() throws {
        let keys = KeyStore.fromEnvironment()
        let generated = !keys.hasKey(for: admin)
        let key = generated ? try keys.generate(for: admin) : try keys.load(admin)
        let (ledger, events) = try AlignmentLedger.create(at: global.ledgerPath, admin: admin, name: name, at: global.businessTime, key: key,
                                                          logKeys: keys, origin: origin)
        let id = ledger.ledgerID.uuidString.lowercased()
        Printer.out.committed = "the ledger was created"
        if global.json { return try Say.json(Created(admin: admin, head: try ledger.head().description, ledger: global.ledgerPath, ledgerId: id)) }
        Say.line("Created ledger \(global.ledgerPath) (id \(id)) with admin '\(admin)' (revops).")
        Say.line("\(generated ? "Generated" : "Using") \(admin)'s key \(key.keyID) (\(keys.path(of: admin))); every event must be signed.")
        if let v = try ledger.logVerifier() {
            Say.line("Generated the log key \(keys.path(of: ledger.logKeyName)), which signs checkpoints (`align checkpoint`); publish its verifier key:")
            Say.line("  " + v.text)
        }
        for e in events { Say.line("  recorded " + AlignmentLedger.logLine(e)) }
        Say.line("Next: add people with `align actor add ID --name NAME --role ROLE --as \(admin)`.")
    }
}
