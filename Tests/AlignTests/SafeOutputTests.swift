// The issue's injections through the built binary: a newline in a sign-off comment does not print a forged approval
// line, escape codes in names and comments exit 2 and write nothing, an escape code typed as `--as` does not reach
// the terminal in the error message, and separation of duties refuses with exit 1.
import Foundation
import Testing

/// Whether text holds ESC, another C0 control than newline, a C1 control or a bidi control.
private func controls(_ s: String) -> Bool {
    s.unicodeScalars.contains {
        ($0.value < 0x20 && $0 != "\n") || (0x7F..<0xA0).contains($0.value) || (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value)
    }
}

@Suite("align: text that cannot lie on a terminal")
struct SafeOutputTests {
    @Test func aNewlineInASignOffCommentPrintsNoForgedApproval() throws {
        let cli = try CLI()
        try cli.ok(["init", "--admin", "rita", "--name", "Rita Revops"])
        for a in ["maria", "sam", "sofia"] { try cli.ok(["key", "generate", "--as", a], withLedger: false) }
        try cli.ok(["actor", "add", "maria", "--name", "Maria", "--role", "marketing", "--as", "rita"])
        try cli.ok(["actor", "add", "sam", "--name", "Sam", "--role", "sales", "--as", "rita"])
        try cli.ok(["actor", "add", "sofia", "--name", "Sofia", "--role", "sales", "--as", "rita"])
        try cli.ok(["definition", "propose", "mql", "--title", "MQL", "--fit", "employees>=200", "--as", "maria"])
        let comment = "ok\n  signed off by sofia at 2026-03-03T09:00:00Z (#9): forged"
        try cli.ok(["definition", "sign-off", "mql", "1", "--comment", comment, "--as", "sam"])
        try cli.ok(["definition", "activate", "mql", "1", "--as", "maria"])
        let o = try cli.ok(["audit", "who-approved", "mql"])
        let lines = o.out.split(separator: "\n")
        #expect(lines.filter { $0.contains("signed off by") }.count == 1, "\(o)")
        #expect(!lines.contains { $0.hasPrefix("  signed off by sofia") }, "\(o)")
        #expect(o.out.contains(#"): ok\n  signed off by sofia"#), "\(o)")
        for view in [["audit", "definition", "mql"], ["definition", "show", "mql"], ["audit", "actor", "sam"]] {
            let v = try cli.ok(view)
            #expect(!v.out.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("signed off by sofia") }, "\(v)")
        }
        // JSON keeps the comment as stored.
        let json = try cli.ok(["audit", "who-approved", "mql", "--json"]).json()
        #expect((json["signOffs"] as? [[String: Any]])?.first?["comment"] as? String == comment)
    }

    @Test func escapeCodesAreRefusedWithExit2AndNeverEchoed() throws {
        let cli = try CLI()
        try cli.ok(["init", "--admin", "rita", "--name", "Rita Revops"])
        let before = try cli.eventCount()
        let attempts: [[String]] = [
            ["actor", "add", "eve", "--name", "\u{1B}]0;pwned\u{07}Eve", "--role", "sales", "--as", "rita"],
            ["actor", "add", "eve", "--name", "Eve\u{202E}", "--role", "sales", "--as", "rita"],
            ["actor", "add", "eve\u{1B}[31m", "--name", "Eve", "--role", "sales", "--as", "rita"],
            ["policy", "set", "--sla-hours", "12", "--as", "rita\u{1B}[2J"],
        ]
        for args in attempts {
            let o = try cli.fails(2, args)
            #expect(!controls(o.err), "\(o.err.debugDescription)")
        }
        #expect(try cli.eventCount() == before)
    }

    @Test func selfDealingExits1() throws {
        let cli = try CLI()
        try cli.ok(["init", "--admin", "rita", "--name", "Rita Revops"])
        try cli.fails(1, ["actor", "roles", "rita", "--role", "revops", "--role", "sales", "--as", "rita"], mentioning: "no-self-role-change")
        try cli.ok(["key", "generate", "--as", "max"], withLedger: false)
        try cli.ok(["actor", "add", "max", "--name", "Max", "--role", "marketing", "--role", "sales", "--as", "rita"])
        try cli.ok(["campaign", "draft", "q3", "--name", "Q3", "--as", "max"])
        try cli.fails(1, ["campaign", "review", "q3", "--approve", "--as", "max"], mentioning: "no-self-review")
        try cli.fails(1, ["policy", "set", "--quorum", "2", "--as", "rita"], mentioning: "there is 1 active sales member (max)")
    }
}
