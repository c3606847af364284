import AlignmentLedger
import Foundation

/// Who is looking at a page: the signed-in actor, their roles, and the ledger they sign for.
struct Viewer: Sendable {
    var actor: String
    var name: String
    var roles: [Role]
    /// The ledger id (lowercase UUID), which every signature binds.
    var ledgerID: String

    func has(_ role: Role) -> Bool { roles.contains(role) }
}

/// The frame of every page: head (stylesheet, scripts, the ledger id and actor for the scripts), the navigation, who is
/// signed in with the sign-out button, then the page's own content under its `h1`.
enum Layout {
    /// The pages in the navigation: path and name.
    static let pages: [(path: String, name: String)] = [
        ("/scorecard", "Scorecard"), ("/definitions", "Definitions"), ("/campaigns", "Campaigns"), ("/inbox", "Leads"),
        ("/content", "Content"), ("/audit", "Audit"), ("/live", "Live"),
    ]

    /// A page for a signed-in `viewer`; `path` marks the current page in the navigation, `live` loads the live tail.
    static func page(title: String, path: String, viewer: Viewer, live: Bool = false, _ content: HTML) -> HTML {
        var nav = pages.map { p -> HTML in
            p.path == path ? "<li><a href=\"\(p.path)\" aria-current=\"page\">\(p.name)</a></li>" : "<li><a href=\"\(p.path)\">\(p.name)</a></li>"
        }
        if viewer.has(.revops) {
            nav.append(path == "/admin" ? "<li><a href=\"/admin\" aria-current=\"page\">People and keys</a></li>" : "<li><a href=\"/admin\">People and keys</a></li>")
        }
        let roles = viewer.roles.map(\.rawValue).joined(separator: ", ")
        let header: HTML = """
            <header class="top"><a class="brand" href="/scorecard">Alignment ledger</a>
            <nav aria-label="Main"><ul>\(nav)</ul></nav>
            <div class="who"><span>Signed in as <strong>\(viewer.actor)</strong> (\(roles.isEmpty ? "no role" : roles))</span>
            <button type="button" id="sign-out">Sign out</button></div></header>
            """
        return document(title: title, ledgerID: viewer.ledgerID, actor: viewer.actor, live: live, header: header, content)
    }

    /// A page anyone may open (sign-in, enrolment).
    static func openPage(title: String, ledgerID: String, _ content: HTML) -> HTML {
        let header: HTML = """
            <header class="top"><a class="brand" href="/sign-in">Alignment ledger</a>
            <nav aria-label="Main"><ul><li><a href="/sign-in">Sign in</a></li><li><a href="/enrol">Enrol a key</a></li></ul></nav></header>
            """
        return document(title: title, ledgerID: ledgerID, actor: nil, live: false, header: header, content)
    }

