import AlignmentLedger
import ArgumentParser
import Foundation

struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign a command with your key, to post to `align serve`.", discussion: """
        Reads one command as an `align apply` line and completes it with who
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
        let line = try SignedCommand.prepare(line: try readInput(file), actor: actor, at: Date(), nonce: UUID().uuidString.lowercased())
        let signed = try SignedCommand.sign(line: line, ledgerID: id, with: key)
        Printer.out.write(try signed.json() + [10])
    }
}
