import AlignmentLedger
import Foundation

/// `/admin`: people, their roles and keys; a revops member registers a key someone enrolled in their browser
/// (`actor.key-add`, signed by the revops member's own key, for a person without an active key), replaces a person's
/// key with it (`actor.key-rotate`), or adds a person with their key (`actor.add`).
enum AdminPage {
    static func render(_ r: WebRoutes.PageRequest) throws -> HTML {
        let v = r.viewer
        let state = try r.ledger.ledgerState()
        let rows = state.actors.values.sorted { $0.id < $1.id }.map { a -> HTML in
            let keys = state.keys.values.filter { $0.actor == a.id }.sorted { $0.registeredAt < $1.registeredAt }
                .map { k -> HTML in
                    // Who registered each key, and when: a key a person added themselves is worth a look after a theft.
                    let by: HTML = k.registeredBy == a.id ? "by \(k.registeredBy) themselves" : "by \(k.registeredBy)"
                    let revoked: HTML = k.revokedAt.map { " (revoked at #\($0))" } ?? ""
                    return "<code>\(k.id)</code> <small>\(by) at #\(k.registeredAt)\(revoked)</small>"
                }
            return "<tr><td>\(a.id)</td><td>\(a.name)</td><td>\(a.roles.map(\.rawValue).joined(separator: ", "))</td><td>\(a.active ? "yes" : "no")</td><td>\(HTML.join(keys, ", "))</td></tr>"
        }
        let people = Layout.table(caption: "People", head: ["Actor", "Name", "Roles", "Active", "Keys"], rows: rows, empty: "Nobody yet.")
        guard v.has(.revops) else {
            return Layout.page(title: "People and keys", path: "/admin", viewer: v, """
                <p>Only revops registers people and keys.</p>\(people)
                """)
        }
        let roles = Role.allCases.map { HTML("<label class=\"check\"><input type=\"checkbox\" name=\"role\" value=\"\($0.rawValue)\" data-type=\"list\"> \($0.rawValue)</label>") }
        return Layout.page(title: "People and keys", path: "/admin", viewer: v, """
            <section aria-labelledby="key-add-h" class="card"><h2 id="key-add-h">Register a key</h2>
            <p>Paste what the person's <a href="/enrol">enrolment page</a> shows. The registration is an event signed by you.</p>
            \(Layout.commandForm("actor.key-add", label: "Register a key", """
                \(Layout.field("Actor id", name: "actor", required: true))
                \(Layout.field("Public key", name: "key", required: true, hint: "ed25519:…"))
                \(Layout.field("Proof of possession", name: "proof", required: true))
                """, button: "Register key"))
            <p>A person who holds an active key adds another themselves (<code>align actor key add</code>); to move them to
            this key, replace theirs instead.</p></section>
            <section aria-labelledby="key-rotate-h" class="card"><h2 id="key-rotate-h">Replace a key</h2>
            <p>Registers the new key and revokes the person's active keys (a lost browser, a new machine). After a key is
            stolen, replace it here rather than revoke it alone: this revokes every active key of the person, including
            any the stolen key registered for them.</p>
            \(Layout.commandForm("actor.key-rotate", label: "Replace a key", """
                \(Layout.field("Actor id", name: "actor", required: true))
                \(Layout.field("Public key", name: "key", required: true, hint: "ed25519:…"))
                \(Layout.field("Proof of possession", name: "proof", required: true))
                """, button: "Replace key"))</section>
            <section aria-labelledby="actor-add-h" class="card"><h2 id="actor-add-h">Add a person</h2>
            \(Layout.commandForm("actor.add", label: "Add a person", """
                \(Layout.field("Actor id", name: "id", required: true))
                \(Layout.field("Display name", name: "name", required: true))
                <fieldset><legend>Roles</legend>\(roles)</fieldset>
                \(Layout.field("Public key", name: "key", hint: "optional, ed25519:…"))
                \(Layout.field("Proof of possession", name: "proof", hint: "with the key"))
                """, button: "Add person"))</section>
            <section aria-labelledby="people-h"><h2 id="people-h">People</h2>\(people)</section>
            """)
    }
}
