// The web pages of `align serve`: every page renders for a signed-in actor and redirects without a session, carries the
// security headers, escapes hostile text, and loads no inline script or style; the static files are served.
import AlignServer
import AlignmentLedger
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Text no page may render as markup.
let hostile = #"<script>alert(1)</script>"'&"#
/// `hostile` escaped as the pages escape it.
let hostileEscaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"

extension ServerFixture {
    /// The fixture's ledger with hostile text in every kind of thing the pages show: a definition's title and
    /// rationale, a sign-off comment, a campaign (name, review comment, brief), a lead (profile, signal detail, note),
    /// a content request and an override's reason.
    func withHostileStory() throws -> ServerFixture {
        let k = keys
        try ledger.execute(.definitionPropose(id: "mql", title: hostile, fit: [try Criterion.parse("employees>=200")], engagement: [],
                                              rationale: hostile), as: "maria", signer: k["maria"])
        try ledger.execute(.definitionSignOff(id: "mql", version: 1, comment: hostile), as: "sam", signer: k["sam"])
        try ledger.execute(.definitionActivate(id: "mql", version: 1, override: nil), as: "maria", signer: k["maria"])
        try ledger.execute(.campaignDraft(id: "q3", name: hostile, audience: hostile, offer: nil, channels: ["email"], launchDate: nil),
                           as: "maria", signer: k["maria"])
        try ledger.execute(.campaignRequestReview(id: "q3"), as: "maria", signer: k["maria"])
        try ledger.execute(.campaignReview(id: "q3", approve: false, comment: hostile), as: "sam", signer: k["sam"])
        try ledger.execute(.campaignBrief(id: "q3", summary: hostile, talkingPoints: [hostile], offer: hostile), as: "maria", signer: k["maria"])
        try ledger.execute(.campaignLaunch(id: "q3", override: hostile), as: "rita", signer: k["rita"])
        var h = HandoffArgs(id: "L-1", definition: "mql")
        h.owner = "sam"
        h.campaign = "q3"
        h.profile = ["employees": "450", "company": hostile]
        h.signals = [try Signal.parse("webinar.attended@\(DomainTime.format(Date().addingTimeInterval(-60))):\(hostile)")]
        h.note = hostile
        try ledger.execute(.leadHandoff(h), as: "maria", signer: k["maria"])
        try ledger.execute(.contentPlan(asset: "roi", title: hostile, stage: .decision, persona: hostile), as: "maria", signer: k["maria"])
        try ledger.execute(.contentRequest(id: "R-1", what: hostile, stage: .decision, lead: "L-1", why: hostile), as: "sam", signer: k["sam"])
        return self
    }
}

extension TestResponse {
    func header(_ name: String) -> String? { headers.first { $0.name.canonicalName == name.lowercased() }?.value }
}

@Suite("align serve: the web pages")
struct WebPageTests {
    static let pages = ["/scorecard", "/definitions", "/campaigns", "/inbox", "/content", "/audit", "/audit?definition=mql&actor=sam",
                        "/audit?definition=mql&at=2020-01-01", "/live", "/admin"]
    static let csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    func expectSecurityHeaders(_ r: TestResponse, _ what: String) {
        #expect(r.header("Content-Security-Policy") == WebPageTests.csp, "\(what)")
        #expect(r.header("X-Content-Type-Options") == "nosniff", "\(what)")
        #expect(r.header("Referrer-Policy") == "no-referrer", "\(what)")
    }

    @Test func everyPageRendersForEverySignedInRole() async throws {
        let f = try ServerFixture().withHostileStory()
        try await f.withClient { api in
            for actor in ["rita", "maria", "sam"] {
                for page in WebPageTests.pages {
                    let r = try await api.get(page, as: actor)
                    #expect(r.status == .ok, "\(page) as \(actor): \(r.text.prefix(400))")
                    #expect(r.headers[.contentType] == "text/html; charset=utf-8")
                    expectSecurityHeaders(r, page)
                    #expect(r.text.hasPrefix("<!doctype html>") && r.text.contains("<h1>") && r.text.contains("Signed in as <strong>\(actor)</strong>"), "\(page)")
                    #expect(r.text.contains("<meta name=\"align-ledger\" content=\"\(f.ledger.ledgerID.uuidString.lowercased())\">"))
                }
            }
        }
    }

