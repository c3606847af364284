// `align serve` as a process: started on a free port, a command signed with `align sign` and posted, a read that
// answers what `--json` prints, the CLI working beside the server, and a graceful stop on SIGTERM.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// A running `align serve` on a free loopback port, stopped (SIGTERM) by `stop` or when released.
final class RunningServer: @unchecked Sendable {  // `port` is set once in init; Process may be signalled from any thread
    let process = Process()
    let errURL: URL
    private(set) var port = 0

    init(_ cli: CLI, _ extra: [String] = []) throws {
        process.executableURL = cli.binary
        process.arguments = ["serve", "--ledger", cli.ledger, "--listen", "127.0.0.1:0"] + extra
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ALIGN_") }
        environment["ALIGN_KEYS"] = cli.keys
        process.environment = environment
        errURL = cli.dir.appendingPathComponent("serve.err")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // It says where it listens once it does.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning {
            if let line = log.split(separator: "\n").first(where: { $0.hasPrefix("align serve: listening on http://127.0.0.1:") }),
               let port = Int(line.dropFirst("align serve: listening on http://127.0.0.1:".count).prefix { $0.isNumber }) {
                self.port = port
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw ServeError(description: "align serve did not start: \(log)")
    }

    deinit { if process.isRunning { process.terminate() } }

    var log: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

    /// Kills the process (SIGKILL: no shutdown at all) and waits for it to end.
    func killHard() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Signs in as `actor` (the challenge signed with `align sign --challenge`); the session token.
    func signIn(_ cli: CLI, as actor: String) async throws -> String {
        let challenge = try await request("/api/v1/session/challenge", method: "POST")
        let c = try #require((try? JSONSerialization.jsonObject(with: Data(challenge.body.utf8)) as? [String: Any])?["challenge"] as? String)
        let signIn = try cli.ok(["sign", "--challenge", c, "--as", actor])
        let session = try await request("/api/v1/session", method: "POST", body: Data(signIn.out.utf8))
        return try #require((try? JSONSerialization.jsonObject(with: Data(session.body.utf8)) as? [String: Any])?["token"] as? String, "\(session)")
    }

    /// Sends SIGTERM and waits for the process to end; its exit status.
    func stop() throws -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        guard !process.isRunning else { throw ServeError(description: "align serve did not stop on SIGTERM: \(log)") }
        return process.terminationStatus
    }

    /// `method path` with `body` as JSON, in the session of `token`; the status and the body.
    func request(_ path: String, method: String = "GET", body: Data? = nil, token: String? = nil,
                 headers: [String: String] = [:]) async throws -> (status: Int, body: String) {
        var r = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
        r.httpMethod = method
        if let token { r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        if let body {
            r.httpBody = body
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: r)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}

struct ServeError: Error, CustomStringConvertible { var description: String }

/// A raw TCP connection to the loopback port `port` (to play a client that stalls).
final class RawConnection {
    let fd: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ServeError(description: "socket: \(errno)") }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { close(fd); throw ServeError(description: "connect: \(errno)") }
    }

    deinit { close(fd) }

    func send(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }

    /// What the server sent within `seconds` ("" for nothing).
    func available(waiting seconds: Double) -> String {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(seconds * 1000)) == 1 else { return "" }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return n > 0 ? String(decoding: buffer.prefix(n), as: UTF8.self) : ""
    }

    /// Whether the server closed the connection within `seconds` (a read returns end of file); what it sends meanwhile
    /// is read and dropped.
    func closedByServer(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return false }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(left * 1000)) == 1 else { return false }
            if buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) <= 0 { return true }
        }
    }
}

