import AlignmentDomain
import AlignmentLedger
import Foundation
import JSONCore

#if canImport(Glibc)
import Glibc
#endif

/// `align-bench serve-load --url http://127.0.0.1:PORT --keys DIR [--clients 64] [--seconds 20] [--tag T]`: the load
/// generator of issue 14's figures. Each client is one actor of the ledger (`c0` ... `c63`, marketing, keys in DIR as
/// `align key generate` writes them) on its own thread and keep-alive connection: it signs in (challenge signed with
/// its own key), then, until the time is up, signs a handoff of a lead of its own (`L-T-c7-123`: distinct streams, so
/// no two clients conflict) with the service's `SignedCommand` bytes and posts it to `POST /api/v1/commands`.
/// Commands/s answered 201, latency p50/p99 of those (sorted, no histogram), errors, and events per command from the
/// server's `/metrics` before and after. One line of figures to standard output, details to standard error.
enum ServeLoad {
    struct Options {
        var host = "127.0.0.1", port: UInt16 = 8080
        var keys = ""
        var clients = 64, seconds = 20.0
        var tag = "r"
        var definition = "mql"
    }

    static func parse(_ args: [String]) throws -> Options {
        var o = Options()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw LoadError.usage("\(args[i - 1]) needs a value") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--url":
                let url = try value()
                let rest = url.hasPrefix("http://") ? String(url.dropFirst(7)) : url
                let hostPort = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? rest
                let parts = hostPort.split(separator: ":")
                guard parts.count == 2, let port = UInt16(parts[1]) else { throw LoadError.usage("--url: http://HOST:PORT, HOST an IPv4 address") }
                o.host = String(parts[0]); o.port = port
            case "--keys": o.keys = try value()
            case "--clients": guard let n = Int(try value()), n > 0 else { throw LoadError.usage("--clients: a positive number") }; o.clients = n
            case "--seconds": guard let s = Double(try value()), s > 0 else { throw LoadError.usage("--seconds: a positive number") }; o.seconds = s
            case "--tag": o.tag = try value()
            case "--definition": o.definition = try value()
            default: throw LoadError.usage("unknown argument \(args[i])")
            }
            i += 1
        }
        guard !o.keys.isEmpty else { throw LoadError.usage("--keys DIR: the clients' key directory") }
        return o
    }

    struct Figures {
        var ok = 0, errors = 0
        var seconds = 0.0
        var latenciesNanos: [UInt64] = []
        var firstError: String?
        var commandsPerSecond: Double { Double(ok) / seconds }
        func percentile(_ p: Double) -> Double {
            guard !latenciesNanos.isEmpty else { return 0 }
            let i = min(latenciesNanos.count - 1, Int((Double(latenciesNanos.count) * p).rounded(.up)) - 1)
            return Double(latenciesNanos[max(0, i)]) / 1e6
        }
    }

    static func run(_ o: Options) throws -> (Figures, eventsPerCommand: Double) {
        let probe = try HTTPConnection(host: o.host, port: o.port)
        let ledger = try probe.request("GET", "/api/v1/ledger")
        guard ledger.status == 200, case .object(let l) = try JSONValue.parse(ledger.body), case .string(let idText)? = l["ledgerId"],
              let ledgerID = UUID(uuidString: idText) else { throw LoadError.server("GET /api/v1/ledger: \(ledger.status)") }
        let before = try metrics(probe)
        let store = KeyStore(directory: o.keys)
        let keys = try (0..<o.clients).map { try store.load("c\($0)") }

        let results = Collected()
        let ready = DispatchGroup(), done = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
        for (n, key) in keys.enumerated() {
            ready.enter(); done.enter()
            let client = Client(n: n, key: key, ledgerID: ledgerID, options: o)
            let thread = Thread {
                client.run(ready: ready, go: go, results: results)
                done.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        ready.wait()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<o.clients { go.signal() }
        done.wait()
        var f = results.figures
        f.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        f.latenciesNanos.sort()
        let after = try metrics(probe)
        let commits = after.commits - before.commits, events = after.events - before.events
        return (f, commits > 0 ? events / commits : 0)
    }

    /// `align_commits_total` and `align_events_per_commit_sum` of the server's /metrics.
    static func metrics(_ c: HTTPConnection) throws -> (commits: Double, events: Double) {
        let r = try c.request("GET", "/metrics")
        guard r.status == 200 else { throw LoadError.server("GET /metrics: \(r.status)") }
        var commits = 0.0, events = 0.0
        for line in String(decoding: r.body, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let v = Double(parts[1]) else { continue }
            let name = parts[0].split(separator: "{").first.map(String.init) ?? ""
            if name == "align_commits_total" { commits += v }
            if name == "align_events_per_commit_sum" { events += v }
        }
        return (commits, events)
    }

    /// What the clients found, merged under a lock.
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var f = Figures()
        func add(ok: Int, errors: Int, latencies: [UInt64], firstError: String?) {
            lock.lock(); defer { lock.unlock() }
            f.ok += ok; f.errors += errors; f.latenciesNanos += latencies
            if f.firstError == nil { f.firstError = firstError }
        }
        var figures: Figures { lock.lock(); defer { lock.unlock() }; return f }
    }

    /// One actor: its key, its connection, its own leads.
    final class Client: @unchecked Sendable {  // used by its own thread only
        let n: Int, key: ActorKey, ledgerID: UUID, o: Options
        init(n: Int, key: ActorKey, ledgerID: UUID, options: Options) { (self.n, self.key, self.ledgerID, self.o) = (n, key, ledgerID, options) }

        func run(ready: DispatchGroup, go: DispatchSemaphore, results: Collected) {
            var ok = 0, errors = 0, latencies: [UInt64] = [], firstError: String?
            latencies.reserveCapacity(Int(o.seconds) * 400)
            var connection: HTTPConnection?
            var token = ""
            do {
                let c = try HTTPConnection(host: o.host, port: o.port)
                token = try signIn(c)
                connection = c
            } catch {
                firstError = "c\(n) sign-in: \(error)"
            }
            ready.leave()
            go.wait()
            guard let c = connection else { return results.add(ok: 0, errors: 1, latencies: [], firstError: firstError) }
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(o.seconds * 1e9)
            let headers = [("Authorization", "Bearer " + token), ("Content-Type", "application/json")]
            var i = 0
            while DispatchTime.now().uptimeNanoseconds < deadline {
                i += 1
                let start = DispatchTime.now().uptimeNanoseconds
                do {
                    let body = try command(i)
                    let r = try c.request("POST", "/api/v1/commands", headers: headers, body: body)
                    let end = DispatchTime.now().uptimeNanoseconds
                    if r.status == 201 {
                        ok += 1
                        latencies.append(end - start)
                    } else {
                        errors += 1
                        if firstError == nil { firstError = "c\(n): \(r.status) \(String(decoding: r.body, as: UTF8.self))" }
                    }
                } catch {
                    errors += 1
                    if firstError == nil { firstError = "c\(n): \(error)" }
                    break  // the connection is gone
                }
            }
            results.add(ok: ok, errors: errors, latencies: latencies, firstError: firstError)
        }

        /// Signs in: a challenge, signed with the client's own key; the session's bearer token.
        func signIn(_ c: HTTPConnection) throws -> String {
            let ch = try c.request("POST", "/api/v1/session/challenge", headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
            guard ch.status == 200 || ch.status == 201, case .object(let o) = try JSONValue.parse(ch.body), case .string(let text)? = o["challenge"],
                  let challenge = Base64URL.decode(text) else { throw LoadError.server("challenge: \(ch.status) \(String(decoding: ch.body, as: UTF8.self))") }
            let body = try SignIn.sign(challenge: challenge, ledgerID: ledgerID, with: key).json()
            let s = try c.request("POST", "/api/v1/session", headers: [("Content-Type", "application/json")], body: body)
            guard s.status == 201, case .object(let so) = try JSONValue.parse(s.body), case .string(let token)? = so["token"] else {
                throw LoadError.server("session: \(s.status) \(String(decoding: s.body, as: UTF8.self))")
            }
            return token
        }

        /// The i-th handoff of this client, signed client-side: the envelope POST /api/v1/commands takes.
        func command(_ i: Int) throws -> [UInt8] {
            try ServeLoad.signedHandoff(actor: "c\(n)", lead: "L-\(o.tag)-c\(n)-\(i)", definition: o.definition, key: key, ledgerID: ledgerID).json()
        }
    }

    /// A fresh nonce: 128 random bits from `getrandom` (`UUID()` opened and read /dev/urandom per call: a syscall trio
    /// per command charged to the generator, which shares the server's cores).
    static func nonce() -> String {
        var g = SystemRandomNumberGenerator()
        return String(g.next(), radix: 16) + String(g.next(), radix: 16)
    }

    /// A handoff of `lead` by `actor`, now, with a fresh nonce, signed with `key` for the ledger `ledgerID`.
    static func signedHandoff(actor: String, lead: String, definition: String, key: EventSigner, ledgerID: UUID) throws -> SignedCommand {
        let now = DomainTime.format(Date())
        let line = #"{"args":{"definition":"\#(definition)","id":"\#(lead)","profile":{"company":"Co \#(lead)","employees":"300"},"signal":[{"at":"\#(now)","name":"webinar.attended"}]},"as":"\#(actor)","at":"\#(now)","command":"lead.handoff","key":"\#(nonce())"}"#
        return try SignedCommand.sign(line: Array(line.utf8), ledgerID: ledgerID, with: key)
    }
}

enum LoadError: Error, CustomStringConvertible {
    case usage(String), io(String), server(String)
    var description: String {
        switch self {
        case .usage(let s): "usage: \(s)"
        case .io(let s): "i/o: \(s)"
        case .server(let s): "server: \(s)"
        }
    }
}

/// A blocking HTTP/1.1 keep-alive connection over a POSIX socket: enough for JSON requests and answers that carry a
/// Content-Length (all of `align serve`'s but the streams).
final class HTTPConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let host: String

    init(host: String, port: UInt16) throws {
        self.host = host
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw LoadError.io("socket: errno \(errno)") }
        var one: Int32 = 1
        _ = setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            close(s)
            throw LoadError.usage("\(host) is not an IPv4 address")
        }
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else {
            close(s)
            throw LoadError.io("connect \(host):\(port): errno \(errno)")
        }
        fd = s
    }

    deinit { close(fd) }

    func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> (status: Int, body: [UInt8]) {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Length: \(body.count)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "\r\n"
        try write(Array(head.utf8) + body)
        return try readResponse()
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { p in
                send(fd, p.baseAddress.map { $0 + sent }, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw LoadError.io("send: errno \(errno)")
            }
            sent += n
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw LoadError.io("recv: errno \(errno)") }
            if n == 0 { throw LoadError.io("the server closed the connection") }
            buffer += chunk[0..<n]
            return
        }
    }

    private func readResponse() throws -> (status: Int, body: [UInt8]) {
        var end: Int?
        var from = 0
        while end == nil {
            if buffer.count >= 4 {
                for i in max(0, from - 3)...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                    end = i
                    break
                }
            }
            if end == nil {
                from = buffer.count
                try fill()
            }
        }
        guard let headEnd = end else { throw LoadError.io("no header") }
        let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.split(separator: " ").count >= 2,
              let status = Int(statusLine.split(separator: " ")[1]) else { throw LoadError.io("bad status line") }
        var length: Int?
        for l in lines.dropFirst() {
            let kv = l.split(separator: ":", maxSplits: 1)
            if kv.count == 2, kv[0].lowercased() == "content-length" { length = Int(kv[1].trimmingCharacters(in: .whitespaces)) }
        }
        guard let length else { throw LoadError.io("an answer without Content-Length (\(status))") }
        let bodyStart = headEnd + 4
        while buffer.count < bodyStart + length { try fill() }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return (status, body)
    }
}
