import AlignmentLedger
import Foundation
import Hummingbird
import ServiceLifecycle

/// `GET /api/v1/events`: the live tail as server-sent events (`text/event-stream`, read by `EventSource` or by `fetch`,
/// which sends the session like any request). Each event of the log is one message: `id:` its position (a client that
/// reconnects sends it back as `Last-Event-ID` and resumes after it), `event:` its type, `data:` its envelope as
/// `align log --json` prints it. A comment line every `heartbeat` keeps the connection from looking idle (to this
/// server's idle timeout and to proxies). The stream ends when the client goes, after `limit` events when asked, when
/// the server shuts down gracefully, or when the session that opened it ends (sign-out, expiry, the key revoked or the
/// actor deactivated: checked before each message, so at the latest one heartbeat later, and before any event is sent
/// to a reader who may no longer read).
enum EventStream {
    /// The messages of the log from position `from` on, then live, with a heartbeat comment while nothing happens;
    /// `isEvent` tells events from heartbeats. A slow reader slows the producer down (bounded buffer) rather than have
    /// the whole log held in memory for it.
    static func messages(_ ledger: AlignmentLedger, from: UInt64, heartbeat: Duration)
        -> AsyncThrowingStream<(bytes: [UInt8], isEvent: Bool), Error>
    {
        AsyncThrowingStream(bufferingPolicy: .bufferingOldest(256)) { continuation in
            @Sendable func send(_ m: (bytes: [UInt8], isEvent: Bool)) async throws {
                while case .dropped = continuation.yield(m) { try await Task.sleep(for: .milliseconds(5)) }
            }
            let task = Task {
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { for try await e in ledger.follow(from: from) { try await send((try message(e), true)) } }
                        group.addTask {
                            while true {
                                try await Task.sleep(for: heartbeat)
                                try await send((Array(": keep-alive\n\n".utf8), false))
                            }
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error is CancellationError ? nil : error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// One event as a server-sent message. The envelope is canonical JSON, one line (its strings escape newlines).
    static func message(_ e: RecordedEvent) throws -> [UInt8] {
        Array("id: \(e.position)\nevent: \(e.type)\ndata: ".utf8) + (try LedgerJSON.encode(EventEnvelope(e))) + Array("\n\n".utf8)
    }

    /// The response body: the messages until the client goes, `limit` events were sent, the server shuts down, or
    /// `signedIn` says the reader's session has ended.
    static func body(_ ledger: AlignmentLedger, from: UInt64, limit: Int?, heartbeat: Duration,
                     signedIn: @escaping @Sendable () async -> Bool) -> ResponseBody {
        ResponseBody { writer in
            var sent = 0
            if limit != 0 {
                for try await m in messages(ledger, from: from, heartbeat: heartbeat).cancelOnGracefulShutdown() {
                    guard await signedIn() else {
                        try await writer.write(ByteBuffer(string: ": the session ended; sign in again\n\n"))
                        break
                    }
                    var buffer = ByteBuffer()
                    buffer.writeBytes(m.bytes)
                    try await writer.write(buffer)
                    if m.isEvent { sent += 1 }
                    if let limit, sent >= limit { break }
                }
            }
            try await writer.finish(nil)
        }
    }
}