@Suite("align serve as a process")
struct ServeTests {
    /// SIGKILL of the server while signed commands are in flight, 20 times: every command answered 201 is on disk,
    /// and the restarted server serves the head the ledger has.
    @Test func everyCommandAnswered201SurvivesASIGKILL() async throws {
        let cli = try CLI()
        try cli.people()
        let (rounds, perRound) = (20, 8)
        var lines: [String] = []
        for r in 0..<rounds {
            for i in 0..<perRound {
                lines.append(#"{"command": "content.request", "args": {"id": "R\#(r)x\#(i)", "what": "a case study", "stage": "decision"}}"#)
            }
        }
        // Sam signs them all ahead (one `align sign` for the JSON Lines file).
        let bodies = try cli.ok(["sign", try cli.write("requests.jsonl", lines.joined(separator: "\n") + "\n"), "--as", "sam"]).out
            .split(separator: "\n").map { Data($0.utf8) }
        try #require(bodies.count == rounds * perRound)
        var acknowledged: [String] = []
        for r in 0..<rounds {
            let server = try RunningServer(cli)
            let health = try await server.request("/healthz")
            let head = try cli.head()
            #expect(health.body.contains(head), "round \(r): the restarted server serves the head on disk \(head): \(health)")
            let token = try await server.signIn(cli, as: "sam")
            let batch = (0..<perRound).map { i in ("R\(r)x\(i)", bodies[r * perRound + i]) }
            let answered = await withTaskGroup(of: (String, Int)?.self) { group in
                for (id, body) in batch {
                    group.addTask { (id, (try? await server.request("/api/v1/commands", method: "POST", body: body, token: token))?.status ?? 0) }
                }
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 2...40)))
                    server.killHard()
                    return nil
                }
                var out: [(String, Int)] = []
                for await a in group { if let a { out.append(a) } }
                return out
            }
            acknowledged += answered.filter { $0.1 == 201 }.map(\.0)
        }
        let content = try cli.ok(["content", "list", "--json"]).json()["content"] as? [[String: Any]] ?? []
        let stored = Set(content.compactMap { $0["id"] as? String })
        print("SIGKILL test: \(rounds) kills; \(acknowledged.count) of \(rounds * perRound) commands answered 201, \(stored.count) on disk")
        for id in acknowledged { #expect(stored.contains(id), "\(id) was answered 201 and is not on disk") }
        #expect(!acknowledged.isEmpty, "some commands were answered before the kills")
        let verified = try cli.ok(["verify"])
        #expect(verified.out.hasPrefix("sound"), "\(verified)")
    }

    @Test func aChallengeThatBeginsWithADashIsSigned() throws {
        let cli = try CLI()
        try cli.people()
        // One challenge in 64 begins with '-' in base64url: it is the option's value, not another option.
        let o = try cli.ok(["sign", "--challenge", "-" + String(repeating: "A", count: 42), "--as", "sam"])
        #expect(o.out.contains("\"challenge\":\"-AAAA"), "\(o)")
    }

    @Test func aClientThatStallsIsDisconnectedAndOthersAreServed() async throws {
        let cli = try CLI()
        try cli.people()
        let server = try RunningServer(cli, ["--idle-timeout", "1"])
        let stalled = try RawConnection(port: server.port)
        stalled.send("POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        #expect(!stalled.closedByServer(within: 0.3), "not at once")
        #expect(stalled.closedByServer(within: 10), "a stalled request is dropped after the idle timeout")
        let health = try await server.request("/healthz")
        #expect(health.status == 200)
        #expect(try server.stop() == 0)
    }

    /// A client that sends its body a byte at a time is never idle: the body has the idle timeout to arrive whole.
    @Test func aBodyTrickledAByteAtATimeIsRefusedWith408() async throws {
        let cli = try CLI()
        try cli.people()
        let server = try RunningServer(cli, ["--idle-timeout", "2"])
        let slow = try RawConnection(port: server.port)
        slow.send("POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
        let started = Date()
        var answer = ""
        while answer.isEmpty, Date().timeIntervalSince(started) < 10 {
            slow.send("{")
            answer = slow.available(waiting: 0.5)
        }
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
        #expect(Date().timeIntervalSince(started) < 5, "within the idle timeout, not when the client stops")
        #expect(try await server.request("/healthz").status == 200)
        #expect(try server.stop() == 0)
    }

    @Test func aSignedCommandPostedToARunningServerAndAGracefulStop() async throws {
        let cli = try CLI()
        try cli.people()
        try cli.ok(["definition", "propose", "sql", "--title", "Sales-qualified", "--fit", "employees>=500", "--as", "maria"])
        let server = try RunningServer(cli)
        let health = try await server.request("/healthz")
        #expect(health.status == 200 && health.body.contains("\"ok\":true"), "\(health)")

        // Sam signs in: the server's challenge signed with his key file opens a session.
        #expect(try await server.request("/api/v1/definitions").status == 401)
        let challenge = try await server.request("/api/v1/session/challenge", method: "POST")
        let c = try #require((try? JSONSerialization.jsonObject(with: Data(challenge.body.utf8)) as? [String: Any])?["challenge"] as? String)
        let signIn = try cli.ok(["sign", "--challenge", c, "--as", "sam"])
        let session = try await server.request("/api/v1/session", method: "POST", body: Data(signIn.out.utf8))
        #expect(session.status == 201, "\(session)")
        let token = try #require((try? JSONSerialization.jsonObject(with: Data(session.body.utf8)) as? [String: Any])?["token"] as? String)

        // Sam signs his sign-off with his key file; the server checks and appends it.
        let line = try cli.write("line.json", #"{"command": "definition.sign-off", "args": {"id": "sql", "version": 1, "comment": "yes"}}"#)
        let signed = try cli.ok(["sign", line, "--as", "sam"])
        let posted = try await server.request("/api/v1/commands", method: "POST", body: Data(signed.out.utf8), token: token)
        #expect(posted.status == 201, "\(posted)")
        #expect(posted.body.contains("LeadDefinitionSignedOff"), "\(posted)")
        // Once only.
        let again = try await server.request("/api/v1/commands", method: "POST", body: Data(signed.out.utf8), token: token)
        #expect(again.status == 409 && again.body.contains("nonce-used-once"), "\(again)")

        // The read answers exactly what the command line prints with --json, the CLI running beside the server.
        let read = try await server.request("/api/v1/definitions/sql", token: token)
        #expect(read.status == 200)
        #expect(read.body == (try cli.ok(["definition", "show", "sql", "--json"]).out))
        let export = try await server.request("/api/v1/export", token: token)
        let cliExport = try cli.ok(["export"]).out
        #expect(export.status == 200 && export.body == cliExport, "the export over HTTP is align export's")
        let unknown = try await server.request("/api/v1/nothing")
        #expect(unknown.status == 404 && unknown.body.contains("\"kind\":\"not-found\""), "\(unknown)")

        // The live tail resumes after the last event a reader saw (Last-Event-ID).
        let resumed = try await server.request("/api/v1/events?limit=1", token: token, headers: ["Last-Event-ID": "3"])
        #expect(resumed.status == 200 && resumed.body.hasPrefix("id: 4\n"), "\(resumed)")

        // A reader of the live tail is connected when the server is told to stop: its stream ends, and the server too.
        let tail = try RawConnection(port: server.port)
        tail.send("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n")
        #expect(!tail.closedByServer(within: 0.3), "the stream stays open")

        // The auditor's offline checker reads the command-signed sign-off in a proof bundle.
        try cli.ok(["definition", "sign-off", "sql", "1", "--as", "sofia"])
        try cli.ok(["definition", "activate", "sql", "1", "--as", "maria"])
        let firstNote = try cli.write("first.note", try cli.ok(["checkpoint"]).out)
        let vkey = try cli.ok(["checkpoint", "--vkey"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let bundle = cli.dir.appendingPathComponent("sql.proof.json").path
        try cli.ok(["audit", "who-approved", "sql", "--proof", bundle])
        let checked = try BundleVerifier().verify(bundle, vkey: vkey)
        #expect(checked.code == 0 && checked.out.contains("signed off by sam") && checked.out.contains("every check passed"), "\(checked)")
        // The same proofs over HTTP (the checkpoint signed beside the server by `align checkpoint`).
        let checkpoint = try await server.request("/api/v1/checkpoint", token: token)
        let cliCheckpoint = try cli.ok(["checkpoint", "--latest", "--json"]).out
        #expect(checkpoint.status == 200 && checkpoint.body == cliCheckpoint, "\(checkpoint)")
        let inclusion = try await server.request("/api/v1/proofs/inclusion/3", token: token)
        let cliInclusion = try cli.ok(["prove", "inclusion", "3", "--json"]).out
        #expect(inclusion.status == 200 && inclusion.body == cliInclusion, "\(inclusion)")
        // A later checkpoint extends the first: the consistency proof over HTTP is `align prove consistency`'s.
        let firstSize = try #require(Int(try String(contentsOfFile: firstNote, encoding: .utf8).split(separator: "\n")[1]))
        try cli.ok(["definition", "propose", "cql", "--title", "Campaign-qualified", "--fit", "employees>=50", "--as", "maria"])
        let secondNote = try cli.write("second.note", try cli.ok(["checkpoint"]).out)
        let consistency = try await server.request("/api/v1/proofs/consistency?old=\(firstSize)", token: token)
        let cliConsistency = try cli.ok(["prove", "consistency", firstNote, secondNote, "--json"]).out
        #expect(consistency.status == 200 && consistency.body == cliConsistency, "\(consistency)")
        let httpVkey = try await server.request("/api/v1/checkpoint/vkey", token: token)
        #expect(httpVkey.body.contains(vkey), "\(httpVkey)")
        let served = try await server.request("/api/v1/audit/who-approved/sql/proof", token: token)
        #expect(served.status == 200)
        let servedFile = try cli.write("served.proof.json", served.body)
        let servedChecked = try BundleVerifier().verify(servedFile, vkey: vkey)
        #expect(servedChecked.code == 0 && servedChecked.out.contains("every check passed"), "\(servedChecked)")

        #expect(try server.stop() == 0, "\(server.log)")
        #expect(tail.closedByServer(within: 5), "the live tail ended with the server")
        #expect(server.log.contains("status=201"), "a structured request log: \(server.log)")
        let verified = try cli.ok(["verify"])
        #expect(verified.out.hasPrefix("sound"), "\(verified)")
    }
}
