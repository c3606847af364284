import AlignmentLedger
import Foundation

/// `/audit`: who approved a definition as of a date (with the proof bundle to download when the ledger has a signed
/// checkpoint), an actor's history, and the overrides on record; recorded time and business time side by side.
/// `?definition=ID&at=TIME`, `?actor=ID`.
enum AuditPage {
    /// The most events of an actor's history, and overrides, shown (the latest).
    static let historyLimit = 100

    static func render(_ r: WebRoutes.PageRequest) throws -> HTML {
        let definitionID = r.text("definition"), actorID = r.text("actor"), atText = r.text("at")
        let approval: HTML = try definitionID.map { try whoApproved($0, at: try r.time("at"), atText: atText, r) } ?? ""
        let history: HTML = try actorID.map { try actorHistory($0, r) } ?? ""
        let (overrides, _) = try r.ledger.auditOverrides()
        let overrideRows = overrides.suffix(historyLimit).reversed().map { o -> HTML in
            "<tr><td>\(o.position)</td><td>\(o.type)</td><td>\(o.stream)</td><td>\(o.actor)</td><td><code>\(o.rule)</code></td><td>\(o.reason)</td><td>\(Layout.time(o.at))</td><td>\(Layout.time(o.recordedAt))</td></tr>"
        }
        return Layout.page(title: "Audit", path: "/audit", viewer: r.viewer, """
            <section aria-labelledby="who-h" class="card"><h2 id="who-h">Who approved a definition</h2>
            <form method="get" action="/audit" aria-label="Who approved">
            \(Layout.field("Definition id", name: "definition", required: true, value: definitionID))
            \(Layout.field("As of", name: "at", value: atText, hint: "ISO 8601, e.g. 2026-03-01 or 2026-03-01T09:00:00Z; empty: now"))
            <div class="actions"><button type="submit">Show approval</button></div></form>
            \(approval)</section>
            <section aria-labelledby="history-h" class="card"><h2 id="history-h">An actor's history</h2>
            <form method="get" action="/audit" aria-label="Actor history">
            \(Layout.field("Actor id", name: "actor", required: true, value: actorID))
            <div class="actions"><button type="submit">Show history</button></div></form>
            \(history)</section>
            <section aria-labelledby="overrides-h" class="card"><h2 id="overrides-h">Overrides</h2>
            \(Layout.table(caption: overrides.count > historyLimit ? "The latest \(historyLimit) of \(overrides.count) overrides, latest first" : "Every override on record, latest first", head: ["Position", "Event", "Stream", "By", "Rule", "Reason", "Business time", "Recorded"],
                           rows: overrideRows, empty: "No override on record."))</section>
            """)
    }

    static func whoApproved(_ id: String, at: Date?, atText: String?, _ r: WebRoutes.PageRequest) throws -> HTML {
        let a = try r.ledger.whoApproved(id, at: at ?? r.now)
        guard let version = a.version else {
            return "<p class=\"result\" role=\"status\">No version of <code>\(id)</code> was active at \(Layout.time(a.at)).</p>"
        }
        let signOffs = a.signOffs.map { s -> HTML in
            "<tr><td>\(s.actor)</td><td>\(Layout.time(s.at))</td><td>\(Layout.time(s.recordedAt))</td><td>\(s.position)</td><td>\(s.comment ?? "")</td><td>\(s.backdated == true ? "yes" : "no")</td></tr>"
        }
        let rejections = a.rejections.map { x -> HTML in
            "<tr><td>\(x.actor)</td><td>\(Layout.time(x.at))</td><td>\(Layout.time(x.recordedAt))</td><td>\(x.position)</td><td>\(x.reason)</td><td>\(x.backdated ? "yes" : "no")</td></tr>"
        }
        var proof: HTML = "<p class=\"none\">No proof bundle yet: no checkpoint has been signed on this ledger (run <code>align checkpoint</code> beside the server).</p>"
        if try r.ledger.latestCheckpoint() != nil {
            let query = atText.map { "?at=" + HTML.component($0) } ?? ""
            proof = "<p><a href=\"/api/v1/audit/who-approved/\(HTML.component(id))/proof\(query)\" download>Download the proof bundle</a> (checked by <code>tools/verify_bundle.py</code>)</p>"
        }
        let head = ["Actor", "Business time", "Recorded", "Position", "Comment", "Backdated"]
        return """
            <div class="answer" role="region" aria-label="Approval of \(id)">
            <p><strong>\(id) v\(version)</strong>\(a.title.map { HTML(": \($0)") } ?? "") was active at \(Layout.time(a.at)).</p>
            <dl class="facts"><dt>Proposed by</dt><dd>\(a.author ?? "–"), \(Layout.time(a.proposedAt))</dd>
            <dt>Activated by</dt><dd>\(a.activatedBy ?? "–")</dd>
            <dt>Active from (business time)</dt><dd>\(Layout.time(a.activeFrom))</dd>
            <dt>Activation recorded</dt><dd>\(Layout.time(a.activationRecordedAt))\(a.activationBackdated == true ? " (backdated)" : "")</dd>
            <dt>Active until</dt><dd>\(Layout.time(a.activeUntil))</dd>
            \(a.override.map { HTML("<dt>Override</dt><dd>\($0.reason)</dd>") } ?? "")</dl>
            \(Layout.table(caption: "Sales sign-offs", head: head, rows: signOffs, empty: "No sales sign-off."))
            \(Layout.table(caption: "Sales rejections", head: ["Actor", "Business time", "Recorded", "Position", "Reason", "Backdated"], rows: rejections, empty: "No rejection."))
            \(proof)</div>
            """
    }

    static func actorHistory(_ id: String, _ r: WebRoutes.PageRequest) throws -> HTML {
        let trail = try r.ledger.auditActor(id)
        let rows = trail.events.suffix(historyLimit).reversed().map { e -> HTML in
            "<tr><td>\(e.position)</td><td>\(e.type)</td><td>\(e.stream)</td><td>\(Layout.time(e.occurredAt.date))</td><td>\(Layout.time(e.recordedAt.date))</td><td>\(AlignmentLedger.describe(e))</td></tr>"
        }
        return Layout.table(caption: "Events by \(id), latest first\(trail.events.count > historyLimit ? " (the latest \(historyLimit) of \(trail.events.count))" : "")",
                            head: ["Position", "Event", "Stream", "Business time", "Recorded", "What"], rows: rows, empty: "No event by \(id).")
    }
}
