import AlignmentLedger
import ArgumentParser
import Foundation

/// What `--at` means to a command: the business time of the action it records (`GlobalOptions`), the business time a
/// read answers as of (`ReadOptions`), or nothing (`PlainOptions`: `--at` is refused, exit 2, rather than ignored).
protocol AtMeaning {
    /// `--at`'s help (hidden where it has no meaning).
    static var help: ArgumentHelp { get }
    /// Why `--at` is refused, nil where it is taken.
    static var refusal: String? { get }
}

/// `--at` on a command that records an action: when the action happened.
enum ActionTime: AtMeaning {
    static let help = ArgumentHelp("Business time of the action, ISO 8601 in 1970-9999 (default: now; see policy --max-backdate).", valueName: "TIME")
    static let refusal: String? = nil
}

/// `--at` on a read: the ledger as it stood at that business time.
enum AsOfTime: AtMeaning {
    static let help = ArgumentHelp("Show the ledger as of this business time, ISO 8601 in 1970-9999 (default: now).", valueName: "TIME")
    static let refusal: String? = nil
}

/// No `--at`: the command reads or checks the log as it is, records nothing, or takes its own time options.
enum NoTime: AtMeaning {
    static let help = ArgumentHelp("Not taken by this command.", visibility: .hidden)
    static let refusal: String? = "--at has no meaning for this command (see its --help): reads that answer as of a business time take "
        + "--at (`align state --at TIME`, `lead show ID --at TIME`), and the scorecard, export, replay and `audit actor` take --until TIME"
}

/// Options of a command that records an action: `--at` is its business time.
typealias GlobalOptions = CommonOptions<ActionTime>
/// Options of a read that can answer as of a business time: `--at` is that time.
typealias ReadOptions = CommonOptions<AsOfTime>
/// Options of a command that `--at` means nothing to (it is refused).
typealias PlainOptions = CommonOptions<NoTime>

/// Options every command takes; `At` says what `--at` means to it.
struct CommonOptions<At: AtMeaning>: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ledger directory (env ALIGN_LEDGER).", valueName: "PATH"))
    var ledger: String?

    @Option(name: .customLong("as"), help: ArgumentHelp("Who is acting (env ALIGN_ACTOR).", valueName: "ACTOR"))
    var actor: String?

    @Option(name: .long, help: At.help)
    var at: String?

    @Flag(name: .long, help: "Machine-readable output: one JSON object (log: one per line).")
    var json = false

    func validate() throws {
        if at != nil, let refusal = At.refusal { throw ValidationError(refusal) }
        if let at, let problem = DomainTime.problem(at) { throw ValidationError("--at: \(problem)") }
    }

    var ledgerPath: String { ledger ?? ProcessInfo.processInfo.environment["ALIGN_LEDGER"] ?? "./alignment.ledger" }

    /// The acting user, from --as or ALIGN_ACTOR (nil when neither is given).
    var actorIfGiven: String? { actor ?? ProcessInfo.processInfo.environment["ALIGN_ACTOR"] }

    func actorID() throws -> String {
        guard let a = actorIfGiven, !a.isEmpty else {
            throw CLIError.usage("say who is acting with --as ACTOR or the ALIGN_ACTOR environment variable")
        }
        return a
    }

    /// The business time of --at (checked in `validate`).
    var businessTime: Date? { at.flatMap(DomainTime.parse) }

    /// The business time a read answers as of (--at), nil for now.
    var asOf: Date? { businessTime }

    /// The ledger (its read models are brought up to date by the first read or command that needs them). A ledger
    /// whose files cannot be written is opened read only: reads work, commands are refused (exit 3).
    func open() throws -> AlignmentLedger { noticed(try AlignmentLedger.open(at: ledgerPath, access: .readWriteIfPossible)) }

    /// The ledger's log only (for reading it whole: log, verify, stats, export).
    func openLog() throws -> AlignmentLedger { noticed(try AlignmentLedger.openLog(at: ledgerPath, access: .readWriteIfPossible)) }

    /// `ledger`, once its access notice (reading without the lock) is on standard error: said once per process.
    private func noticed(_ ledger: AlignmentLedger) -> AlignmentLedger {
        if let notice = ledger.accessNotice, AccessNotice.once.take() { Say.note("align: \(notice)\n") }
        return ledger
    }

    /// The acting user's key from the key directory, nil when there is none (a ledger that requires signatures then
    /// refuses, saying how to get one); a key file others may read, or a damaged one, is an error.
    func signer(_ actor: String) throws -> ActorKey? {
        do { return try KeyStore.fromEnvironment().load(actor) } catch KeyFileError.missing { return nil }
    }

    /// Runs `command` as the acting user, signed by their key, and prints what it recorded.
    func perform(_ command: Command) throws {
        let actor = try actorID()
        let outcome = try open().perform(command, as: actor, at: businessTime, signer: try signer(actor))
        if let first = outcome.recorded.first, let last = outcome.recorded.last {
            Printer.out.committed = "events #\(first.position)...#\(last.position) were committed (head \(outcome.head))"
        }
        if json {
            return try Say.json(LedgerResponse.Recorded(outcome))
        }
        Say.line(outcome.summary)
        for e in outcome.recorded { Say.line("  recorded " + AlignmentLedger.logLine(e)) }
    }
}

/// Whether the access notice is still to be said.
final class AccessNotice: @unchecked Sendable {
    // @unchecked: `due` is only touched under `lock`.
    static let once = AccessNotice()
    private let lock = NSLock()
    private var due = true
    /// True the first time only.
    func take() -> Bool { lock.withLock { defer { due = false }; return due } }
}

/// An ISO 8601 option value, checked when the options are parsed.
struct Time: ExpressibleByArgument {
    var date: Date
    init?(argument: String) {
        guard let d = DomainTime.parse(argument) else { return nil }
        date = d
    }
    static var defaultValueDescription: String { "an ISO 8601 time such as 2026-03-01T09:00:00Z" }
}

/// `--override --reason TEXT`: revops forces a refused command, saying why.
struct OverrideOptions: ParsableArguments {
    @Flag(help: "Force a refused command (revops; needs --reason).") var override = false
    @Option(help: "Why the rule is set aside.") var reason: String?

    func validate() throws {
        if override, (reason ?? "").allSatisfy(\.isWhitespace) { throw ValidationError("--override needs --reason TEXT saying why the rule is set aside") }
        if !override, reason != nil { throw ValidationError("--reason is only taken with --override") }
    }

    /// The override's reason, nil without an override.
    var given: String? { override ? reason : nil }
}
