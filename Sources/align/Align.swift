import AlignmentLedger
import ArgumentParser
import Foundation

@main
struct Align: AsyncParsableCommand {
    /// Runs the tool with the documented exit codes (usage errors exit 2, not swift-argument-parser's 64); output
    /// errors exit 3, except a closed pipe (`align log | head -1`), which ends quietly.
    static func main() async {
        signal(SIGPIPE, SIG_IGN)
        // A damaged ledger file must never kill the process: reads check what LMDB hands back, and this net turns a
        // fault inside LMDB itself into exit 3 with a message (see docs/FORMAT.md, "Damage").
        AlignmentLedger.installDamageNet()
        let json = CommandLine.arguments.contains("--json")
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { answer(error) }
        var code: Int32 = 0
        do {
            if var c = command as? AsyncParsableCommand { try await c.run() } else { try command.run() }
        } catch let e as OutputError {
            Foundation.exit(Failure.output(e))  // reported once; what is still buffered cannot be written either
        } catch let e as ExitCode {
            code = e.rawValue
        } catch {
            let parser = [ExitCode.success, .validationFailure].contains(exitCode(for: error))
            if parser && !(error is CLIError) && !LedgerFailure.isLedgerError(error) { answer(error) }
            code = Failure.report(error, json: json)  // any other error (an unknown one is a storage failure: 3)
        }
        Foundation.exit(flushed(code))
    }

    /// Argument parser's own answers: a usage error on standard error (exit 2); help and the version through the
    /// one writer, so that an output error shows (exit 3).
    static func answer(_ error: Error) -> Never {
        switch exitCode(for: error) {
        case .validationFailure: Say.note(Terminal.safeLines(fullMessage(for: error)) + "\n"); Foundation.exit(2)
        case .success: Say.line(fullMessage(for: error)); Foundation.exit(flushed(0))
        default: exit(withError: error)
        }
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
            Demo.self, Init.self, SigningKeyCommand.self, ActorCommand.self, PolicyCommand.self, DefinitionCommand.self, CampaignCommand.self,
            LeadCommand.self, ContentCommand.self, Apply.self, ImportCommand.self, AuditCommand.self, StateCommand.self, ScorecardCommand.self,
            Export.self, Replay.self, Projections.self, Log.self, Verify.self, CheckpointCommand.self, Prove.self, Stats.self, Backup.self,
            Serve.self, Sign.self,
        ]
    )
}
