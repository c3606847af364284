import AlignmentLedger
import ArgumentParser
import Foundation

/// A problem the command line finds itself: bad usage (exit 2).
enum CLIError: Error {
    case usage(String)
}

/// Input that could not be read (exit 3, as a storage failure).
struct InputError: Error, CustomStringConvertible {
    var description: String
}

/// The bytes of a file, or of standard input for `-`; a missing file is a usage error (2), a failed read exit 3.
func readInput(_ file: String) throws -> [UInt8] {
    guard let handle = file == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: file) else {
        throw CLIError.usage("cannot read '\(file)': no such file, or not readable")
    }
    do { return Array(try handle.readToEnd() ?? Data()) } catch {
        throw InputError(description: "cannot read '\(file)': \(error.localizedDescription)")
    }
}

/// Error messages and exit codes.
enum Failure {
    /// Prints `error` on standard error (one JSON object with --json) and answers its exit code.
    static func report(_ error: Error, json: Bool) -> Int32 {
        var f = LedgerFailure(error)
        if case CLIError.usage(let m) = error { f = LedgerFailure(DomainError.invalid(m)) }
        // The command line's hints, naming its options.
        if f.kind == .notFound, f.path != nil {
            f.message += ". Create one with `align init`, or point --ledger (ALIGN_LEDGER) at an existing ledger."
        } else if f.kind == .refused, f.path != nil {
            f.message += ". Choose another --ledger path to create a new one."
        } else if f.isDamage {
            // Damage is never served as an answer (exit 3): how to confirm it, and how to recover.
            f.message += ". Run `align verify` for a full report; if the log itself is damaged, restore the ledger from a backup (`align backup`)."
        }
        if json, let body = try? f.jsonResponse() { Say.note(String(decoding: body, as: UTF8.self) + "\n") }
        else { Say.note("error: \(Terminal.safeLines(f.message))\n") }  // messages quote what was typed
        return f.exitCode
    }

    /// The exit code of an output error: a closed pipe ends quietly (0); others exit 3 with one line, saying so when
    /// the command's events were committed before.
    static func output(_ e: OutputError) -> Int32 {
        if e.isBrokenPipe { return 0 }
        Say.note("error: cannot write the output: \(e.message)\(Printer.out.committed.map { "; \($0)" } ?? "")\n")
        return 3
    }
}
