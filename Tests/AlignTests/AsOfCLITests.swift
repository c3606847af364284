// `--at` on the command line (issue 13, item 5): on a command that records an action it is the action's business
// time; on a read it is the time the answer is as of, honoured by every read it has a meaning for; anywhere else it
// is a usage error (exit 2), never silently ignored. Each meaning has its own help.
import Foundation
import Testing

@Suite("align --at on reads")
struct AsOfCLITests {
    /// `hours` before `now`, as ISO 8601.
    static func ago(_ hours: Double, _ now: Date) -> String {
        ISO8601DateFormatter().string(from: now.addingTimeInterval(-hours * 3600))
    }

    /// A ledger whose history lies within the last 70 hours (the backdating window is 72): people, `mql` v1 activated
    /// 58 hours ago, sofia added 50 hours ago, the SLA changed 40 hours ago, lead L-1 handed to sam 30 hours ago and
    /// accepted 20 hours ago.
    func history() throws -> (CLI, (Double) -> String) {
        let cli = try CLI()
        let now = Date()
        let t = { (h: Double) in AsOfCLITests.ago(h, now) }
        try cli.ok(["init", "--admin", "rita", "--name", "Rita Revops", "--at", t(70)])
        for a in ["maria", "sam", "sofia"] { try cli.ok(["key", "generate", "--as", a], withLedger: false) }
        try cli.ok(["actor", "add", "maria", "--name", "Maria", "--role", "marketing", "--as", "rita", "--at", t(69)])
        try cli.ok(["actor", "add", "sam", "--name", "Sam", "--role", "sales", "--as", "rita", "--at", t(69)])
        try cli.ok(["definition", "propose", "mql", "--title", "MQL", "--fit", "employees>=200", "--as", "maria", "--at", t(60)])
        try cli.ok(["definition", "sign-off", "mql", "1", "--as", "sam", "--at", t(59)])
        try cli.ok(["definition", "activate", "mql", "1", "--as", "maria", "--at", t(58)])
        try cli.ok(["actor", "add", "sofia", "--name", "Sofia", "--role", "sales", "--as", "rita", "--at", t(50)])
        try cli.ok(["policy", "set", "--sla-hours", "48", "--as", "rita", "--at", t(40)])
        try cli.ok(["lead", "handoff", "L-1", "--definition", "mql", "--owner", "sam", "--profile", "employees=300",
                    "--signal", "webinar.attended@\(t(31))", "--as", "maria", "--at", t(30)])
        try cli.ok(["lead", "accept", "L-1", "--as", "sam", "--at", t(20)])
        return (cli, t)
    }

