import AlignmentLedger
import Foundation

/// `/campaigns`: sales' review queue (approve, or request changes with a comment), every campaign with its reviews
/// and briefs; marketing drafts, asks for review, publishes briefs and launches.
enum CampaignsPage {
    static func render(_ r: WebRoutes.PageRequest) throws -> HTML {
        let v = r.viewer
        let campaigns = try r.ledger.campaigns()
        let draft: HTML = v.has(.marketing) ? """
            <section aria-labelledby="draft-h" class="card"><h2 id="draft-h">Draft a campaign</h2>
            <p>A new id drafts a campaign; an existing id drafts its next revision (which needs a new review).</p>
            \(Layout.commandForm("campaign.draft", label: "Draft a campaign", """
                \(Layout.field("Campaign id", name: "id", required: true))
                \(Layout.field("Name", name: "name", required: true))
                \(Layout.field("Audience", name: "audience"))
                \(Layout.field("Offer", name: "offer"))
                \(Layout.field("Channels", name: "channel", kind: "lines", hint: "one a line"))
                \(Layout.field("Launch date", name: "launch-date", type: "date"))
                """, button: "Draft"))
            </section>
            """ : ""
        let queue = campaigns.filter { $0.status == .inReview || ($0.status == .draft && $0.approvedRevision == nil && !$0.reviews.isEmpty) }
        let queueItems = queue.map { c -> HTML in
            "<li><a href=\"#campaign-\(c.id)\">\(c.id)</a>: \(c.name) (revision \(c.revision), \(c.status.rawValue))</li>"
        }
        let queueSection: HTML = """
            <section aria-labelledby="queue-h" class="card"><h2 id="queue-h">Review queue</h2>
            \(queueItems.isEmpty ? "<p class=\"empty\">No campaign waits for a sales review.</p>" : HTML("<ul>\(queueItems)</ul>"))</section>
            """
        let list = campaigns.map { article($0, viewer: v) }
        return Layout.page(title: "Campaigns", path: "/campaigns", viewer: v, """
            \(queueSection)
            \(draft)
            \(list.isEmpty ? "<p class=\"empty\">No campaign yet.</p>" : HTML.join(list))
            """)
    }

    static func article(_ c: CampaignState, viewer v: Viewer) -> HTML {
        let reviews: HTML = c.reviews.isEmpty ? "<span class=\"none\">none yet</span>"
            : "<ul>\(c.reviews.map { HTML("<li><strong>\($0.actor)</strong> \(Layout.time($0.at)): \($0.text ?? "")</li>") })</ul>"
        let briefs: HTML = c.briefs.isEmpty ? "<span class=\"none\">no brief yet</span>" : HTML.join(c.briefs.reversed().map(brief))
        var actions: [HTML] = []
        let open = c.status != .launched && c.status != .closed
        if v.has(.sales) && open {
            actions.append(Layout.commandForm("campaign.review", label: "Review \(c.id)", fixed: [("id", c.id)],
                                              Layout.textArea("Comment", name: "comment"),
                                              button: "Approve \(c.id)", submitName: "approve",
                                              extraButtons: "<button type=\"submit\" name=\"request-changes\">Request changes to \(c.id)</button>"))
        }
        if v.has(.marketing) {
            if c.status == .draft {
                actions.append(Layout.commandForm("campaign.request-review", label: "Request review of \(c.id)", fixed: [("id", c.id)], "",
                                                  button: "Request review of \(c.id)"))
            }
            if c.status != .closed {
                actions.append(Layout.commandForm("campaign.brief", label: "Publish a brief for \(c.id)", fixed: [("id", c.id)], """
                    \(Layout.textArea("Summary", name: "summary", required: true))
                    \(Layout.field("Talking points", name: "talking-point", kind: "lines", hint: "one a line"))
                    \(Layout.field("Offer", name: "offer"))
                    """, button: "Publish brief for \(c.id)"))
            }
            if open {
                actions.append(Layout.commandForm("campaign.launch", label: "Launch \(c.id)", fixed: [("id", c.id)], "", button: "Launch \(c.id)"))
            }
        }
        if v.has(.revops) && !v.has(.marketing) && open {
            // Revops launches only with an override of the rule that refuses (a launch without an approving review).
            actions.append(Layout.commandForm("campaign.launch", label: "Launch \(c.id)", fixed: [("id", c.id)], Layout.overrideFields,
                                              button: "Launch \(c.id)"))
            if c.status == .launched {
                actions.append(Layout.commandForm("campaign.close", label: "Close \(c.id)", fixed: [("id", c.id)], "", button: "Close \(c.id)"))
            }
        }
        let approved: String = c.approvedRevision.map { "approved (revision \($0))" } ?? "not approved"
        return """
            <article class="card" id="campaign-\(c.id)" aria-labelledby="campaign-\(c.id)-h"><h2 id="campaign-\(c.id)-h">Campaign \(c.id)</h2>
            <p class="status">\(c.name): \(c.status.rawValue), revision \(c.revision), \(approved)</p>
            <dl class="facts"><dt>Drafted by</dt><dd>\(c.draftedBy ?? "–"), \(Layout.time(c.draftedAt))</dd>
            <dt>Audience</dt><dd>\(c.audience ?? "–")</dd><dt>Offer</dt><dd>\(c.offer ?? "–")</dd>
            <dt>Channels</dt><dd>\(c.channels.isEmpty ? "–" : c.channels.joined(separator: ", "))</dd>
            <dt>Launch date</dt><dd>\(c.launchDate ?? "–")</dd>
            <dt>Launched</dt><dd>\(Layout.time(c.launchedAt))</dd>
            <dt>Reviews</dt><dd>\(reviews)</dd></dl>
            <h3>Briefs</h3>\(briefs)
            \(actions.isEmpty ? "" : HTML("<div class=\"forms\">\(actions)</div>"))
            </article>
            """
    }

    static func brief(_ b: Brief) -> HTML {
        let points: HTML = b.talkingPoints.isEmpty ? "" : "<ul>\(b.talkingPoints.map { HTML("<li>\($0)</li>") })</ul>"
        return """
            <div class="brief"><p><strong>Brief v\(b.version)</strong> \(Layout.time(b.at))</p><p>\(b.summary)</p>\(points)\
            \(b.offer.map { HTML("<p>Offer: \($0)</p>") } ?? "")</div>
            """
    }
}
