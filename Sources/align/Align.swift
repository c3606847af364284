import AlignmentDomain
import AlignmentLedger
import ArgumentParser
import EventLog
import Foundation

@main
struct Align: ParsableCommand {
    /// Runs the tool with the documented exit codes: usage errors exit 2 (swift-argument-parser's default is 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract: "The alignment ledger: a tamper-evident record of what marketing and sales agreed, and when.",
        discussion: """
        Every action between marketing and sales is checked against the rules and appended to a hash-chained
        event log. Exit codes: 0 done; 1 refused by a rule or not found; 2 usage; 3 storage or verification failure.

        Examples:
          align demo
          align init --admin rita --name "Rita Revops"
          ALIGN_ACTOR=sam align definition sign-off mql 3 --comment "fits our ICP"
          align log --limit 20
          align verify --checkpoint 42:9f86d0...
        """,
        subcommands: [
            Demo.self, Init.self, ActorCommand.self, PolicyCommand.self, DefinitionCommand.self, CampaignCommand.self,
            LeadCommand.self, ContentCommand.self, Apply.self, AuditCommand.self, StateCommand.self, ScorecardCommand.self,
            Export.self, Replay.self, Projections.self, Log.self, Verify.self, Stats.self,
        ]
    )
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ledger directory (env ALIGN_LEDGER).", valueName: "PATH"))
    var ledger: String?

    @Option(name: .customLong("as"), help: ArgumentHelp("Who is acting (env ALIGN_ACTOR).", valueName: "ACTOR"))
    var actor: String?

    @Option(name: .long, help: ArgumentHelp("Business time of the action, ISO 8601 (default: now).", valueName: "TIME"))
    var at: String?

    @Flag(name: .long, help: "Machine-readable output: one JSON object (log: one per line).")
    var json = false

    var ledgerPath: String {
        ledger ?? ProcessInfo.processInfo.environment["ALIGN_LEDGER"] ?? "./alignment.ledger"
    }

    func actorID() throws -> String {
        guard let a = actor ?? ProcessInfo.processInfo.environment["ALIGN_ACTOR"], !a.isEmpty else {
            throw CLIError.usage("say who is acting with --as ACTOR or the ALIGN_ACTOR environment variable")
        }
        return a
    }

    func businessTime() throws -> Date? {
        guard let at else { return nil }
        guard let d = DomainTime.parse(at) else { throw CLIError.usage("--at \(at.debugDescription) is not an ISO 8601 time such as 2026-03-01T09:00:00Z") }
        return d
    }

    func open() throws -> AlignmentLedger {
        try AlignmentLedger.open(at: ledgerPath)
    }
}

enum CLIError: Error, CustomStringConvertible {
    case usage(String)
    case verification(String)
    case notFound(String)

    var description: String {
        switch self {
        case .usage(let m), .verification(let m), .notFound(let m): m
        }
    }
}

/// Maps any error to a message on stderr and the documented exit code.
func fail(_ error: Error, json: Bool) -> ExitCode {
    let (code, kind, message): (Int32, String, String)
    switch error {
    case let e as DomainError:
        switch e {
        case .refused: (code, kind, message) = (1, "refused", e.description)
        case .notFound: (code, kind, message) = (1, "not-found", e.description)
        case .invalid: (code, kind, message) = (2, "usage", e.description)
        }
    case let e as ApplyError:
        (code, kind, message) = (e.onlyMalformed ? 2 : 1, e.onlyMalformed ? "usage" : "refused", e.description)
    case let e as CLIError:
        switch e {
        case .usage(let m): (code, kind, message) = (2, "usage", m)
        case .verification(let m): (code, kind, message) = (3, "verification", m)
        case .notFound(let m): (code, kind, message) = (1, "not-found", m)
        }
    case let e as EventLogError:
        switch e {
        case .invalidInput: (code, kind, message) = (2, "usage", e.description)
        case .wrongExpectedVersion, .idConflict, .partialDuplicate, .alreadyExists: (code, kind, message) = (1, "refused", e.description)
        case .notALedger: (code, kind, message) = (1, "not-found", e.description)
        default: (code, kind, message) = (3, "storage", e.description)
        }
    default:
        (code, kind, message) = (3, "storage", "\(error)")
    }
    if json {
        var o: [String: Any] = ["ok": false, "error": kind, "message": message, "exitCode": Int(code)]
        if let e = error as? DomainError, let rule = e.rule { o["rule"] = rule }
        if let e = error as? ApplyError { o["problems"] = e.problems.map { ["line": $0.line, "error": $0.error] } }
        Output.json(o, to: FileHandle.standardError)
    } else {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }
    return ExitCode(code)
}

/// Runs `body`, turning thrown errors into messages and exit codes.
func run(_ g: GlobalOptions, _ body: () throws -> Void) throws {
    do { try body() } catch let e as ExitCode { throw e } catch { throw fail(error, json: g.json) }
}
