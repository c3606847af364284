import AlignServer
import AlignmentLedger
import ArgumentParser
import Foundation

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the ledger over HTTP: web pages and a JSON API of signed commands and reads.", discussion: """
        One process owns the ledger and serves it on --listen (loopback by
        default; put a TLS reverse proxy in front of it to serve a team). The
        server holds nobody's key: people sign in by signing its challenge
        (`align sign --challenge`), every command is signed by its actor
        (`align sign`) and posted to /api/v1/commands; reads answer as
        `align ... --json` does. The CLI keeps working beside it. SIGTERM or
        Ctrl-C stops it gracefully: requests in flight finish.
        docs/API.md ("HTTP API") lists the routes. The web pages start at
        /sign-in and /enrol (the browser makes and keeps its own key and
        signs every command itself); docs/WEB.md describes them.

        Examples:
          align serve --ledger ./acme.ledger
          align serve --listen 127.0.0.1:0     # a free port, told on stderr
        """)

    @Option(name: .long, help: ArgumentHelp("The ledger directory (env ALIGN_LEDGER).", valueName: "PATH"))
    var ledger: String?

    @Option(name: .long, help: ArgumentHelp("Where to listen, HOST:PORT (port 0: a free one).", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:8080"

    @Option(name: .customLong("max-body"), help: ArgumentHelp("The largest request body taken, in bytes.", valueName: "BYTES"))
    var maxBody = 64 * 1024

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Close a connection idle this long, in seconds.", valueName: "SECONDS"))
    var idleTimeout = 30

    func validate() throws {
        if idleTimeout < 1 || idleTimeout > 3600 { throw ValidationError("--idle-timeout: between 1 and 3600 seconds") }
        if AlignServer.parseListen(listen) == nil { throw ValidationError("--listen: \(listen.debugDescription) is not HOST:PORT, e.g. 127.0.0.1:8080") }
        if maxBody < 1024 || maxBody > 16 * 1024 * 1024 { throw ValidationError("--max-body: between 1024 and 16777216 bytes") }
    }

    func run() async throws {
        guard let (host, port) = AlignServer.parseListen(listen) else { throw CLIError.usage("--listen is not HOST:PORT") }
        let path = ledger ?? ProcessInfo.processInfo.environment["ALIGN_LEDGER"] ?? "./alignment.ledger"
        try await AlignServer.serve(ledgerPath: path, host: host, port: port, limits: .init(maxBodyBytes: maxBody, idleSeconds: idleTimeout)) { bound in
            Say.note("align serve: listening on http://\(host.contains(":") ? "[\(host)]" : host):\(bound) for the ledger \(path); SIGTERM or Ctrl-C stops it\n")
        }
    }
}
