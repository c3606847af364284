import AlignmentLedger
import Foundation
import Hummingbird
import Logging

/// The routes of the JSON API (`/api/v1/...`) and `/healthz`, over one ledger. Every answer is JSON written by the
/// service's `LedgerJSON`; reads answer as `align ... --json` does, and every failure as `APIError` says.
struct LedgerRoutes: Sendable {
    let ledger: AlignmentLedger
    let limits: AlignServer.Limits
    let sessions: Sessions
    let metrics: ServerMetrics
    /// Where failures of the ledger (5xx) are logged.
    let logger = Logger(label: "align.serve")

    func add(to router: Router<BasicRequestContext>) {
        router.get("/healthz") { request, _ in
            await self.answer(request, allowed: [], open: true) { Health(head: try self.ledger.head().description) }
        }
        router.get("/api/v1/ledger") { request, _ in
            await self.answer(request, allowed: [], open: true) {
                LedgerInfo(head: try self.ledger.head().description, ledgerId: self.ledger.ledgerID.uuidString.lowercased())
            }
        }
        router.post("/api/v1/commands") { request, context in
            await self.command(request, context: context)
        }
        // `align export` over HTTP: JSON Lines (or CSV) of the events a filter lets through, streamed.
        router.get("/api/v1/export") { request, _ in
            do {
                _ = try await self.signedIn(request)
                try Query.refuseUnknown(request, allowed: ["format", "type", "stream", "since", "until", "from", "to"])
                var filter = EventFilter()
                filter.types = Set(request.uri.queryParameters.getAll("type"))
                try AlignmentLedger.checkTypes(filter.types)
                (filter.stream, filter.since, filter.until) = (Query.text(request, "stream"), try Query.time(request, "since"), try Query.time(request, "until"))
                (filter.from, filter.to) = (try Query.position(request, "from"), try Query.position(request, "to"))
                let format = try Query.choice(request, "format", ExportFormat.allCases) ?? .jsonl
                return Response(status: .ok, headers: [.contentType: format == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson"],
                                body: ExportStream.body(self.ledger, filter, format))
            } catch {
                return APIError.response(for: error, logger: self.logger)
            }
        }
        // The API's OpenAPI 3.1 document (schemas/openapi.json).
        router.get("/api/v1/openapi.json") { request, _ in
            do {
                try Query.refuseUnknown(request, allowed: [])
                return APIError.json(.ok, Array(OpenAPIDocument.json.utf8))
            } catch {
                return APIError.response(for: error, logger: self.logger)
            }
        }
        // Prometheus's scrape (open, as /healthz: keep the server on loopback or behind a proxy that filters it).
        router.get("/metrics") { request, _ in
            do {
                try Query.refuseUnknown(request, allowed: [])
                let ledger = self.ledger
                self.metrics.head.set(to: Double(try await Blocking.run { try ledger.head().position }))
                self.metrics.sessions.set(to: Double(self.sessions.openCount()))
                var body = ByteBuffer()
                body.writeBytes(self.metrics.text())
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: body))
            } catch {
                return APIError.response(for: error, logger: self.logger)
            }
        }
        addSessionRoutes(to: router)
        // The live tail (server-sent events): from ?from= (or after Last-Event-ID), else only what comes next.
        router.get("/api/v1/events") { request, _ in
            do {
                _ = try await self.signedIn(request)
                let token = Sessions.token(of: request)
                try Query.refuseUnknown(request, allowed: ["from", "limit"])
                var from = try Query.position(request, "from")
                if from == nil, let last = request.headers.first(where: { $0.name.canonicalName == "last-event-id" })?.value {
                    guard let p = UInt64(last), p < UInt64.max else { throw DomainError.invalid("Last-Event-ID: \(last.debugDescription) is not a position") }
                    from = p + 1
                }
                let limit = try Query.count(request, "limit")
                let ledger = self.ledger
                let start: UInt64
                if let from { start = from } else { start = try await Blocking.run { try ledger.head().position + 1 } }
                guard start >= 1 else { throw DomainError.invalid("?from=: positions start at 1") }
                let heartbeat = Duration.seconds(max(1, min(15, self.limits.idleSeconds / 2)))
                return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                                body: EventStream.body(ledger, from: start, limit: limit, heartbeat: heartbeat,
                                                       signedIn: { (try? await self.signedIn(token: token)) != nil }))
            } catch {
                return APIError.response(for: error, logger: self.logger)
            }
        }
        addStateReads(to: router)
        addAuditReads(to: router)
    }

    // MARK: Reads of states

    private func addStateReads(to router: Router<BasicRequestContext>) {
        router.get("/api/v1/definitions") { request, _ in
            await self.answer(request, allowed: ["at"]) { ["definitions": try self.ledger.definitions(asOf: try Query.time(request, "at"))] }
        }
        router.get("/api/v1/definitions/:id") { request, context in
            await self.answer(request, allowed: ["at", "version"]) {
                try self.ledger.definition(try Query.path(context, "id"), version: try Query.int(request, "version"), asOf: try Query.time(request, "at"))
            }
        }
        router.get("/api/v1/campaigns") { request, _ in
            await self.answer(request, allowed: ["at"]) { ["campaigns": try self.ledger.campaigns(asOf: try Query.time(request, "at"))] }
        }
        router.get("/api/v1/campaigns/:id") { request, context in
            await self.answer(request, allowed: ["at"]) { try self.ledger.campaign(try Query.path(context, "id"), asOf: try Query.time(request, "at")) }
        }
        router.get("/api/v1/leads") { request, _ in
            await self.answer(request, allowed: ["at", "status", "owner", "open"]) {
                let status = try Query.choice(request, "status", LeadState.Status.allCases.filter { $0 != .none })
                return ["leads": try self.ledger.leads(status: status, owner: Query.text(request, "owner"), open: try Query.flag(request, "open"),
                                                       asOf: try Query.time(request, "at"))]
            }
        }
        router.get("/api/v1/leads/:id") { request, context in
            await self.answer(request, allowed: ["at"]) { try self.ledger.leadStory(try Query.path(context, "id"), asOf: try Query.time(request, "at")) }
        }
        router.get("/api/v1/content") { request, _ in
            await self.answer(request, allowed: ["at"]) { ["content": try self.ledger.content(asOf: try Query.time(request, "at"))] }
        }
        router.get("/api/v1/actors") { request, _ in
            await self.answer(request, allowed: ["at"]) {
                ["actors": try self.ledger.ledgerState(asOf: try Query.time(request, "at")).actors.values.sorted { $0.id < $1.id }]
            }
        }
        router.get("/api/v1/policy") { request, _ in
            await self.answer(request, allowed: ["at"]) { try self.ledger.ledgerState(asOf: try Query.time(request, "at")).policy }
        }
        router.get("/api/v1/scorecard") { request, _ in
            await self.answer(request, allowed: ["period", "since", "until", "by"]) {
                try self.ledger.scorecard(period: try Query.choice(request, "period", Scorecard.Period.allCases) ?? .month,
                                          since: try Query.time(request, "since"), until: try Query.time(request, "until"),
                                          by: try Query.choice(request, "by", Scorecard.Breakdown.allCases), now: Date())
            }
        }
        router.get("/api/v1/state") { request, _ in
            await self.answer(request, allowed: ["at", "position"]) {
                let at = try Query.time(request, "at"), position = try Query.position(request, "position")
                if at != nil, position != nil { throw DomainError.invalid("give ?at= or ?position=, not both") }
                return try self.ledger.stateSummary(position: position, at: at)
            }
        }
    }

    // MARK: Audit reads

    private func addAuditReads(to router: Router<BasicRequestContext>) {
        router.get("/api/v1/audit/who-approved/:id") { request, context in
            await self.answer(request, allowed: ["at"]) {
                try self.ledger.whoApproved(try Query.path(context, "id"), at: try Query.time(request, "at") ?? Date())
            }
        }
        router.get("/api/v1/audit/definitions/:id") { request, context in
            await self.answer(request, allowed: ["version"]) {
                LedgerResponse.Trail(try self.ledger.auditDefinition(try Query.path(context, "id"), version: try Query.int(request, "version")))
            }
        }
        router.get("/api/v1/audit/actors/:id") { request, context in
            await self.answer(request, allowed: ["since", "until"]) {
                LedgerResponse.Trail(try self.ledger.auditActor(try Query.path(context, "id"), since: try Query.time(request, "since"),
                                                                until: try Query.time(request, "until")))
            }
        }
        router.get("/api/v1/audit/stream") { request, _ in
            await self.answer(request, allowed: ["name"]) {
                guard let name = Query.text(request, "name") else { throw DomainError.invalid("?name= names the stream, e.g. lead/L-1001") }
                return LedgerResponse.Trail(try self.ledger.auditStream(name))
            }
        }
        // Proofs for auditors. The server never signs a checkpoint (it holds no key): `align checkpoint` beside it does.
        router.get("/api/v1/audit/who-approved/:id/proof") { request, context in
            await self.answer(request, allowed: ["at"]) {
                try self.ledger.whoApprovedBundle(try Query.path(context, "id"), at: try Query.time(request, "at"))
            }
        }
        router.get("/api/v1/checkpoint") { request, _ in
            await self.answer(request, allowed: []) {
                guard let c = try self.ledger.latestCheckpoint() else {
                    throw CheckpointError.noCheckpoint("no checkpoint has been signed yet: run `align checkpoint` beside the server")
                }
                return LedgerResponse.SignedCheckpoint(c)
            }
        }
        router.get("/api/v1/checkpoint/vkey") { request, _ in
            await self.answer(request, allowed: []) {
                guard let v = try self.ledger.logVerifier() else { throw CheckpointError.noLogKey }
                return ["vkey": v.text]
            }
        }
        router.get("/api/v1/proofs/inclusion/:position") { request, context in
            await self.answer(request, allowed: []) {
                guard let position = UInt64(try Query.path(context, "position")) else { throw DomainError.invalid("the position is a whole number") }
                return try self.ledger.proveInclusion(position: position)
            }
        }
        router.get("/api/v1/proofs/consistency") { request, _ in
            await self.answer(request, allowed: ["old", "new"]) {
                guard let oldSize = try Query.position(request, "old") else { throw DomainError.invalid("?old= gives the size of the older checkpoint") }
                func kept(_ size: UInt64) throws -> TreeCheckpoint {
                    guard let c = try self.ledger.checkpoint(size: size) else {
                        throw CheckpointError.noCheckpoint("no checkpoint of \(size) events was signed on this ledger")
                    }
                    return c
                }
                let newer: TreeCheckpoint
                if let newSize = try Query.position(request, "new") { newer = try kept(newSize) } else {
                    guard let latest = try self.ledger.latestCheckpoint() else { throw CheckpointError.noCheckpoint("no checkpoint has been signed yet") }
                    newer = latest
                }
                return try self.ledger.proveConsistency(old: try kept(oldSize).note, new: newer.note)
            }
        }
        router.get("/api/v1/audit/overrides") { request, _ in
            await self.answer(request, allowed: ["rule"]) {
                let (overrides, head) = try self.ledger.auditOverrides(rule: Query.text(request, "rule"))
                return LedgerResponse.Overrides(overrides, head: head)
            }
        }
    }

    // MARK: Sessions

    private func addSessionRoutes(to router: Router<BasicRequestContext>) {
        // A challenge to sign: anyone may ask; it is good once, for two minutes.
        router.post("/api/v1/session/challenge") { request, _ in
            do {
                try Query.refuseUnknown(request, allowed: [])
                let (bytes, expires) = self.sessions.challenge()
                return APIError.json(.created, try LedgerJSON.encode(Challenge(challenge: Base64URL.encode(bytes), expiresAt: expires,
                                                                               ledgerId: self.ledger.ledgerID.uuidString.lowercased())))
            } catch {
                return APIError.response(for: error, logger: self.logger)
            }
        }
        // Sign-in: the challenge signed by the actor's key opens a session (cookie and token).
        router.post("/api/v1/session") { request, _ in
            do {
                try Query.refuseUnknown(request, allowed: [])
                let signIn = try SignIn(json: try await self.jsonBody(request))
                let stale = APIError(status: .unauthorized, kind: "refused", message: "the challenge is not one this server handed out, or it was used or has expired; ask for a new one",
                                     rule: "session", exit: 1)
                guard self.sessions.isGood(signIn.challenge) else { throw stale }
                let ledger = self.ledger
                try await Blocking.run { try ledger.checkSignIn(signIn) }
                // Used up only by a sign-in whose signature checked (so nobody can spend others' challenges), and once.
                guard self.sessions.use(signIn.challenge) else { throw stale }
                let (token, expires) = self.sessions.open(for: signIn.actor, keyID: signIn.keyID)
                var response = APIError.json(.created, try LedgerJSON.encode(Session(actor: signIn.actor, expiresAt: expires, token: token)))
                response.setCookie(Cookie(name: Sessions.cookieName, value: token, maxAge: Int(self.sessions.sessionSeconds), path: "/",
                                          secure: Self.isHTTPS(request), httpOnly: true, sameSite: .strict))
                return response
            } catch {
                return APIError.response(for: error, logger: self.logger)
            }
        }
        router.get("/api/v1/session") { request, _ in
            do {
                try Query.refuseUnknown(request, allowed: [])
                return APIError.json(.ok, try LedgerJSON.encode(["actor": try await self.signedIn(request)]))
            } catch {
                return APIError.response(for: error, logger: self.logger)
            }
        }
        // Sign-out: the session ends and the cookie is cleared.
        router.delete("/api/v1/session") { request, _ in
            if let token = Sessions.token(of: request) { self.sessions.close(token: token) }
            var response = APIError.json(.ok, Array(#"{"ok":true}"#.utf8))
            response.setCookie(Cookie(name: Sessions.cookieName, value: "", maxAge: 0, path: "/", secure: Self.isHTTPS(request), httpOnly: true,
                                      sameSite: .strict))
            return response
        }
    }

    /// The actor signed in on `request`: a live session whose actor is still active and whose key is still registered
    /// (checked against the ledger on every request, so that revoking a key or deactivating someone ends their sessions
    /// at once, even when it was done with the CLI beside the server). A 401 otherwise; a session found stale is closed.
    func signedIn(_ request: Request) async throws -> String {
        try await signedIn(token: Sessions.token(of: request))
    }

    func signedIn(token: String?) async throws -> String {
        guard let token, let session = sessions.session(token: token) else { throw Sessions.signInFirst }
        let ledger = self.ledger
        do {
            try await Blocking.run { try ledger.checkSession(actor: session.actor, keyID: session.keyID) }
        } catch DomainError.refused(_, let message) {
            sessions.close(token: token)
            throw APIError(status: .unauthorized, kind: "refused", message: "your session has ended: \(message)", rule: "session", exit: 1)
        }
        return session.actor
    }

    /// Whether the client reached the server over https (through a TLS reverse proxy that says so): the cookie is then
    /// marked Secure.
    static func isHTTPS(_ request: Request) -> Bool {
        request.headers.first { $0.name.canonicalName == "x-forwarded-proto" }?.value.lowercased() == "https"
    }

    /// A JSON request body: 415 unless `Content-Type: application/json` (which a cross-site form cannot send without the
    /// browser asking first), 413 past the limit.
    private func jsonBody(_ request: Request) async throws -> [UInt8] {
        guard let type = request.headers[.contentType], Self.isJSON(type) else {
            throw APIError(status: .unsupportedMediaType, message: "send the body as Content-Type: application/json")
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limits.maxBodyBytes {
            throw APIError.tooLarge(limits.maxBodyBytes)
        }
        // The whole body must arrive within the idle timeout: a client that sends a byte now and then is never idle,
        // and would otherwise hold a connection and a request for as long as it likes (408, nothing read is used).
        let (max, seconds) = (limits.maxBodyBytes, limits.idleSeconds)
        let body: ByteBuffer? = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                do { return try await request.body.collect(upTo: max) } catch let e as HTTPResponseError where e.status == .contentTooLarge {
                    throw APIError.tooLarge(max)
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let body else {
            throw APIError(status: .requestTimeout, message: "the body did not arrive within \(seconds) s; send it whole, at once")
        }
        return body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? []
    }

    // MARK: Commands

    /// `POST /api/v1/commands`: a `SignedCommand` as JSON. 201 with what it recorded (200 when it changed nothing).
    private func command(_ request: Request, context: BasicRequestContext) async -> Response {
        do {
            try Query.refuseUnknown(request, allowed: [])
            // The service checks the key and the actor's standing as it performs the command (403, 409).
            let signedIn = try sessions.require(request).entry.actor
            let signed = try SignedCommand(json: try await jsonBody(request))
            // The session says who is at the keyboard; the signature, whose command it is: they must agree.
            let actor = try signed.actor()
            guard actor == signedIn else {
                throw APIError(status: .forbidden, kind: "refused", message: "the command is signed as '\(actor)', but '\(signedIn)' is signed in here",
                               rule: "session", exit: 1)
            }
            let ledger = self.ledger
            let (bytes, events, head) = try await Blocking.run {
                let outcome = try ledger.perform(signedCommand: signed)
                return (try LedgerJSON.encode(LedgerResponse.Recorded(outcome)), outcome.recorded.count, outcome.head.position)
            }
            metrics.committed(events: events, head: head)
            return APIError.json(events > 0 ? .created : .ok, bytes)
        } catch {
            return APIError.response(for: error, logger: context.logger)
        }
    }

    /// Whether a Content-Type is JSON (`application/json`, with or without parameters).
    static func isJSON(_ contentType: String) -> Bool {
        contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    /// Runs a read off the event loops and answers its JSON (200), or the JSON error. Reads need a session unless `open`.
    private func answer<T: Encodable & Sendable>(_ request: Request, allowed: Set<String>, open: Bool = false,
                                      _ read: @escaping @Sendable () throws -> T) async -> Response {
        do {
            if !open { _ = try await signedIn(request) }
            try Query.refuseUnknown(request, allowed: allowed)
            return APIError.json(.ok, try await Blocking.run { try LedgerJSON.encode(try read()) })
        } catch {
            return APIError.response(for: error, logger: logger)
        }
    }
}

/// `/healthz`.
struct Health: Encodable {
    var head: String
    var ok = true
}

/// `POST /api/v1/session/challenge`.
struct Challenge: Encodable {
    var challenge: String
    var expiresAt: Date
    var ledgerId: String
    var ok = true
}

/// `POST /api/v1/session`: who signed in, until when, and the token (for `Authorization: Bearer`; browsers use the cookie).
struct Session: Encodable {
    var actor: String
    var expiresAt: Date
    var ok = true
    var token: String
}

/// `GET /api/v1/ledger`: what a client needs to sign a command (the ledger id) and the head.
struct LedgerInfo: Encodable {
    var head: String
    var ledgerId: String
    var ok = true
}

/// Reading query parameters and path parameters; bad values are usage errors (400).
enum Query {
    /// A parameter this route does not take is refused rather than ignored: a misspelt filter (`?onwer=sam`) must not
    /// silently answer something else.
    static func refuseUnknown(_ request: Request, allowed: Set<String>) throws {
        for (key, _) in request.uri.queryParameters where !allowed.contains(String(key)) {
            let takes = allowed.isEmpty ? "takes no parameters" : "takes " + allowed.sorted().map { "?\($0)=" }.joined(separator: ", ")
            throw DomainError.invalid("unknown parameter ?\(key)=; this route \(takes)")
        }
    }

    static func text(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters.get(name)
    }

    static func path(_ context: BasicRequestContext, _ name: String) throws -> String {
        guard let v = context.parameters.get(name) else { throw DomainError.invalid("the path lacks its \(name)") }
        return v
    }

    static func time(_ request: Request, _ name: String) throws -> Date? {
        guard let t = text(request, name) else { return nil }
        guard let d = DomainTime.parse(t) else { throw DomainError.invalid("?\(name)=: \(DomainTime.problem(t) ?? "\(t.debugDescription) is not an ISO 8601 time")") }
        return d
    }

    static func int(_ request: Request, _ name: String) throws -> Int? {
        guard let t = text(request, name) else { return nil }
        guard let n = Int(t), n >= 1 else { throw DomainError.invalid("?\(name)=: \(t.debugDescription) is not a positive whole number") }
        return n
    }

    static func count(_ request: Request, _ name: String) throws -> Int? {
        guard let t = text(request, name) else { return nil }
        guard let n = Int(t), n >= 0 else { throw DomainError.invalid("?\(name)=: \(t.debugDescription) is not a count") }
        return n
    }

    static func position(_ request: Request, _ name: String) throws -> UInt64? {
        guard let t = text(request, name) else { return nil }
        guard let n = UInt64(t) else { throw DomainError.invalid("?\(name)=: \(t.debugDescription) is not a position") }
        return n
    }

    static func flag(_ request: Request, _ name: String) throws -> Bool {
        switch text(request, name) {
        case nil, "false"?: return false
        case ""?, "true"?: return true
        case let t?: throw DomainError.invalid("?\(name)=: \(t.debugDescription) is not true or false")
        }
    }

    static func choice<C: RawRepresentable & Sendable>(_ request: Request, _ name: String, _ cases: [C]) throws -> C? where C.RawValue == String {
        guard let t = text(request, name) else { return nil }
        guard let c = cases.first(where: { $0.rawValue == t }) else {
            throw DomainError.invalid("?\(name)=: \(t.debugDescription) is not one of \(cases.map(\.rawValue).joined(separator: ", "))")
        }
        return c
    }
}