    private static func document(title: String, ledgerID: String, actor: String?, live: Bool, header: HTML, _ content: HTML) -> HTML {
        let actorMeta: HTML = actor.map { "<meta name=\"align-actor\" content=\"\($0)\">" } ?? ""
        let liveScript: HTML = live ? "<script src=\"/static/live.js\" defer></script>" : ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Alignment ledger</title>
            <meta name="align-ledger" content="\(ledgerID)">\(actorMeta)
            <link rel="icon" href="data:,"><link rel="stylesheet" href="/static/align.css">
            <script src="/static/align.js" defer></script>\(liveScript)
            </head><body>
            <a class="skip" href="#main">Skip to content</a>
            \(header)
            <main id="main"><h1>\(title)</h1>
            \(content)
            </main></body></html>

            """
    }

    // MARK: Pieces the pages share

    /// A time as ISO 8601 (UTC), in a `<time>` element.
    static func time(_ d: Date?) -> HTML {
        guard let d else { return "<span class=\"none\">–</span>" }
        let t = DomainTime.format(d)
        return "<time datetime=\"\(t)\">\(short(t))</time>"
    }

    /// `2026-03-01T09:00:00.123Z` shown as `2026-03-01 09:00Z` (the full time is in `datetime`).
    static func short(_ iso: String) -> String {
        guard iso.count >= 16 else { return iso }
        let chars = Array(iso)
        return String(chars[0..<10]) + " " + String(chars[11..<16]) + "Z"
    }

    /// A signed command's form: the script signs and posts it (`data-command` names the apply line's command). Its
    /// result, or the rule's refusal, shows in the form's status line. A submit button with a name (`submitName`, or
    /// one of `extraButtons`) sends that name as a `true` argument (`approve`, `request-changes`).
    static func commandForm(_ command: String, label: String, fixed: [(String, String)] = [], ints: [(String, Int)] = [], transform: String? = nil,
                            _ fields: HTML, button: String, submitName: String? = nil, extraButtons: HTML = "") -> HTML {
        let hidden = fixed.map { HTML("<input type=\"hidden\" name=\"\($0.0)\" value=\"\($0.1)\">") }
            + ints.map { HTML("<input type=\"hidden\" name=\"\($0.0)\" value=\"\($0.1)\" data-type=\"int\">") }
        let t: HTML = transform.map { " data-transform=\"\($0)\"" } ?? ""
        let n: HTML = submitName.map { " name=\"\($0)\"" } ?? ""
        return """
            <form class="command" data-command="\(command)"\(t) aria-label="\(label)">\(hidden)\(fields)
            <div class="actions"><button type="submit"\(n)>\(button)</button>\(extraButtons)</div>
            <p class="result" role="status" aria-live="polite"></p></form>
            """
    }

    /// A labelled text input (`type` text by default); `kind` tells the script how to read it (`int`, `lines`).
    static func field(_ label: String, name: String, type: String = "text", kind: String? = nil, required: Bool = false, value: String? = nil,
                      hint: String? = nil) -> HTML {
        let k: HTML = kind.map { " data-type=\"\($0)\"" } ?? ""
        let r: HTML = required ? " required" : ""
        let v: HTML = value.map { " value=\"\($0)\"" } ?? ""
        // A hint describes the field (aria-describedby) rather than being part of its name, so a screen reader says
        // "Fit criteria" and then the hint, and the label is what a person (or a test) looks for.
        let id = "hint-" + UUID().uuidString.prefix(8).lowercased()
        let d: HTML = hint == nil ? "" : " aria-describedby=\"\(id)\""
        let h: HTML = hint.map { "<small class=\"hint\" id=\"\(id)\">\($0)</small>" } ?? ""
        if kind == "lines" {
            return "<label>\(label) <textarea name=\"\(name)\" data-type=\"lines\" rows=\"3\"\(d)\(r)></textarea></label>\(h)"
        }
        return "<label>\(label) <input type=\"\(type)\" name=\"\(name)\"\(k)\(d)\(r)\(v)></label>\(h)"
    }

    /// A revops override of a refusing rule: the box and the reason the event records (`--override --reason`).
    static let overrideFields: HTML = """
        <label class="check"><input type="checkbox" name="override"> Override the rule (revops)</label>
        <label>Reason for the override <input type="text" name="reason"></label>
        """

    /// A labelled multi-line text (sent as one string).
    static func textArea(_ label: String, name: String, required: Bool = false) -> HTML {
        "<label>\(label) <textarea name=\"\(name)\" rows=\"2\"\(required ? HTML(" required") : "")></textarea></label>"
    }

    /// A labelled choice among `options` (value, text); `blank` adds an empty first choice.
    static func select(_ label: String, name: String, options: [(String, String)], blank: String? = nil, kind: String? = nil) -> HTML {
        let first: HTML = blank.map { "<option value=\"\">\($0)</option>" } ?? ""
        let k: HTML = kind.map { " data-type=\"\($0)\"" } ?? ""
        let opts = options.map { HTML("<option value=\"\($0.0)\">\($0.1)</option>") }
        return "<label>\(label) <select name=\"\(name)\"\(k)>\(first)\(opts)</select></label>"
    }

    /// A table with a caption, in a wrapper that scrolls sideways on a narrow screen.
    static func table(caption: String, head: [String], rows: [HTML], empty: String) -> HTML {
        guard !rows.isEmpty else { return "<p class=\"empty\">\(empty)</p>" }
        let th = head.map { HTML("<th scope=\"col\">\($0)</th>") }
        return """
            <div class="scroll"><table><caption>\(caption)</caption><thead><tr>\(th)</tr></thead><tbody>\(rows)</tbody></table></div>
            """
    }

    /// A ratio as `67 % (2/3)`, or `–` when nothing was counted.
    static func ratio(_ r: Ratio) -> HTML {
        guard let v = r.value else { return "<span class=\"none\">– (0/0)</span>" }
        return "\(Int((v * 100).rounded())) % <small>(\(r.numerator)/\(r.denominator))</small>"
    }
}