    @Test func pagesWithoutASessionRedirectToSignIn() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            for page in WebPageTests.pages + ["/"] {
                let r = try await api.get(page, as: nil)
                #expect(r.status == .seeOther, "\(page)")
                #expect(r.headers[.location] == "/sign-in", "\(page)")
                expectSecurityHeaders(r, page)
            }
            let stale = try await api.client.execute(uri: "/inbox", method: .get, headers: [.cookie: "align_session=made-up"])
            #expect(stale.status == .seeOther)
            // The sign-in and enrolment pages are open; `/` sends a signed-in actor to the scorecard.
            for page in ["/sign-in", "/enrol"] {
                let r = try await api.get(page, as: nil)
                #expect(r.status == .ok && r.text.contains("<h1>"), "\(page)")
                expectSecurityHeaders(r, page)
            }
            #expect(try await api.get("/", as: "sam").headers[.location] == "/scorecard")
        }
    }

    @Test func hostileTextIsEscapedOnEveryPage() async throws {
        let f = try ServerFixture().withHostileStory()
        try await f.withClient { api in
            // Where each kind of hostile text shows, and as whom.
            let shown: [(String, String)] = [("/definitions", "sam"), ("/campaigns", "sam"), ("/inbox", "sam"), ("/content", "maria"),
                                             ("/audit?definition=mql&actor=maria", "rita"), ("/audit", "rita")]
            for (page, actor) in shown {
                let text = try await api.get(page, as: actor).text
                #expect(text.contains(hostileEscaped), "\(page) shows the hostile text, escaped")
                #expect(!text.contains("<script>alert"), "\(page) renders no hostile markup")
            }
            for page in WebPageTests.pages {
                for actor in ["rita", "maria", "sam"] {
                    let text = try await api.get(page, as: actor).text
                    #expect(!text.contains("<script>alert") && !text.contains("\"'&<"), "\(page)")
                    // The pages' own markup is never escaped by mistake (a `String` where `HTML` was meant).
                    let rest = text.replacingOccurrences(of: hostileEscaped, with: "")
                    #expect(!rest.contains("&lt;") && !rest.contains("[AlignServer.HTML"), "\(page) as \(actor): \(rest.components(separatedBy: "&lt;").dropFirst().first?.prefix(80) ?? "")")
                }
            }
        }
    }

    @Test func pagesHaveNoInlineScriptStyleOrHandler() async throws {
        let f = try ServerFixture().withHostileStory()
        try await f.withClient { api in
            for page in WebPageTests.pages + ["/sign-in", "/enrol"] {
                let text = try await api.get(page, as: "rita").text
                let scripts = text.components(separatedBy: "<script").dropFirst()
                #expect(!scripts.isEmpty, "\(page) loads its script")
                for s in scripts { #expect(s.hasPrefix(" src=\"/static/") && s.contains("></script>"), "\(page): \(s.prefix(60))") }
                #expect(!text.contains(" style=") && !text.contains("<style"), "\(page) has no inline style")
                #expect(text.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "\(page) has no inline event handler")
                #expect(!text.contains("http://") && !text.contains("https://"), "\(page) loads nothing from elsewhere")
            }
        }
    }

    @Test func everyFormControlHasALabelAndEveryButtonAName() async throws {
        let f = try ServerFixture().withHostileStory()
        try await f.withClient { api in
            for (page, actor) in [("/definitions", "maria"), ("/definitions", "sam"), ("/campaigns", "maria"), ("/campaigns", "sam"), ("/inbox", "sam"),
                                  ("/inbox", "maria"), ("/content", "maria"), ("/content", "sam"), ("/admin", "rita"), ("/audit", "rita"),
                                  ("/scorecard", "rita"), ("/sign-in", "rita"), ("/enrol", "rita")] {
                let text = try await api.get(page, as: actor).text
                // Each visible control is wrapped in its <label> (so it is named by the label's text).
                let controls = text.matches(of: #/<(input|select|textarea)\b[^>]*>/#).map { String($0.output.0) }.filter { !$0.contains("type=\"hidden\"") }
                let labelled = text.matches(of: #/<label[^>]*>[^<]*(<small>[^<]*</small>)?\s*(<input|<select|<textarea)/#).count
                #expect(!controls.isEmpty || ["/scorecard", "/campaigns"].contains(page), "\(page) as \(actor) has forms")  // q3 is launched: sam has nothing to review
                #expect(labelled == controls.count, "\(page) as \(actor): \(controls.count) controls, \(labelled) labelled")
                for b in text.matches(of: #/<button[^>]*>([^<]*)</button>/#) {
                    #expect(!b.output.1.trimmingCharacters(in: .whitespaces).isEmpty, "\(page): a button without a name")
                }
            }
        }
    }

    @Test func theFormsOfEachRoleAreNamedForTheBrowserTests() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            let sam = try await api.get("/definitions", as: "sam").text
            #expect(sam.contains(">Sign off mql v1</button>") && sam.contains(">Reject mql v1</button>") && !sam.contains("Activate mql v1"))
            let maria = try await api.get("/definitions", as: "maria").text
            #expect(maria.contains(">Activate mql v1</button>") && maria.contains(">Propose</button>") && !maria.contains("Sign off mql v1"))
            #expect(maria.contains("data-command=\"definition.propose\"") && maria.contains("aria-label=\"Propose a definition\""))
            let admin = try await api.get("/admin", as: "rita").text
            #expect(admin.contains("data-command=\"actor.key-add\"") && admin.contains(">Register key</button>"))
            #expect(admin.contains("data-command=\"actor.key-rotate\"") && admin.contains(">Replace key</button>"))
            #expect(admin.contains("data-command=\"actor.add\"") && admin.contains(">Add person</button>"))
            #expect(try await api.get("/admin", as: "sam").text.contains("Only revops"))
        }
    }

    @Test func theInboxShowsTheOwnersOpenLeadsWithTheirContext() async throws {
        let f = try ServerFixture().withHostileStory()
        try await f.withClient { api in
            let sam = try await api.get("/inbox", as: "sam").text
            #expect(sam.contains("id=\"lead-L-1\"") && sam.contains(">Accept L-1</button>") && sam.contains(">Reject L-1</button>"))
            #expect(sam.contains("Brief v1") && sam.contains("webinar.attended") && sam.contains("employees&gt;=200"))
            #expect(sam.contains("data-owner=\"sam\"") && sam.contains("/static/live.js"))
            let sofia = try await api.get("/inbox", as: "sofia").text
            #expect(!sofia.contains("lead-L-1") && sofia.contains("No open lead."))
            // Another's inbox: shown, without the decisions.
            let other = try await api.get("/inbox?owner=sam", as: "sofia").text
            #expect(other.contains("id=\"lead-L-1\"") && !other.contains("Accept L-1"))
            let maria = try await api.get("/inbox", as: "maria").text
            #expect(maria.contains("data-command=\"lead.handoff\"") && maria.contains(">Hand off</button>"))
        }
    }

    @Test func theLiveTailFetchesOneLeadsArticle() async throws {
        let f = try ServerFixture().withHostileStory()
        try await f.withClient { api in
            let r = try await api.get("/inbox/leads/L-1", as: "sam")
            #expect(r.status == .ok && r.text.hasPrefix("<article class=\"card lead\" id=\"lead-L-1\"") && r.text.contains(">Accept L-1</button>"), "\(r.text.prefix(200))")
            expectSecurityHeaders(r, "/inbox/leads/L-1")
            #expect(!r.text.contains("<script>alert") && r.text.contains(hostileEscaped))
            // The same article as the inbox shows.
            let page = try await api.get("/inbox", as: "sam").text
            #expect(page.contains(r.text))
            #expect(try await api.get("/inbox/leads/L-1?owner=sam", as: "sofia").text.contains("id=\"lead-L-1\""))
            #expect(try await api.get("/inbox/leads/L-1", as: "sofia").status == .notFound, "not sofia's lead")
            #expect(try await api.get("/inbox/leads/L-404", as: "sam").status == .notFound)
            #expect(try await api.get("/inbox/leads/L-1", as: nil).status == .unauthorized)
        }
    }

    @Test func aBadQueryIsShownOnThePageWithItsStatus() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            let r = try await api.get("/audit?definition=mql&at=yesterday")
            #expect(r.status == .badRequest && r.text.contains("role=\"alert\""), "\(r.text.prefix(300))")
            expectSecurityHeaders(r, "/audit")
            let missing = try await api.get("/audit?definition=nope")
            #expect(missing.status == .notFound && missing.text.contains("no lead definition"))
        }
    }

    @Test func theStaticFilesAreServedWithTheirTypesAndHeaders() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            for (path, type) in [("/static/align.js", "text/javascript; charset=utf-8"), ("/static/live.js", "text/javascript; charset=utf-8"),
                                 ("/static/align.css", "text/css; charset=utf-8")] {
                let r = try await api.get(path, as: nil)
                #expect(r.status == .ok && r.headers[.contentType] == type, "\(path)")
                expectSecurityHeaders(r, path)
                #expect(r.bytes.count > 1000, "\(path)")
            }
            let js = try await api.get("/static/align.js", as: nil).text
            for domain in ["align-key-possession/v1", "align-session/v1", "align-command/v1", "/api/v1/session/challenge", "/api/v1/commands"] {
                #expect(js.contains(domain), "align.js signs \(domain)")
            }
            #expect(js.contains(#"generateKey({ name: "Ed25519" }, false, ["sign", "verify"])"#), "the private key is not extractable")
        }
    }
}
