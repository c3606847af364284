import AlignmentLedger
import Foundation
import Hummingbird
import Logging

/// `align serve`: one process owns a ledger and serves it over HTTP (Hummingbird 2), through the service's one door.
///
/// The server holds nobody's key: every state-changing request is a `SignedCommand` its actor signed (docs/API.md,
/// "HTTP API"). Reads answer with the same JSON as `align ... --json`.
public enum AlignServer {
    /// What the server accepts.
    public struct Limits: Sendable {
        /// The largest request body read, in bytes (a larger one is refused with 413, unread).
        public var maxBodyBytes: Int
        /// A connection that sends and receives nothing for this many seconds is closed, so that clients that stall
        /// (or never finish a request) do not hold connections forever.
        public var idleSeconds: Int

        /// How long a session lasts after sign-in.
        public var sessionSeconds: Int

        public init(maxBodyBytes: Int = 64 * 1024, idleSeconds: Int = 30, sessionSeconds: Int = 8 * 3600) {
            self.maxBodyBytes = maxBodyBytes
            self.idleSeconds = idleSeconds
            self.sessionSeconds = sessionSeconds
        }
    }

    /// The router of the JSON API and the web pages over `ledger`, with request logs (`logRequests`) at `info`.
    public static func router(ledger: AlignmentLedger, limits: Limits = Limits(), logRequests: Bool = true) -> Router<BasicRequestContext> {
        let router = Router()
        let metrics = ServerMetrics()
        router.add(middleware: RequestLog(logRequests: logRequests, metrics: metrics))
        let sessions = Sessions(sessionSeconds: TimeInterval(limits.sessionSeconds))
        LedgerRoutes(ledger: ledger, limits: limits, sessions: sessions, metrics: metrics).add(to: router)
        // The web pages (docs/WEB.md), with the same sessions.
        WebRoutes(ledger: ledger, sessions: sessions).add(to: router)
        return router
    }

    /// The application serving `ledger` on `host:port`; `onRunning` is told the port it listens on (useful with port 0).
    public static func application(ledger: AlignmentLedger, host: String, port: Int, limits: Limits = Limits(), logger: Logger,
                                   onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router(ledger: ledger, limits: limits),
                    server: .http1(configuration: .init(idleTimeout: .seconds(Int64(limits.idleSeconds)))),
                    configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "align"),
                    onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                    logger: logger)
    }

    /// Opens the ledger at `ledgerPath` and serves it until SIGTERM or SIGINT, then shuts down gracefully: the server
    /// stops accepting connections and lets requests in flight (a command being appended among them) finish.
    public static func serve(ledgerPath: String, host: String, port: Int, limits: Limits = Limits(), logger: Logger = Logger(label: "align.serve"),
                             onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let ledger = try AlignmentLedger.open(at: ledgerPath)
        // Brings the kept read models up to date before the first request, off the event loops.
        _ = try await Blocking.run { try ledger.ledgerState() }
        let app = application(ledger: ledger, host: host, port: port, limits: limits, logger: logger, onRunning: onRunning)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// Splits `HOST:PORT` (`127.0.0.1:8080`, `[::1]:8080`, `localhost:0`); nil when it is not one.
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }
}

/// Runs the service's synchronous calls off the event loops and off Swift's cooperative pool: a command's LMDB write
/// transaction blocks its thread (on the writer's lock and on fsync) and must never suspend, so it runs start to end
/// on a thread of this queue while the request's task waits without holding a thread.
enum Blocking {
    private static let queue = DispatchQueue(label: "align.serve.ledger", qos: .userInitiated, attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
            queue.async { c.resume(with: Result { try body() }) }
        }
    }
}
