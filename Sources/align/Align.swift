import AlignmentLedger
import ArgumentParser
import Foundation

@main
struct Align: AsyncParsableCommand {
    /// Runs the tool with the documented exit codes (usage errors exit 2, not swift-argument-parser's 64); output
    /// errors exit 3, except a closed pipe (`align log | head -1`), which ends quietly.
    static func main() async {
        signal(SIGPIPE, SIG_IGN)
        let json = CommandLine.arguments.contains("--json")
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            if exitCode(for: error) == .validationFailure {
                Say.note(fullMessage(for: error) + "\n")
                Foundation.exit(2)
            }
            if exitCode(for: error) == .success {  // --help, --version: through the one writer, so errors show
                Say.line(fullMessage(for: error))
                Foundation.exit(flushed(0))
            }
            exit(withError: error)
        }
        var code: Int32 = 0
        do {
            if var c = command as? AsyncParsableCommand { try await c.run() } else { try command.run() }
        } catch let e as OutputError {
            Foundation.exit(Failure.output(e))  // reported once; what is still buffered cannot be written either
        } catch let e as ExitCode {
            code = e.rawValue
        } catch {
            // Help and argument parser's other answers exit as it says; any other error is reported (storage: 3).
            let parserAnswer = exitCode(for: error) == .success || exitCode(for: error) == .validationFailure
            if parserAnswer && !(error is CLIError) && !LedgerFailure.isLedgerError(error) {
                guard exitCode(for: error) == .success else { exit(withError: error) }
                Say.line(fullMessage(for: error))  // help: through the one writer, so an output error shows
                Foundation.exit(flushed(0))
            }
            code = Failure.report(error, json: json)
        }
        Foundation.exit(flushed(code))
    }

    /// `code` once standard output is flushed, or the exit code of the output error that flushing met.
    static func flushed(_ code: Int32) -> Int32 {
        do { try Printer.out.flush() } catch let e as OutputError { return Failure.output(e) } catch { return 3 }
        return code
    }

    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract: "The alignment ledger: a tamper-evident record of what marketing and sales agreed, and when.",
        discussion: """
        Every action between marketing and sales is checked against the rules and appended to a hash-chained
        event log. Exit codes: 0 done; 1 refused by a rule or not found; 2 usage; 3 storage, output or
        verification failure.

        Examples:
          align demo
          align init --admin rita --name "Rita Revops"
          ALIGN_ACTOR=sam align definition sign-off mql 3 --comment "fits our ICP"
          align log --limit 20
          align verify --checkpoint 42:9f86d0...
        """,
        version: BuildInfo.description,
        subcommands: [
            Demo.self, Init.self, ActorCommand.self, PolicyCommand.self, DefinitionCommand.self, CampaignCommand.self,
            LeadCommand.self, ContentCommand.self, Apply.self, AuditCommand.self, StateCommand.self, ScorecardCommand.self,
            Export.self, Replay.self, Projections.self, Log.self, Verify.self, Stats.self,
        ]
    )
}