    @Test func readsAnswerAsOfTheTimeGiven() throws {
        let (cli, t) = try history()
        #expect(try cli.ok(["definition", "show", "mql", "--at", t(58.5)]).out.contains("active: none"))
        #expect(try cli.ok(["definition", "show", "mql", "--at", t(57)]).out.contains("active: v1"))
        #expect(try cli.ok(["definition", "list", "--at", t(65), "--json"]).json()["definitions"] as? [Any] != nil)
        try cli.fails(1, ["definition", "show", "mql", "--at", t(65)], mentioning: "no lead definition 'mql' as of")

        #expect(dig(try cli.ok(["policy", "show", "--at", t(45), "--json"]).json(), "slaHours") as? Int == 24)
        #expect(dig(try cli.ok(["policy", "show", "--at", t(35), "--json"]).json(), "slaHours") as? Int == 48)
        #expect(dig(try cli.ok(["policy", "show", "--json"]).json(), "slaHours") as? Int == 48)

        let actorsThen = (try cli.ok(["actor", "list", "--at", t(55), "--json"]).json()["actors"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(actorsThen == ["maria", "rita", "sam"])
        let actorsNow = (try cli.ok(["actor", "list", "--json"]).json()["actors"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(actorsNow == ["maria", "rita", "sam", "sofia"])

        #expect((try cli.ok(["lead", "list", "--at", t(35), "--json"]).json()["leads"] as? [Any])?.isEmpty == true)
        let inboxThen = try cli.ok(["lead", "list", "--owner", "sam", "--open", "--at", t(25)]).out
        #expect(inboxThen.contains("L-1") && inboxThen.contains("5.0h"), "waiting 5 hours as of then: \(inboxThen)")
        #expect(!(try cli.ok(["lead", "list", "--owner", "sam", "--open"]).out.contains("L-1")))

        let shownThen = try cli.ok(["lead", "show", "L-1", "--at", t(25)]).out
        #expect(shownThen.hasPrefix("lead L-1  [handed-off]  as of "), "\(shownThen)")
        #expect(try cli.ok(["lead", "show", "L-1"]).out.contains("accepted by sam at"))
        try cli.fails(1, ["lead", "show", "L-1", "--at", t(35)], mentioning: "no lead 'L-1' as of")

        try cli.ok(["campaign", "draft", "q3", "--name", "Q3", "--as", "maria", "--at", t(10)])
        try cli.ok(["campaign", "brief", "q3", "--summary", "Pricing webinar", "--as", "maria", "--at", t(5)])
        #expect(!(try cli.ok(["campaign", "show", "q3", "--at", t(7)]).out.contains("brief v1")))
        #expect(try cli.ok(["campaign", "show", "q3"]).out.contains("brief v1"))
        #expect((try cli.ok(["campaign", "list", "--at", t(12), "--json"]).json()["campaigns"] as? [Any])?.isEmpty == true)
        #expect((try cli.ok(["content", "list", "--at", t(12), "--json"]).json()["content"] as? [Any])?.isEmpty == true)
        #expect(try cli.ok(["actor", "key", "list", "sofia", "--at", t(55)]).out.contains("no registered key"))
        // The same time formats as a write's --at: a date alone is its midnight.
        try cli.ok(["policy", "show", "--at", "2026-01-01"])
        try cli.fails(2, ["policy", "show", "--at", "2026-02-30"], mentioning: "2026-02 has 28 days")
    }

    @Test func stateCountsTheEventsItFolded() throws {
        let (cli, t) = try history()
        // Recorded last, dated 65 hours ago: before the time asked, after many events in the log.
        try cli.ok(["definition", "propose", "sql", "--title", "SQL", "--fit", "employees>=500", "--as", "maria", "--at", t(65)])
        let asOf = t(62)
        let s = try cli.ok(["state", "--at", asOf, "--json"]).json()
        let until = ISO8601DateFormatter().string(from: (ISO8601DateFormatter().date(from: asOf) ?? Date()).addingTimeInterval(1))
        let dated = try cli.ok(["export", "--until", until]).out.split(separator: "\n").count
        let events = try #require(s["events"] as? Int)
        #expect(events == dated)
        #expect(s["position"] as? Int == (try cli.eventCount()), "the last event folded is the one recorded last")
        let text = try cli.ok(["state", "--at", asOf]).out
        #expect(text.contains("(\(events) events dated at or before it, the last at position \(s["position"] as? Int ?? -1); head "), "\(text)")
        #expect(!text.contains("replayed"))
    }

    @Test func atIsRefusedWhereItHasNoMeaning() throws {
        let (cli, t) = try history()
        let before = try cli.eventCount()
        let commands: [[String]] = [["log"], ["verify"], ["stats"], ["export"], ["scorecard"], ["audit", "stream", "ledger"], ["audit", "overrides"],
                                    ["audit", "definition", "mql"], ["audit", "actor", "sam"], ["replay", "--projection", "state"],
                                    ["projections", "status"], ["projections", "rebuild"], ["checkpoint"]]
        for c in commands {
            try cli.fails(2, c + ["--at", t(1)], mentioning: "--at has no meaning for this command")
        }
        #expect(try cli.eventCount() == before)
    }

    @Test func readsAndWritesDocumentAtDifferently() throws {
        let cli = try CLI()
        for read in [["definition", "show"], ["policy", "show"], ["lead", "list"], ["lead", "show"], ["campaign", "show"], ["actor", "list"], ["state"],
                     ["audit", "who-approved"]] {
            let help = try cli.ok(read + ["--help"], withLedger: false).out
            #expect(help.contains("Show the ledger as of this business time"), "\(read): \(help)")
            #expect(!help.contains("Business time of the action"), "\(read)")
            #expect(help.contains("--at 20"), "\(read): an example with --at")
        }
        for write in [["definition", "sign-off"], ["lead", "accept"], ["policy", "set"]] {
            let help = try cli.ok(write + ["--help"], withLedger: false).out
            #expect(help.contains("Business time of the action"), "\(write)")
            #expect(!help.contains("as of this business time"), "\(write)")
        }
        for plain in [["log"], ["scorecard"], ["export"]] {
            #expect(!(try cli.ok(plain + ["--help"], withLedger: false).out.contains("--at ")), "\(plain)")
        }
    }
}
