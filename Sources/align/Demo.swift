import AlignmentLedger
import ArgumentParser
import Foundation

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play a realistic quarter through the real commands and rules, then show what the ledger knows.",
        discussion: """
        Creates a ledger (a fresh temporary one unless --ledger is given) with a revops lead, marketers and
        salespeople; lead definitions with sign-offs, a rejection and an override; campaigns with and without
        review; leads with and without behavioural signals; content requests triaged to the plan and ad hoc.

        The same --seed replays the same history: every event's type, stream, actor, business
        and recorded times and content (all but the keys), so the same scorecard and answers.
        The ledger id, the event ids and the cast's keys are new on each run (unless --keys
        names a directory that holds them), and so are the signatures, hashes and the head.

        Examples:
          align demo
          align demo --ledger ./demo.ledger --seed 7 --leads 5000
        """)

    @Option(help: "Ledger directory to create (default: a new temporary directory).") var ledger: String?
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "Leads to hand off over the quarter.") var leads: Int = 2000
    @Option(help: "Where the cast's keys are kept (default: a new temporary directory).") var keys: String?

    func validate() throws {
        guard leads >= 1, leads <= 1_000_000 else { throw ValidationError("--leads must be between 1 and 1000000") }
    }

    func run() throws {
        let path = ledger ?? NSTemporaryDirectory() + "alignment-demo-\(UUID().uuidString.prefix(8)).ledger"
        let keyDir = keys ?? NSTemporaryDirectory() + "alignment-demo-keys-\(UUID().uuidString.prefix(8))"
        let l = try AlignmentLedger.playDemoQuarter(at: path, seed: seed, leads: leads, keys: KeyStore(directory: keyDir), say: Say.line)
        try l.tellDemoEpilogue(path: path, keys: keyDir, say: Say.line)
    }
}
