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
        Deterministic for a seed.

        Examples:
          align demo
          align demo --ledger ./demo.ledger --seed 7 --leads 5000
        """)

    @Option(help: "Ledger directory to create (default: a new temporary directory).") var ledger: String?
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "Leads to hand off over the quarter.") var leads: Int = 2000

    func run() throws {
        guard leads >= 1, leads <= 1_000_000 else { throw CLIError.usage("--leads must be between 1 and 1000000") }
        let path = ledger ?? NSTemporaryDirectory() + "alignment-demo-\(UUID().uuidString.prefix(8)).ledger"
        let l = try AlignmentLedger.playDemoQuarter(at: path, seed: seed, leads: leads, say: Say.line)
        try summary(l, path: path)
    }


    private func summary(_ l: AlignmentLedger, path: String) throws {
        func say(_ s: String) { Say.line(s) }
        let stats = try l.stats()
        var byStatus: [String: Int] = [:]
        for case .lead(let lead) in try l.states(kind: "lead") { byStatus[lead.status.rawValue, default: 0] += 1 }
        say("\n== What the ledger knows ==")
        say("events \(stats.events), streams \(stats.streams), checkpoint \(stats.head)")
        say("leads: " + byStatus.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        say("")
        ScorecardCommand.print(try l.scorecard(period: .month, since: nil, until: nil, byActor: false))
        let asOf = DomainTime.parse("2026-05-01T00:00:00Z")!
        let a = try l.whoApproved("mql", at: asOf)
        say("\nWho approved the lead definition in force on 1 May? (`align audit who-approved mql --at 2026-05-01`)")
        if let v = a.version {
            say("  mql v\(v) \"\(a.title ?? "")\", active from \(a.activeFrom.map(Say.date) ?? "?") (event #\(a.activationPosition ?? 0))")
            for s in a.signOffs { say("  signed off by \(s.actor) at \(Say.date(s.at)) (event #\(s.position))") }
        }
        let overrides = try l.auditOverrides().overrides
        say("Overrides on record: " + overrides.map { "#\($0.position) \($0.type) by \($0.actor) (\($0.reason))" }.joined(separator: "; "))
        let report = try l.verify(checkpoint: nil)
        say("\nverify: \(report.isSound ? "sound" : "NOT SOUND"), \(report.events) events; head \(report.head)")
        say("\nExplore it:")
        say("  export ALIGN_LEDGER=\(path)")
        say("  align scorecard --period week      align audit definition mql      align audit overrides")
        say("  align state --at 2026-05-01        align lead list --status rejected   align log --limit 20")
        say("  align export --format csv --output events.csv   # for pandas or DuckDB (see tools/)")
        say("  align lead accept L-10000 --as sam              # try a rule: it is already decided")
    }
}
