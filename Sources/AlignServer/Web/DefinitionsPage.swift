import AlignmentLedger
import Foundation

/// `/definitions`: every lead definition with its versions, criteria, sign-offs and rejections; marketing (or sales)
/// proposes, sales signs off or rejects, marketing or revops activates.
enum DefinitionsPage {
    static func render(_ r: WebRoutes.PageRequest) throws -> HTML {
        let v = r.viewer
        let definitions = try r.ledger.definitions()
        let propose: HTML = v.has(.marketing) || v.has(.sales) ? """
            <section aria-labelledby="propose-h" class="card"><h2 id="propose-h">Propose a definition</h2>
            <p>A new id starts a definition; an existing id proposes its next version.</p>
            \(Layout.commandForm("definition.propose", label: "Propose a definition", """
                \(Layout.field("Definition id", name: "id", required: true))
                \(Layout.field("Title", name: "title", required: true))
                \(Layout.field("Fit criteria", name: "fit", kind: "lines", hint: "one a line, e.g. employees>=200"))
                \(Layout.field("Engagement criteria", name: "engagement", kind: "lines", hint: "one a line, e.g. webinar.attended>=1 within 30d"))
                \(Layout.textArea("Rationale", name: "rationale"))
                """, button: "Propose"))
            </section>
            """ : ""
        let list = definitions.map { article($0, viewer: v) }
        return Layout.page(title: "Lead definitions", path: "/definitions", viewer: v, """
            \(propose)
            \(list.isEmpty ? "<p class=\"empty\">No lead definition yet.</p>" : HTML.join(list))
            """)
    }

    static func article(_ d: DefinitionState, viewer v: Viewer) -> HTML {
        let status: String = d.retired ? "retired" : d.activeVersion.map { "v\($0) active" } ?? "none active"
        let versions = d.versions.reversed().map { version($0, of: d, viewer: v, latest: $0.version == d.versions.count) }
        return """
            <article class="card" aria-labelledby="def-\(d.id)-h"><h2 id="def-\(d.id)-h">Definition \(d.id)</h2>
            <p class="status">\(status)</p>\(HTML.join(versions))</article>
            """
    }

    static func version(_ x: DefinitionVersion, of d: DefinitionState, viewer v: Viewer, latest: Bool) -> HTML {
        let label = "\(d.id) v\(x.version)"
        func list(_ items: [String]) -> HTML {
            items.isEmpty ? "<span class=\"none\">none</span>" : "<ul>\(items.map { HTML("<li><code>\($0)</code></li>") })</ul>"
        }
        func verdicts(_ vs: [Verdict], _ none: String) -> HTML {
            vs.isEmpty ? "<span class=\"none\">\(none)</span>"
                : "<ul>\(vs.map { HTML("<li><strong>\($0.actor)</strong> \(Layout.time($0.at))\($0.text.map { HTML(": \($0)") } ?? "")</li>") })</ul>"
        }
        let active = d.activeVersion == x.version ? HTML(" <span class=\"badge\">active</span>") : ""
        var actions: [HTML] = []
        if latest && !d.retired && d.activeVersion != x.version {
            if v.has(.sales) {
                actions.append(Layout.commandForm("definition.sign-off", label: "Sign off \(label)", fixed: [("id", d.id)], ints: [("version", x.version)],
                                                  Layout.field("Comment", name: "comment"), button: "Sign off \(label)"))
                actions.append(Layout.commandForm("definition.reject", label: "Reject \(label)", fixed: [("id", d.id)], ints: [("version", x.version)],
                                                  Layout.field("Reason", name: "reason", required: true), button: "Reject \(label)"))
            }
            if v.has(.marketing) || v.has(.revops) {
                actions.append(Layout.commandForm("definition.activate", label: "Activate \(label)", fixed: [("id", d.id)], ints: [("version", x.version)],
                                                  v.has(.revops) ? Layout.overrideFields : "", button: "Activate \(label)"))
            }
        }
        return """
            <section class="version" aria-label="\(label)"><h3>v\(x.version): \(x.title)\(active)</h3>
            <dl class="facts"><dt>Proposed by</dt><dd>\(x.author), \(Layout.time(x.proposedAt))</dd>
            <dt>Fit</dt><dd>\(list(x.fit.map(\.description)))</dd>
            <dt>Engagement</dt><dd>\(list(x.engagement.map(\.description)))</dd>
            \(x.rationale.map { HTML("<dt>Rationale</dt><dd>\($0)</dd>") } ?? "")
            <dt>Sign-offs</dt><dd>\(verdicts(x.signOffs, "none yet"))</dd>
            <dt>Rejections</dt><dd>\(verdicts(x.rejections, "none"))</dd></dl>
            \(actions.isEmpty ? "" : HTML("<div class=\"forms\">\(actions)</div>"))
            </section>
            """
    }
}
