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
        } else if f.kind == .storage, f.message.hasPrefix("record at position") {
            f.message += ". Run `align verify` for a full report."
        }
        let code: Int32 = switch f.kind {
        case .usage: 2
        case .refused, .notFound: 1
        case .storage: 3
        }
        if json {
            let response = ErrorResponse(error: f.kind.rawValue, exitCode: Int(code), message: f.message, ok: false, rule: f.rule,
                                         problems: f.problems.isEmpty ? nil : f.problems.map { .init(line: $0.line, error: $0.error) })
            if let bytes = try? LedgerJSON.encode(response) { Say.note(String(decoding: bytes, as: UTF8.self) + "\n") }
        } else {
            Say.note("error: \(f.message)\n")
        }
        return code
    }

    /// The exit code of an output error: a closed pipe ends quietly (0); others exit 3 with one line, saying so when
    /// the command's events were committed before.
    static func output(_ e: OutputError) -> Int32 {
        if e.isBrokenPipe { return 0 }
        Say.note("error: cannot write the output: \(e.message)\(Printer.out.committed.map { "; \($0)" } ?? "")\n")
        return 3
    }

    struct ErrorResponse: Encodable {
        struct Problem: Encodable { var line: Int; var error: String }
        var error: String
        var exitCode: Int
        var message: String
        var ok: Bool
        var rule: String?
        var problems: [Problem]?
    }
}
