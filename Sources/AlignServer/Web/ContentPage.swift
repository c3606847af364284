import AlignmentLedger
import Foundation

/// `/content`: the content plan by buy-cycle stage, sales' requests and how marketing triaged them (mapped to a planned
/// asset, added to the plan, declined, ad hoc). Sales requests; marketing plans, triages and fulfils.
enum ContentPage {
    /// The most requests shown.
    static let shown = 200

    static let outcomes: [(String, String)] = [
        ("map-to", "Map to a planned asset"), ("add-to-plan", "Add to the plan as a new asset"), ("decline", "Decline"), ("ad-hoc", "Make ad hoc"),
    ]

    static func render(_ r: WebRoutes.PageRequest) throws -> HTML {
        let v = r.viewer
        let content = try r.ledger.content()
        let stages = Stage.allCases.map { ($0.rawValue, $0.rawValue) }
        let plan = Stage.allCases.map { stage -> HTML in
            let assets = content.compactMap(\.asset).filter { $0.stage == stage }.map { a -> HTML in
                "<li><strong>\(a.title)</strong> <code>\(a.asset)</code>\(a.persona.map { HTML(", for \($0)") } ?? "")\(a.fromRequest.map { HTML(" (from request \($0))") } ?? "")</li>"
            }
            return """
                <section class="card stage" aria-labelledby="stage-\(stage.rawValue)-h"><h3 id="stage-\(stage.rawValue)-h">\(stage.rawValue.capitalized)</h3>\
                \(assets.isEmpty ? "<p class=\"empty\">Nothing planned.</p>" : HTML("<ul>\(assets)</ul>"))</section>
                """
        }
        // Those waiting for triage first, then the latest; at most `shown`.
        let all = content.filter { $0.request != nil }
            .sorted { ($0.triage == nil ? 0 : 1, $1.requestedAt ?? .distantPast) < ($1.triage == nil ? 0 : 1, $0.requestedAt ?? .distantPast) }
        let requests = all.prefix(shown).map { request($0, viewer: v, stages: stages) }
        let planForm: HTML = v.has(.marketing) ? """
            <section aria-labelledby="plan-form-h" class="card"><h2 id="plan-form-h">Plan an asset</h2>
            \(Layout.commandForm("content.plan", label: "Plan an asset", """
                \(Layout.field("Asset id", name: "asset", required: true))
                \(Layout.field("Title", name: "title", required: true))
                \(Layout.select("Stage", name: "stage", options: stages))
                \(Layout.field("Persona", name: "persona"))
                """, button: "Plan asset"))</section>
            """ : ""
        let requestForm: HTML = v.has(.sales) ? """
            <section aria-labelledby="request-form-h" class="card"><h2 id="request-form-h">Request content</h2>
            \(Layout.commandForm("content.request", label: "Request content", """
                \(Layout.field("Request id", name: "id", required: true))
                \(Layout.field("What", name: "what", required: true))
                \(Layout.select("Stage", name: "stage", options: stages))
                \(Layout.field("Lead id", name: "lead"))
                \(Layout.textArea("Why", name: "why"))
                """, button: "Request"))</section>
            """ : ""
        return Layout.page(title: "Content", path: "/content", viewer: v, """
            <section aria-labelledby="plan-h"><h2 id="plan-h">Plan by buy-cycle stage</h2><div class="charts">\(plan)</div></section>
            <section aria-labelledby="requests-h"><h2 id="requests-h">Requests</h2>\
            \(all.count > shown ? HTML("<p>Untriaged first, then the latest: \(shown) of \(all.count) requests.</p>") : "")\
            \(requests.isEmpty ? "<p class=\"empty\">No content request yet.</p>" : HTML.join(requests))</section>
            \(requestForm)
            \(planForm)
            """)
    }

    static func request(_ c: ContentState, viewer v: Viewer, stages: [(String, String)]) -> HTML {
        guard let q = c.request else { return "" }
        var triage: HTML = "<span class=\"none\">not triaged</span>"
        if let t = c.triage {
            triage = "\(t.outcome.rawValue)\(t.asset.map { HTML(" → <code>\($0)</code>") } ?? "")\(t.reason.map { HTML(": \($0)") } ?? "")"
        }
        var forms: [HTML] = []
        if v.has(.marketing) {
            if c.triage == nil {
                forms.append(Layout.commandForm("content.triage", label: "Triage \(c.id)", fixed: [("id", c.id)], transform: "triage", """
                    \(Layout.select("Outcome", name: "outcome", options: outcomes))
                    \(Layout.field("Asset id", name: "asset", hint: "to map to, or to add to the plan"))
                    \(Layout.field("Reason", name: "reason", hint: "needed to decline or make ad hoc"))
                    """, button: "Triage \(c.id)"))
            } else if c.fulfilled == nil, c.triage?.outcome != .declined {
                forms.append(Layout.commandForm("content.fulfil", label: "Fulfil \(c.id)", fixed: [("id", c.id)], "", button: "Mark \(c.id) fulfilled"))
            }
        }
        return """
            <article class="card" id="request-\(c.id)" aria-labelledby="request-\(c.id)-h"><h3 id="request-\(c.id)-h">Request \(c.id)</h3>
            <dl class="facts"><dt>What</dt><dd>\(q.what)</dd><dt>Stage</dt><dd>\(q.stage.rawValue)</dd>
            \(q.why.map { HTML("<dt>Why</dt><dd>\($0)</dd>") } ?? "")
            <dt>Lead</dt><dd>\(q.lead ?? "–")</dd><dt>Requested by</dt><dd>\(c.requestedBy ?? "–"), \(Layout.time(c.requestedAt))</dd>
            <dt>Triage</dt><dd>\(triage)</dd><dt>Fulfilled</dt><dd>\(c.fulfilled == nil ? "no" : "yes")\(c.fulfilled?.asset.map { HTML(", with <code>\($0)</code>") } ?? "")</dd></dl>
            \(forms.isEmpty ? "" : HTML("<div class=\"forms\">\(forms)</div>"))
            </article>
            """
    }
}
