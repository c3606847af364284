// The JSON API of `align serve`, through Hummingbird's router test framework: every route, signed commands and their
// refusals, bad input. Every refusal must leave the ledger's head where it was.
import AlignServer
import AlignmentLedger
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// An in-memory signed ledger: rita (revops), maria (marketing), sam and sofia (sales), each with a key; mql v1 proposed
/// by maria.
final class ServerFixture: Sendable {
    let ledger: AlignmentLedger
    let keys: [String: ActorKey]

    init() throws {
        let rita = try ActorKey(generatingFor: "rita")
        // Whole seconds: a business time is kept to the microsecond, and the next command must not fall before it.
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 3600).rounded(.down))
        (ledger, _) = try AlignmentLedger.createInMemory(admin: "rita", name: "Rita", at: start, key: rita)
        var keys = ["rita": rita]
        for (a, role) in [("maria", Role.marketing), ("sam", .sales), ("sofia", .sales)] {
            let k = try ActorKey(generatingFor: a)
            keys[a] = k
            try ledger.execute(.actorAdd(id: a, name: a.capitalized, roles: [role], key: try k.grant), as: "rita", at: start, signer: rita)
        }
        self.keys = keys
        try ledger.execute(.definitionPropose(id: "mql", title: "Engaged SaaS", fit: [try Criterion.parse("employees>=200")], engagement: [],
                                              rationale: nil), as: "maria", at: start, signer: keys["maria"])
    }

    /// `line` (an apply line without "as", "at" or "key") completed for `actor`, now, with `nonce`, and signed by `signer`
    /// (default: the actor's key), as the body a client posts.
    func body(_ line: String, as actor: String, nonce: String = UUID().uuidString, signer: ActorKey? = nil) throws -> [UInt8] {
        let complete = try SignedCommand.prepare(line: Array(line.utf8), actor: actor, at: Date(), nonce: nonce)
        guard let key = signer ?? keys[actor] else { throw DomainError.invalid("no key for \(actor)") }
        return try SignedCommand.sign(line: complete, ledgerID: ledger.ledgerID, with: key).json()
    }

    /// Runs `test` with a client of the router (request logs off; a body limit of 4 KiB), everyone signed in.
    func withClient(_ test: @Sendable (API) async throws -> Void) async throws {
        let app = Application(router: AlignServer.router(ledger: ledger, limits: .init(maxBodyBytes: 4096), logRequests: false))
        try await app.test(.router) { client in
            var tokens: [String: String] = [:]
            for (actor, key) in keys { tokens[actor] = try await signIn(client, key) }
            try await test(API(client: client, tokens: tokens))
        }
    }

    /// Signs in with `key` through the challenge; the session token.
    func signIn(_ client: any TestClientProtocol, _ key: ActorKey) async throws -> String {
        let challenge = try await client.execute(uri: "/api/v1/session/challenge", method: .post)
        let c = try #require(Base64URL.decode(challenge.object["challenge"] as? String ?? ""))
        let signIn = try SignIn.sign(challenge: c, ledgerID: ledger.ledgerID, with: key)
        let r = try await client.execute(uri: "/api/v1/session", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(bytes: try signIn.json()))
        #expect(r.status == .created, "\(r.text)")
        return try #require(r.object["token"] as? String)
    }
}

/// A client of the router whose requests carry a signed-in actor's session token.
struct API: Sendable {
    let client: any TestClientProtocol
    let tokens: [String: String]

    func headers(_ actor: String?) -> HTTPFields {
        guard let actor, let token = tokens[actor] else { return [:] }
        return [.authorization: "Bearer \(token)"]
    }

    /// A read as `actor` (default rita; nil: no session).
    func get(_ uri: String, as actor: String? = "rita") async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: headers(actor))
    }

    /// A command posted in the session of the actor who signed it (else rita's), or of `actor`.
    func post(_ body: [UInt8], contentType: String? = "application/json", as actor: String? = nil, uri: String = "/api/v1/commands") async throws -> TestResponse {
        var h = headers(actor ?? (try? SignedCommand(json: body).actor()) ?? "rita")
        if let contentType { h[.contentType] = contentType }
        return try await client.execute(uri: uri, method: .post, headers: h, body: ByteBuffer(bytes: body))
    }
}

