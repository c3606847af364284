import AlignmentLedger
import Foundation
import Hummingbird
import Logging

/// The web pages of `align serve` (docs/WEB.md) and their static files, over the same service as the JSON API.
///
/// Pages are rendered on the server from the ledger's kept read models, off the event loops (`Blocking.run`); every
/// state change is a command the browser signs with its own key and posts to `/api/v1/commands` (`/static/align.js`).
/// Every page but sign-in and enrolment needs a session: without one, 303 to `/sign-in`.
struct WebRoutes: Sendable {
    let ledger: AlignmentLedger
    let sessions: Sessions
    let logger = Logger(label: "align.serve")

    /// What a page is given: the viewer, the query parameters, the ledger (read inside `Blocking.run`) and now.
    struct PageRequest: Sendable {
        var viewer: Viewer
        var query: [String: String]
        var ledger: AlignmentLedger
        var now: Date
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in
            Sessions.token(of: request).flatMap { self.sessions.actor(token: $0) } == nil
                ? WebResponse.redirect(to: "/sign-in") : WebResponse.redirect(to: "/scorecard")
        }
        router.get("/sign-in") { _, _ in
            WebResponse.page(SignInPage.render(ledgerID: self.ledgerID))
        }
        router.get("/enrol") { _, _ in
            WebResponse.page(EnrolPage.render(ledgerID: self.ledgerID))
        }
        page("/scorecard", ScorecardPage.render)
        page("/definitions", DefinitionsPage.render)
        page("/campaigns", CampaignsPage.render)
        page("/inbox", InboxPage.render)
        page("/content", ContentPage.render)
        page("/audit", AuditPage.render)
        page("/live", LivePage.render)
        page("/admin", AdminPage.render)
        // One lead's article of the inbox, for the live tail to insert (one stream read, not the whole inbox).
        router.get("/inbox/leads/:id") { request, context in
            await self.fragment(request) { r in
                guard let id = context.parameters.get("id") else { throw DomainError.invalid("the path lacks the lead's id") }
                return try InboxPage.fragment(r, lead: id)
            }
        }
        StaticFiles.add(to: router)

        func page(_ path: String, _ render: @escaping @Sendable (PageRequest) throws -> HTML) {
            router.get(RouterPath(stringLiteral: path)) { request, _ in
                await self.page(request, render)
            }
        }
    }

    var ledgerID: String { ledger.ledgerID.uuidString.lowercased() }

    /// A piece of a page (no layout) for the signed-in actor: 401 without a session (the script asks, not a person).
    private func fragment(_ request: Request, _ render: @escaping @Sendable (PageRequest) throws -> HTML) async -> Response {
        guard let token = Sessions.token(of: request), sessions.actor(token: token) != nil else {
            return WebResponse.page("<p role=\"alert\">Sign in first.</p>", status: .unauthorized)
        }
        return await page(request, render, layout: false)
    }

    /// A page for the signed-in actor, rendered off the event loops; 303 to the sign-in page without a session. A
    /// failure (a bad query parameter, an unknown definition) is shown on a page with its status.
    private func page(_ request: Request, _ render: @escaping @Sendable (PageRequest) throws -> HTML, layout: Bool = true) async -> Response {
        guard let token = Sessions.token(of: request), let session = sessions.session(token: token) else {
            return WebResponse.redirect(to: "/sign-in")
        }
        let actor = session.actor
        var parameters: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { parameters[String(k)] = String(v) }
        let query = parameters
        let ledger = self.ledger, ledgerID = self.ledgerID
        do {
            let html = try await Blocking.run { () throws -> HTML? in
                // A session ends with its key's revocation or its actor's deactivation (LedgerRoutes.signedIn).
                let state: LedgerState
                do { state = try ledger.checkSession(actor: session.actor, keyID: session.keyID) } catch DomainError.refused { return nil }
                let info = state.actors[actor]
                let viewer = Viewer(actor: actor, name: info?.name ?? actor, roles: info?.active == true ? info?.roles ?? [] : [], ledgerID: ledgerID)
                return try render(PageRequest(viewer: viewer, query: query, ledger: ledger, now: Date()))
            }
            guard let html else {
                sessions.close(token: token)
                return WebResponse.redirect(to: "/sign-in")
            }
            return WebResponse.page(html)
        } catch {
            let e = (error as? APIError) ?? APIError(LedgerFailure(error))
            if e.status.code >= 500 { logger.error("page failed", metadata: ["path": "\(request.uri.path)", "error": "\(e.message)"]) }
            let rule: HTML = e.rule.map { "<p>Rule: <code>\($0)</code></p>" } ?? ""
            guard layout else { return WebResponse.page("<p role=\"alert\">\(e.message)</p>", status: e.status) }
            let viewer = Viewer(actor: actor, name: actor, roles: [], ledgerID: ledgerID)
            return WebResponse.page(Layout.page(title: "Not shown", path: request.uri.path, viewer: viewer,
                                                "<div class=\"refusal\" role=\"alert\"><p>\(e.message)</p>\(rule)</div>"), status: e.status)
        }
    }
}

extension WebRoutes.PageRequest {
    /// A time parameter (`?at=`), or nil; a usage error when it is not ISO 8601.
    func time(_ name: String) throws -> Date? {
        guard let t = query[name], !t.isEmpty else { return nil }
        guard let d = DomainTime.parse(t) else { throw DomainError.invalid("\(name): \(DomainTime.problem(t) ?? "\(t.debugDescription) is not an ISO 8601 time")") }
        return d
    }

    /// A text parameter, nil when absent or empty.
    func text(_ name: String) -> String? {
        guard let t = query[name]?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
        return t
    }
}
