import AlignmentLedger
import ArgumentParser
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a new ledger with its first actor, a revops admin.",
        discussion: """
        Refuses to touch an existing ledger.

        Example:
          align init --ledger ./acme.ledger --admin rita --name "Rita Revops"
        """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Id of the first actor (role revops).") var admin: String
    @Option(help: "Display name of the first actor.") var name: String

    struct Created: Encodable { var admin: String; var head: String; var ledger: String; var ledgerId: String; var ok = true }

    func run() throws {
        let (ledger, events) = try AlignmentLedger.create(at: global.ledgerPath, admin: admin, name: name, at: global.businessTime)
        let id = ledger.ledgerID.uuidString.lowercased()
        Printer.out.committed = "the ledger was created"
        if global.json { return try Say.json(Created(admin: admin, head: try ledger.head().description, ledger: global.ledgerPath, ledgerId: id)) }
        Say.line("Created ledger \(global.ledgerPath) (id \(id)) with admin '\(admin)' (revops).")
        for e in events { Say.line("  recorded " + AlignmentLedger.logLine(e)) }
        Say.line("Next: add people with `align actor add ID --name NAME --role ROLE --as \(admin)`.")
    }
}
