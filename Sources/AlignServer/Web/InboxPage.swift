import AlignmentLedger
import Foundation

/// `/inbox`: the signed-in salesperson's open leads (`leads(owner: me, open: true)`), each with its behaviour, its
/// evaluation against the definition version, the campaign brief attached at handoff and its age against the SLA;
/// accept, or reject with a reason code. Marketing hands leads off here. The live tail (`/static/live.js`) inserts a
/// lead handed to the owner shown while the page is open. `?owner=ID` shows another salesperson's inbox (read only).
enum InboxPage {
    /// The most leads shown (the newest).
    static let shown = 100

    static func render(_ r: WebRoutes.PageRequest) throws -> HTML {
        let v = r.viewer
        let owner = r.text("owner") ?? v.actor
        // The head before the leads: the live tail starts after it, so a lead handed off meanwhile is not missed.
        let head = try r.ledger.head().position
        let state = try r.ledger.ledgerState()
        let sla = state.policy.slaHours
        // Newest first (a lead handed off while the page is open is always among those shown), at most `shown`.
        let open = try r.ledger.leads(owner: owner, open: true)
        let leads = open.sorted { ($0.handedOffAt ?? .distantPast) > ($1.handedOffAt ?? .distantPast) }.prefix(shown)
        let mine = owner == v.actor
        let items = leads.map { article($0, viewer: v, slaHours: sla, now: r.now, canDecide: mine && v.has(.sales)) }
        let sales = state.actors.values.filter { $0.active && $0.roles.contains(.sales) }.sorted { $0.id < $1.id }
        let handoff: HTML = v.has(.marketing) ? """
            <section aria-labelledby="handoff-h" class="card"><h2 id="handoff-h">Hand off a lead</h2>
            \(Layout.commandForm("lead.handoff", label: "Hand off a lead", """
                \(Layout.field("Lead id", name: "id", required: true))
                \(Layout.field("Definition id", name: "definition", required: true))
                \(Layout.field("Definition version", name: "version", type: "number", kind: "int", hint: "default: the active one"))
                \(Layout.field("Campaign id", name: "campaign"))
                \(Layout.select("Owner", name: "owner", options: sales.map { ($0.id, "\($0.name) (\($0.id))") }, blank: "no owner"))
                \(Layout.field("Profile", name: "profile", kind: "lines", hint: "KEY=VALUE, one a line, e.g. employees=450"))
                \(Layout.field("Signals", name: "signal", kind: "lines", hint: "NAME@TIME[:DETAIL], one a line, e.g. webinar.attended@2026-03-01T10:00:00Z:Pricing"))
                \(Layout.textArea("Note", name: "note"))
                """, button: "Hand off"))
            </section>
            """ : ""
        let heading = mine ? "Your open leads" : "Open leads of \(owner)"
        return Layout.page(title: "Leads", path: "/inbox", viewer: v, live: true, """
            <section aria-labelledby="inbox-h"><h2 id="inbox-h">\(heading) <small>(<span id="inbox-count">\(open.count)</span>, SLA \(sla) hours)</small></h2>
            \(open.count > shown ? HTML("<p>The newest \(shown) of \(open.count) open leads; see <code>align lead list --owner \(owner) --open</code> for all.</p>") : "")
            <p class="live-note" role="status" aria-live="polite" id="inbox-news"></p>
            <div id="inbox" data-owner="\(owner)" data-from="\(head + 1)">\(items.isEmpty ? "<p class=\"empty\">No open lead.</p>" : HTML.join(items))</div>
            </section>
            \(handoff)
            """)
    }

    /// `/inbox/leads/ID?owner=`: the article of one lead of the inbox of `owner` (default: the viewer), as the page
    /// shows it; 404 when it is not an open lead of that owner.
    static func fragment(_ r: WebRoutes.PageRequest, lead id: String) throws -> HTML {
        let v = r.viewer
        let owner = r.text("owner") ?? v.actor
        let l = try r.ledger.lead(id)
        guard l.status == .handedOff, l.handoff?.owner == owner else {
            throw DomainError.notFound("lead '\(id)' is not an open lead of \(owner)")
        }
        let sla = try r.ledger.ledgerState().policy.slaHours
        return article(l, viewer: v, slaHours: sla, now: r.now, canDecide: owner == v.actor && v.has(.sales))
    }

