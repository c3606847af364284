import AlignmentLedger
import ArgumentParser
import Foundation

struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign a command with your key, to post to `align serve`.", discussion: """
        Reads a command as an `align apply` line (or a JSON Lines file of them,
        each signed in turn, one per output line) and completes it with who
        acts (--as), when (now, unless the line has "at") and a fresh nonce
        (unless it has "key"). Signs it for the ledger with your key from the
        key directory, and prints the signed command that POST
        /api/v1/commands takes. The ledger's id comes from --ledger-id (GET
        /api/v1/ledger tells it), or from the ledger at --ledger.

        With --challenge instead of a file, signs the server's sign-in challenge
        (POST /api/v1/session/challenge) and prints what POST /api/v1/session
        takes: the server then opens a session for you.

        Examples:
          align sign line.json --as sam --ledger-id 0d1abef3-ef43-4b46-...
          align sign line.json --as sam > signed.json
          curl -H 'Content-Type: application/json' --data-binary @signed.json \\
            -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/v1/commands
          align sign --challenge Xq3v... --as sam > sign-in.json
        """)

    @OptionGroup var global: PlainOptions
    @Option(name: .customLong("ledger-id"), help: ArgumentHelp("The ledger's id (a UUID), when the ledger is elsewhere.", valueName: "UUID"))
    var ledgerID: String?
    // Parsed unconditionally: a base64url challenge may begin with '-' (one in 64 do), and must not read as an option.
    @Option(parsing: .unconditional, help: ArgumentHelp("Sign this sign-in challenge (base64url) instead of a command.", valueName: "CHALLENGE"))
    var challenge: String?
    @Argument(help: "A file holding the command line (JSON), or - for standard input.") var file: String?

    func validate() throws {
        if (file == nil) == (challenge == nil) { throw ValidationError("give a command file (or -), or --challenge, not both") }
        if let ledgerID, UUID(uuidString: ledgerID) == nil { throw ValidationError("--ledger-id: \(ledgerID.debugDescription) is not a UUID") }
    }

    func run() throws {
        let actor = try global.actorID()
        guard let key = try global.signer(actor) else {
            throw CLIError.usage("there is no key for '\(actor)' at hand; run `align key generate --as \(actor)` and ask revops to register it")
        }
        let id = try ledgerID.flatMap(UUID.init(uuidString:)) ?? global.openLog().ledgerID
        if let challenge {
            guard let bytes = Base64URL.decode(challenge), bytes.count == SignIn.challengeBytes else {
                throw CLIError.usage("--challenge: not a challenge of this server (32 bytes in base64url)")
            }
            return Printer.out.write(try SignIn.sign(challenge: bytes, ledgerID: id, with: key).json() + [10])
        }
        guard let file else { throw CLIError.usage("give a command file (or -), or --challenge") }
        let input = try readInput(file)
        func sign(_ bytes: [UInt8]) throws -> [UInt8] {
            let line = try SignedCommand.prepare(line: bytes, actor: actor, at: Date(), nonce: UUID().uuidString.lowercased())
            return try SignedCommand.sign(line: line, ledgerID: id, with: key).json() + [10]
        }
        // One command (its JSON may span lines), else JSON Lines: one signed command printed per line, in order.
        if let one = try? sign(input) { return Printer.out.write(one) }
        let lines = input.split(separator: 10, omittingEmptySubsequences: false).enumerated().filter { _, l in
            let text = l.drop { $0 == 32 || $0 == 9 || $0 == 13 }
            return !text.isEmpty && text.first != UInt8(ascii: "#")
        }
        guard lines.count > 1 else { return Printer.out.write(try sign(input)) }  // the one command's own error
        // Every line signed before anything is printed: a bad line leaves no half of the file signed.
        var out: [UInt8] = []
        for (n, l) in lines {
            do { out += try sign(Array(l)) } catch { throw CLIError.usage("line \(n + 1): \(error)") }
        }
        Printer.out.write(out)
    }
}