extension TestResponse {
    var bytes: [UInt8] { body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? [] }
    var text: String { String(decoding: bytes, as: UTF8.self) }
    /// The body as a JSON object.
    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:] }
    /// The `error` object of a failure.
    var error: [String: Any] { object["error"] as? [String: Any] ?? [:] }
}

/// What `ledger.export` writes for `filter` as `format`.
func exported(_ ledger: AlignmentLedger, _ filter: EventFilter, _ format: ExportFormat) throws -> String {
    var out: [UInt8] = []
    _ = try ledger.export(filter, as: format) { out += $0 }
    return String(decoding: out, as: UTF8.self)
}

/// `value` as the service's JSON, as the server writes it (one line).
func served<T: Encodable>(_ value: T) throws -> String { String(decoding: try LedgerJSON.encode(value) + [10], as: UTF8.self) }

@Suite("align serve: the JSON API")
struct RouteTests {
    @Test func theOpenAPIDocumentIsServedAndNamesEveryRoute() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("schemas/openapi.json"), encoding: .utf8)
        let f = try ServerFixture()
        try await f.withClient { api in
            let r = try await api.get("/api/v1/openapi.json", as: nil)
            #expect(r.status == .ok)
            #expect(r.text == file, "the served document is schemas/openapi.json: run tools/gen-openapi-swift.py after editing it")
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.bytes)) as? [String: Any])
            let paths = try #require(doc["paths"] as? [String: Any])
            // Every route the server has (with the document's {param} spelling).
            let routes = ["/healthz", "/metrics", "/api/v1/ledger", "/api/v1/openapi.json", "/api/v1/session/challenge", "/api/v1/session",
                          "/api/v1/commands", "/api/v1/events", "/api/v1/export", "/api/v1/definitions", "/api/v1/definitions/{id}", "/api/v1/campaigns",
                          "/api/v1/campaigns/{id}", "/api/v1/leads", "/api/v1/leads/{id}", "/api/v1/content", "/api/v1/actors", "/api/v1/policy",
                          "/api/v1/scorecard", "/api/v1/state", "/api/v1/audit/who-approved/{id}", "/api/v1/audit/who-approved/{id}/proof",
                          "/api/v1/audit/definitions/{id}", "/api/v1/audit/actors/{id}", "/api/v1/audit/stream", "/api/v1/audit/overrides",
                          "/api/v1/checkpoint", "/api/v1/checkpoint/vkey", "/api/v1/proofs/inclusion/{position}",
                          "/api/v1/proofs/consistency"]
            #expect(Set(paths.keys) == Set(routes))
            for route in routes where !route.contains("{") && !["/api/v1/session", "/api/v1/events", "/api/v1/export", "/api/v1/proofs/consistency"].contains(route) {
                let method: HTTPRequest.Method = ["/api/v1/commands", "/api/v1/session/challenge"].contains(route) ? .post : .get
                #expect(try await api.client.execute(uri: route, method: method, headers: api.headers("rita")).status != .notFound,
                        "\(route) is served")
            }
        }
    }

    @Test func healthAndTheLedgerID() async throws {
        let f = try ServerFixture()
        try await f.withClient { client in
            let health = try await client.get("/healthz")
            #expect(health.status == .ok)
            let head = try f.ledger.head().description
            #expect(health.object["ok"] as? Bool == true)
            #expect(health.object["head"] as? String == head)
            #expect(health.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(health.headers[.cacheControl] == "no-store" && health.headers.contains { $0.name.canonicalName == "x-content-type-options" && $0.value == "nosniff" })
            let info = try await client.get("/api/v1/ledger")
            #expect(info.object["ledgerId"] as? String == f.ledger.ledgerID.uuidString.lowercased())
        }
    }

    @Test func readsAndCommandsNeedASessionOpenedByTheActorsKey() async throws {
        let f = try ServerFixture()
        let head = try f.ledger.head()
        try await f.withClient { api in
            let signOff = try f.body(#"{"command": "definition.sign-off", "args": {"id": "mql", "version": 1}}"#, as: "sam")
            // No session: reads and commands are refused (401); the health check and the ledger id are open.
            let read = try await api.get("/api/v1/definitions", as: nil)
            #expect(read.status == .unauthorized && read.error["rule"] as? String == "session", "\(read.text)")
            #expect(try await api.client.execute(uri: "/api/v1/commands", method: .post, headers: [.contentType: "application/json"],
                                                 body: ByteBuffer(bytes: signOff)).status == .unauthorized)
            #expect(try await api.get("/healthz", as: nil).status == .ok)
            #expect(try await api.get("/api/v1/ledger", as: nil).status == .ok)
            #expect(try await api.client.execute(uri: "/api/v1/definitions", method: .get, headers: [.authorization: "Bearer nope"]).status == .unauthorized)
            // A command signed by sam, posted in maria's session: refused.
            let crossed = try await api.post(signOff, as: "maria")
            #expect(crossed.status == .forbidden && crossed.error["rule"] as? String == "session", "\(crossed.text)")
            #expect(try f.ledger.head() == head, "nothing was written")
            // Who is signed in.
            #expect(try await api.get("/api/v1/session", as: "sam").object["actor"] as? String == "sam")

            // Sign-in: a challenge is good once; a key that is not the actor's, or a signature over another challenge, fails.
            let c = try #require(Base64URL.decode(try await api.client.execute(uri: "/api/v1/session/challenge", method: .post).object["challenge"] as? String ?? ""))
            func signIn(_ s: SignIn) async throws -> TestResponse {
                try await api.client.execute(uri: "/api/v1/session", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: try s.json()))
            }
            var wrong = try SignIn.sign(challenge: c, ledgerID: f.ledger.ledgerID, with: try #require(f.keys["sofia"]))
            wrong.actor = "sam"
            let refused = try await signIn(wrong)
            #expect(refused.status == .forbidden && refused.error["rule"] as? String == "signed-by-actor", "\(refused.text)")
            // A failed attempt does not use the challenge up (else anyone could spend others' challenges); a good one does.
            let first = try await signIn(try SignIn.sign(challenge: c, ledgerID: f.ledger.ledgerID, with: try #require(f.keys["sam"])))
            #expect(first.status == .created, "\(first.text)")
            let reused = try await signIn(try SignIn.sign(challenge: c, ledgerID: f.ledger.ledgerID, with: try #require(f.keys["sam"])))
            #expect(reused.status == .unauthorized, "the challenge was used up by the sign-in: \(reused.text)")
            let made = try await signIn(try SignIn.sign(challenge: Array(repeating: 7, count: 32), ledgerID: f.ledger.ledgerID, with: try #require(f.keys["sam"])))
            #expect(made.status == .unauthorized, "a challenge the server never handed out: \(made.text)")

            // A good sign-in sets an HttpOnly, SameSite=Strict cookie, which works as the token does; sign-out ends it.
            let c2 = try #require(Base64URL.decode(try await api.client.execute(uri: "/api/v1/session/challenge", method: .post).object["challenge"] as? String ?? ""))
            let good = try await signIn(try SignIn.sign(challenge: c2, ledgerID: f.ledger.ledgerID, with: try #require(f.keys["sam"])))
            #expect(good.status == .created)
            let cookie = try #require(good.headers[.setCookie])
            #expect(cookie.hasPrefix("align_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"), "\(cookie)")
            let token = try #require(good.object["token"] as? String)
            let byCookie = try await api.client.execute(uri: "/api/v1/session", method: .get, headers: [.cookie: "align_session=\(token)"])
            #expect(byCookie.object["actor"] as? String == "sam", "\(byCookie.text)")
            let out = try await api.client.execute(uri: "/api/v1/session", method: .delete, headers: [.authorization: "Bearer \(token)"])
            #expect(out.status == .ok && out.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await api.client.execute(uri: "/api/v1/session", method: .get, headers: [.cookie: "align_session=\(token)"]).status == .unauthorized)
        }
    }

    @Test func aSignedCommandIsAppendedAndItsEventsAnswered() async throws {
        let f = try ServerFixture()
        try await f.withClient { client in
            let r = try await client.post(try f.body(#"{"command": "definition.sign-off", "args": {"id": "mql", "version": 1, "comment": "fits"}}"#, as: "sam"))
            #expect(r.status == .created, "\(r.text)")
            let events = r.object["events"] as? [[String: Any]] ?? []
            #expect(events.map { $0["type"] as? String } == ["LeadDefinitionSignedOff"])
            let head = try f.ledger.head().description
            #expect(r.object["head"] as? String == head)
            #expect(try f.ledger.definition("mql").versions.first?.signOffs.map(\.actor) == ["sam"])
            // Then activated by maria, and the audit answers who approved it.
            let a = try await client.post(try f.body(#"{"command": "definition.activate", "args": {"id": "mql", "version": 1}}"#, as: "maria"))
            #expect(a.status == .created, "\(a.text)")
            let who = try await client.get("/api/v1/audit/who-approved/mql")
            #expect(who.status == .ok)
            #expect(who.text.contains("\"sam\""), "\(who.text)")
            let v = try f.ledger.verifyAnswer(checkpoint: nil)
            #expect(v.ok, "\(v.lines)")
        }
    }

    @Test func badSignaturesAndReplaysAreRefusedAndWriteNothing() async throws {
        let f = try ServerFixture()
        let head = try f.ledger.head()
        try await f.withClient { client in
            let signOff = #"{"command": "definition.sign-off", "args": {"id": "mql", "version": 1}}"#
            // Signed by sofia for sam; by a key the ledger does not know; tampered after signing.
            let other = try await client.post(try f.body(signOff, as: "sam", signer: f.keys["sofia"]))
            #expect(other.status == .forbidden && other.error["rule"] as? String == "signed-by-actor" && other.error["exit"] as? Int == 1, "\(other.text)")
            let stranger = try await client.post(try f.body(signOff, as: "sam", signer: try ActorKey(generatingFor: "sam")))
            #expect(stranger.status == .forbidden && (stranger.error["message"] as? String ?? "").contains("not registered"), "\(stranger.text)")
            let good = try f.body(signOff, as: "sam", nonce: "once")
            let tampered = Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: #"\"version\":1"#, with: #"\"version\":2"#).utf8)
            #expect(tampered != good)
            let t = try await client.post(tampered)
            #expect(t.status == .forbidden && (t.error["message"] as? String ?? "").contains("does not check"), "\(t.text)")
            // A rule's refusal: marketing cannot sign off.
            let role = try await client.post(try f.body(signOff, as: "maria"))
            #expect(role.status == .conflict && role.error["rule"] as? String == "role" && role.error["kind"] as? String == "refused", "\(role.text)")
            #expect(try f.ledger.head() == head, "nothing was written")
            // The good one once, then its replay.
            #expect(try await client.post(good).status == .created)
            let after = try f.ledger.head()
            let replay = try await client.post(good)
            #expect(replay.status == .conflict && replay.error["rule"] as? String == SignedCommand.nonceRule, "\(replay.text)")
            #expect(try f.ledger.head() == after, "the replay wrote nothing")
        }
    }

    @Test func badInputIsA4xxAndWritesNothing() async throws {
        let f = try ServerFixture()
        let head = try f.ledger.head()
        try await f.withClient { client in
            let good = try f.body(#"{"command": "definition.sign-off", "args": {"id": "mql", "version": 1}}"#, as: "sam")
            #expect(try await client.post(good, contentType: "text/plain").status == .unsupportedMediaType)
            #expect(try await client.post(good, contentType: nil).status == .unsupportedMediaType)
            let malformed = try await client.post(Array(#"{"line": "#.utf8))
            #expect(malformed.status == .badRequest && malformed.error["exit"] as? Int == 2 && malformed.error["kind"] as? String == "usage", "\(malformed.text)")
            #expect(try await client.post(Array(#"{"line": "{}", "keyId": "0011223344556677", "signature": "AA"}"#.utf8)).status == .badRequest)
            let huge = try await client.post(Array(repeating: UInt8(ascii: " "), count: 5000) + good)
            #expect(huge.status == .contentTooLarge && huge.error["kind"] as? String == "usage", "\(huge.text)")
            // A line that is not canonical, or not a command.
            let notCommand = try await client.post(try f.body(#"{"command": "definition.explode", "args": {}}"#, as: "sam"))
            #expect(notCommand.status == .badRequest, "\(notCommand.text)")
            let unknownParameter = try await client.post(good, uri: "/api/v1/commands?dry=1")
            #expect(unknownParameter.status == .badRequest)
            #expect(try f.ledger.head() == head, "nothing was written")
            // Reads: bad parameters, unknown things.
            #expect(try await client.get("/api/v1/definitions?at=2026-02-30").status == .badRequest)
            #expect(try await client.get("/api/v1/leads?onwer=sam").status == .badRequest)
            #expect(try await client.get("/api/v1/leads?status=lost").status == .badRequest)
            #expect(try await client.get("/api/v1/scorecard?by=team").status == .badRequest)
            #expect(try await client.get("/api/v1/state?at=2026-01-01&position=3").status == .badRequest)
            // No checkpoint signed yet (the server never signs one): a refusal saying how to get one.
            let noCheckpoint = try await client.get("/api/v1/checkpoint")
            #expect(noCheckpoint.status == .conflict && (noCheckpoint.error["message"] as? String ?? "").contains("align checkpoint"), "\(noCheckpoint.text)")
            #expect(try await client.get("/api/v1/proofs/inclusion/1").status == .conflict)
            #expect(try await client.get("/api/v1/proofs/inclusion/x").status == .badRequest)
            #expect(try await client.get("/api/v1/proofs/consistency").status == .badRequest)
            #expect(try await client.get("/api/v1/proofs/consistency?old=3").status == .conflict)
            #expect(try await client.get("/api/v1/audit/who-approved/mql/proof").status == .conflict)
            let missing = try await client.get("/api/v1/definitions/nope")
            #expect(missing.status == .notFound && missing.error["exit"] as? Int == 1, "\(missing.text)")
            #expect(try await client.get("/api/v1/leads/L-404").status == .notFound)
        }
    }

    @Test func theLiveTailStreamsEventsAsServerSentEvents() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            #expect(try await api.get("/api/v1/events?from=1&limit=1", as: nil).status == .unauthorized)
            // Catch-up: the first three events, each a message with its position, type and envelope.
            let first = try await api.get("/api/v1/events?from=1&limit=3")
            #expect(first.status == .ok && first.headers[.contentType] == "text/event-stream")
            let e1 = try #require(try f.ledger.events(from: 1, limit: 1).first)
            #expect(first.text.hasPrefix("id: 1\nevent: LedgerInitialized\ndata: " + String(decoding: try LedgerJSON.encode(EventEnvelope(e1)), as: UTF8.self) + "\n\n"),
                    "\(first.text)")
            #expect(first.text.components(separatedBy: "\n\n").filter { $0.hasPrefix("id: ") }.map { $0.prefix(5) } == ["id: 1", "id: 2", "id: 3"])
            // Live: a reader waiting past the head gets the next command's event as it commits.
            let next = try f.ledger.head().position + 1
            async let waiting = api.get("/api/v1/events?from=\(next)&limit=1", as: "sam")
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await api.post(try f.body(#"{"command": "definition.sign-off", "args": {"id": "mql", "version": 1}}"#, as: "sam")).status == .created)
            let live = try await waiting
            #expect(live.text.hasPrefix("id: \(next)\nevent: LeadDefinitionSignedOff\n"), "\(live.text)")
            #expect(try await api.get("/api/v1/events?from=0").status == .badRequest)
        }
    }

    /// A stolen key revoked, or its owner deactivated, with the CLI beside the server: the sessions it opened end at
    /// once (reads, pages, the live tail), not when they expire.
    @Test func revokingTheKeyOrDeactivatingTheActorEndsTheirSessions() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            #expect(try await api.get("/api/v1/leads", as: "sam").status == .ok)
            let next = try f.ledger.head().position + 1
            async let tail = api.get("/api/v1/events?from=\(next)&limit=2", as: "sam")
            try await Task.sleep(for: .milliseconds(100))
            let samKey = try #require(f.keys["sam"]).keyID
            try f.ledger.execute(.actorKeyRevoke(actor: "sam", keyID: samKey, reason: "laptop stolen"), as: "rita", at: Date(), signer: f.keys["rita"])
            let ended = try await tail
            // Ended with the comment, or (when the stream opened only after the revocation, on a loaded machine) refused.
            #expect(!ended.text.contains("data: ") && (ended.text.contains("the session ended") || ended.status == .unauthorized),
                    "the revocation is not sent to the revoked reader: \(ended.status) \(ended.text)")
            let read = try await api.get("/api/v1/leads", as: "sam")
            #expect(read.status == .unauthorized && read.error["rule"] as? String == "session", "\(read.text)")
            #expect(try await api.get("/api/v1/leads", as: "sam").status == .unauthorized, "and it stays closed")
            let page = try await api.get("/inbox", as: "sam")
            #expect(page.status == .seeOther)
            // Deactivating sofia ends hers (the first refusal says why); the others' sessions go on.
            #expect(try await api.get("/scorecard", as: "sofia").status == .ok)
            try f.ledger.execute(.actorDeactivate(id: "sofia"), as: "rita", at: Date(), signer: f.keys["rita"])
            let why = try await api.get("/api/v1/session", as: "sofia")
            #expect(why.status == .unauthorized && (why.error["message"] as? String ?? "").contains("no longer an active actor"), "\(why.text)")
            #expect(try await api.get("/scorecard", as: "sofia").status == .seeOther)
            #expect(try await api.get("/api/v1/session", as: "maria").status == .ok)
        }
    }

    @Test func aLastEventIDAtTheEndOfTheRangeIsABadRequestNotACrash() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            let lastEventID = try #require(HTTPFields.Element.Name("Last-Event-ID"))
            let r = try await api.client.execute(uri: "/api/v1/events", method: .get,
                                                 headers: [.authorization: "Bearer \(api.tokens["rita"] ?? "")", lastEventID: "18446744073709551615"])
            #expect(r.status == .badRequest, "\(r.text)")
        }
    }

    @Test func signingOutEndsTheLiveTailBeforeItSendsAnotherEvent() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            let next = try f.ledger.head().position + 1
            async let tail = api.get("/api/v1/events?from=\(next)&limit=1", as: "sam")
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await api.client.execute(uri: "/api/v1/session", method: .delete, headers: api.headers("sam")).status == .ok)
            // The next event commits after sam signed out: his tail ends instead of sending it.
            #expect(try await api.post(try f.body(#"{"command": "definition.sign-off", "args": {"id": "mql", "version": 1}}"#, as: "sofia")).status == .created)
            let ended = try await tail
            #expect(ended.status == .ok)
            #expect(!ended.text.contains("id: \(next)") && ended.text.contains("the session ended"), "\(ended.text)")
        }
    }

    @Test func theExportStreamsWhatAlignExportWrites() async throws {
        let f = try ServerFixture()
        var ledgerOnly = EventFilter()
        ledgerOnly.stream = "ledger"
        ledgerOnly.types = ["ActorRegistered", "ActorKeyRegistered"]
        let (whole, part) = (try exported(f.ledger, EventFilter(), .jsonl), try exported(f.ledger, ledgerOnly, .csv))
        try await f.withClient { api in
            #expect(try await api.get("/api/v1/export", as: nil).status == .unauthorized)
            let all = try await api.get("/api/v1/export")
            #expect(all.status == .ok && all.headers[.contentType] == "application/x-ndjson")
            #expect(all.text == whole)
            let some = try await api.get("/api/v1/export?stream=ledger&type=ActorRegistered&type=ActorKeyRegistered&format=csv")
            #expect(some.status == .ok && some.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(some.text == part, "\(some.text)")
            #expect(try await api.get("/api/v1/export?type=LeadExploded").status == .badRequest)
            #expect(try await api.get("/api/v1/export?format=xml").status == .badRequest)
        }
    }

    @Test func metricsCountRequestsByRouteAndCommitsByEvents() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            #expect(try await api.post(try f.body(#"{"command": "definition.sign-off", "args": {"id": "mql", "version": 1}}"#, as: "sam")).status == .created)
            #expect(try await api.get("/api/v1/leads/L-1").status == .notFound)
            #expect(try await api.get("/api/v1/leads/L-2").status == .notFound)
            let m = try await api.get("/metrics", as: nil)
            #expect(m.status == .ok && m.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = m.text
            let head = try f.ledger.head().position
            #expect(text.contains("align_commits_total 1"), "\(text)")
            #expect(text.contains("align_events_per_commit_count 1"), "\(text)")
            #expect(text.contains("align_head_position \(head)"), "\(text)")
            #expect(text.contains("align_sessions_open 4"), "\(text)")
            #expect(text.contains(#"align_http_requests_total{method="POST",route="/api/v1/commands",status="201"} 1"#), "\(text)")
            // Ids are not labels: both lookups count under the route's template.
            #expect(text.contains(#"align_http_requests_total{method="GET",route="/api/v1/leads/{id}",status="404"} 2"#), "\(text)")
            #expect(text.contains("align_http_request_duration_seconds_bucket"), "\(text)")
        }
    }

    @Test func concurrentClientsEachSigningTheirOwnCommands() async throws {
        let f = try ServerFixture()
        let head = try f.ledger.head().position
        let n = 32
        try await f.withClient { client in
            // Half proposals by maria, half content requests by sam, each on its own stream, all at once.
            let bodies = try (0..<n).map { i in
                i % 2 == 0
                    ? try f.body(#"{"command": "definition.propose", "args": {"id": "d\#(i)", "title": "T\#(i)", "fit": ["employees>=10"]}}"#, as: "maria")
                    : try f.body(#"{"command": "content.request", "args": {"id": "R\#(i)", "what": "a case study", "stage": "decision"}}"#, as: "sam")
            }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for b in bodies { group.addTask { try await client.post(b).status } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.count == n && statuses.allSatisfy { $0 == .created }, "\(statuses)")
        }
        #expect(try f.ledger.head().position == head + UInt64(n))
        let v = try f.ledger.verifyAnswer(checkpoint: nil)
        #expect(v.ok, "\(v.lines)")
    }

    @Test func everyReadAnswersAsTheCommandLinesJSON() async throws {
        let f = try ServerFixture()
        try f.ledger.execute(.definitionSignOff(id: "mql", version: 1, comment: nil), as: "sam", signer: f.keys["sam"])
        try f.ledger.execute(.definitionActivate(id: "mql", version: 1, override: nil), as: "maria", signer: f.keys["maria"])
        try f.ledger.execute(.campaignDraft(id: "q3", name: "Q3 webinar", audience: nil, offer: nil, channels: ["email"], launchDate: nil),
                             as: "maria", signer: f.keys["maria"])
        var h = HandoffArgs(id: "L-1", definition: "mql")
        h.owner = "sam"
        h.profile = ["employees": "450"]
        h.signals = [try Signal.parse("webinar.attended@\(DomainTime.format(Date().addingTimeInterval(-60)))")]
        try f.ledger.execute(.leadHandoff(h), as: "maria", signer: f.keys["maria"])
        try f.ledger.execute(.contentPlan(asset: "roi", title: "ROI guide", stage: .decision, persona: nil), as: "maria", signer: f.keys["maria"])
        let l = f.ledger
        let (overrides, overridesHead) = try l.auditOverrides(rule: nil)
        let expected: [(String, String)] = [
            ("/api/v1/definitions", try served(["definitions": l.definitions()])),
            ("/api/v1/definitions/mql?version=1", try served(l.definition("mql", version: 1))),
            ("/api/v1/campaigns", try served(["campaigns": l.campaigns()])),
            ("/api/v1/campaigns/q3", try served(l.campaign("q3"))),
            ("/api/v1/leads?owner=sam&open=true", try served(["leads": l.leads(owner: "sam", open: true)])),
            ("/api/v1/leads?status=accepted", try served(["leads": l.leads(status: .accepted)])),
            ("/api/v1/leads/L-1", try served(l.leadStory("L-1"))),
            ("/api/v1/content", try served(["content": l.content()])),
            ("/api/v1/actors", try served(["actors": l.ledgerState().actors.values.sorted { $0.id < $1.id }])),
            ("/api/v1/policy", try served(l.ledgerState().policy)),
            ("/api/v1/audit/definitions/mql", try served(LedgerResponse.Trail(l.auditDefinition("mql")))),
            ("/api/v1/audit/actors/sam", try served(LedgerResponse.Trail(l.auditActor("sam")))),
            ("/api/v1/audit/stream?name=lead/L-1", try served(LedgerResponse.Trail(l.auditStream("lead/L-1")))),
            ("/api/v1/audit/overrides", try served(LedgerResponse.Overrides(overrides, head: overridesHead))),
            ("/api/v1/state?position=3", try served(l.stateSummary(position: 3))),
        ]
        try await f.withClient { client in
            for (uri, body) in expected {
                let r = try await client.get(uri)
                #expect(r.status == .ok, "\(uri): \(r.text)")
                #expect(r.text == body, "\(uri)")
            }
            // The scorecard ages open leads as of now unless --until (?until=) bounds it: compared with a bound.
            let card = try await client.get("/api/v1/scorecard?period=week&by=owner&until=2099-01-01")
            #expect(card.status == .ok)
            let until = try #require(DomainTime.parse("2099-01-01"))
            #expect(card.text == (try served(l.scorecard(period: .week, since: nil, until: until, by: .owner, now: Date()))), "\(card.text)")
            // Answers that carry the time they were read at: their status.
            #expect(try await client.get("/api/v1/scorecard").status == .ok)
            let asOf = try await client.get("/api/v1/audit/who-approved/mql?at=\(DomainTime.format(Date()))")
            #expect(asOf.status == .ok, "\(asOf.text)")
            let stateAt = try await client.get("/api/v1/state?at=\(DomainTime.format(Date()))")
            #expect(stateAt.status == .ok, "\(stateAt.text)")
        }
    }
}