    static func article(_ l: LeadState, viewer v: Viewer, slaHours: Int, now: Date, canDecide: Bool) -> HTML {
        let h = l.handoff
        let ageHours = l.handedOffAt.map { now.timeIntervalSince($0) / 3600 } ?? 0
        let late = ageHours > Double(slaHours)
        let age: HTML = "<span class=\"age \(late ? "late" : "ok")\">\(String(format: "%.1f", ageHours)) h of \(slaHours) h\(late ? " (past the SLA)" : "")</span>"
        let profile = (h?.profile ?? [:]).sorted { $0.key < $1.key }.map { HTML("<dt>\($0.key)</dt><dd>\($0.value)</dd>") }
        let signals = (h?.signals ?? []).map { s -> HTML in
            "<li><code>\(s.name)</code> \(Layout.time(s.at))\(s.detail.map { HTML(": \($0)") } ?? "")</li>"
        }
        var evaluation: HTML = "<span class=\"none\">not evaluated</span>"
        if let e = h?.evaluation {
            let criteria = e.criteria.map { c -> HTML in
                "<li class=\"\(c.outcome.rawValue)\"><code>\(c.criterion)</code>: \(c.outcome.rawValue)\(c.observed.map { HTML(" (seen: \($0))") } ?? "")</li>"
            }
            evaluation = "<p>\(e.met ? "meets the definition" : e.short)\(e.offDefinition.map { HTML(", let through (\($0.rawValue))") } ?? "")</p><ul>\(criteria)</ul>"
        }
        var brief: HTML = h?.campaign == nil ? "<span class=\"none\">no campaign</span>" : "<span class=\"none\">no brief was published before the handoff</span>"
        if let b = h?.brief {
            let points: HTML = b.talkingPoints.isEmpty ? "" : "<ul>\(b.talkingPoints.map { HTML("<li>\($0)</li>") })</ul>"
            brief = "<div class=\"brief\"><p><strong>Brief v\(b.version)</strong>: \(b.summary)</p>\(points)\(b.offer.map { HTML("<p>Offer: \($0)</p>") } ?? "")</div>"
        }
        var forms: [HTML] = []
        if canDecide {
            forms.append(Layout.commandForm("lead.accept", label: "Accept \(l.id)", fixed: [("id", l.id)], "", button: "Accept \(l.id)"))
            forms.append(Layout.commandForm("lead.reject", label: "Reject \(l.id)", fixed: [("id", l.id)], """
                \(Layout.select("Reason", name: "reason", options: RejectionReason.allCases.map { ($0.rawValue, $0.rawValue) }))
                \(Layout.field("Note", name: "note"))
                """, button: "Reject \(l.id)"))
        }
        return """
            <article class="card lead" id="lead-\(l.id)" aria-labelledby="lead-\(l.id)-h"><h3 id="lead-\(l.id)-h">Lead \(l.id)</h3>
            <p class="status">handed off by \(l.handedOffBy ?? "–") \(Layout.time(l.handedOffAt)), age \(age)</p>
            <dl class="facts"><dt>Definition</dt><dd>\(h?.definition ?? "–") v\(h?.definitionVersion ?? 0)</dd>
            <dt>Evaluation</dt><dd>\(evaluation)</dd>
            <dt>Campaign</dt><dd>\(h?.campaign ?? "–")</dd>
            <dt>Brief</dt><dd>\(brief)</dd>
            \(h?.note.map { HTML("<dt>Note</dt><dd>\($0)</dd>") } ?? "")</dl>
            <h4>Behaviour</h4>\(signals.isEmpty ? "<p class=\"none\">no behavioural signal</p>" : HTML("<ul class=\"signals\">\(signals)</ul>"))
            <h4>Profile</h4>\(profile.isEmpty ? "<p class=\"none\">no profile</p>" : HTML("<dl class=\"facts\">\(profile)</dl>"))
            \(forms.isEmpty ? "" : HTML("<div class=\"forms\">\(forms)</div>"))
            </article>
            """
    }
}
