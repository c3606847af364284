// End-to-end tests of the read side on a demo ledger: scorecard, audit, time travel, replay, export, rebuild.
import Foundation
import Testing

@Suite("align read side")
struct ReadSideTests {
    /// A fresh demo ledger (deterministic for the seed) in a temporary directory removed with the `CLI`.
    func ledger() throws -> (CLI, Int) {
        let cli = try CLI()
        let r = try cli.run(["demo", "--leads", "200", "--seed", "3"])
        try #require(r.code == 0, "\(r)")
        let stats = try cli.run(["stats", "--json"]).json()
        return (cli, try #require(stats["events"] as? Int))
    }

    /// The handoffs the demo recorded (it tries more: the rules refuse some off-definition ones).
    func handoffs(_ cli: CLI) throws -> Int {
        let r = try cli.run(["export", "--type", "LeadHandedOff"])
        try #require(r.code == 0, "\(r)")
        return r.out.split(separator: "\n").count
    }

    @Test func demoEndsWithTheScorecardAndAnAuditAnswer() throws {
        let cli = try CLI()
        let r = try cli.run(["demo", "--leads", "50"])
        #expect(r.code == 0, "\(r)")
        #expect(r.out.contains("Alignment scorecard"))
        #expect(r.out.contains("signed off by sam"))
        #expect(r.out.contains("verify: sound"))
    }

    @Test func scorecardJSONHasEveryIndicatorAsARatio() throws {
        let (cli, _) = try ledger()
        let r = try cli.run(["scorecard", "--json", "--by", "actor"])
        #expect(r.code == 0, "\(r)")
        let o = r.json()
        let overall = try #require(o["overall"] as? [String: Any])
        for key in ["definitionsWithQuorum", "handoffsWithContext", "campaignHandoffsWithBrief", "contentFromPlan", "launchesReviewed", "acceptedWithinSLA", "rejectionRate"] {
            let ratio = try #require(overall[key] as? [String: Any], "missing \(key)")
            #expect(ratio["numerator"] is Int && ratio["denominator"] is Int)
        }
        let handed = try handoffs(cli)
        #expect(handed > 100 && handed < 200)
        let withContext = try #require(overall["handoffsWithContext"] as? [String: Any])
        #expect(withContext["denominator"] as? Int == handed)
        // The demo overrides one activation and one launch: each indicator counts them as misses.
        #expect((overall["definitionsWithQuorum"] as? [String: Any])?["numerator"] as? Int == 1)
        #expect((overall["definitionsWithQuorum"] as? [String: Any])?["denominator"] as? Int == 2)
        // Every override on record counts once (activation, launch, forced handoffs, ad-hoc content).
        let audited = try #require(try cli.run(["audit", "overrides", "--json"]).json()["overrides"] as? [[String: Any]])
        #expect(overall["overrides"] as? Int == audited.count && audited.count > 2)
        let actors = try #require(o["byActor"] as? [String: Any])
        #expect(actors.keys.contains("sam"))
        // Periods partition the whole: their handoffs add up to the overall count.
        let periods = try #require(o["periods"] as? [[String: Any]])
        let sum = periods.compactMap { ($0["handoffsWithContext"] as? [String: Any])?["denominator"] as? Int }.reduce(0, +)
        #expect(sum == handed)
    }

    @Test func scorecardSinceUntilAndBadPeriod() throws {
        let (cli, _) = try ledger()
        let q2 = try cli.run(["scorecard", "--json", "--since", "2026-04-01", "--until", "2026-07-01"]).json()
        let may = try cli.run(["scorecard", "--json", "--since", "2026-05-01", "--until", "2026-06-01"]).json()
        let a = ((q2["overall"] as? [String: Any])?["handoffsWithContext"] as? [String: Any])?["denominator"] as? Int ?? -1
        let b = ((may["overall"] as? [String: Any])?["handoffsWithContext"] as? [String: Any])?["denominator"] as? Int ?? -1
        #expect(a == (try handoffs(cli)) && b > 0 && b < a)
        #expect(try cli.run(["scorecard", "--period", "year"]).code == 2)
    }

    @Test func whoApprovedAnswersWithPositionsAndTheHead() throws {
        let (cli, _) = try ledger()
        let o = try cli.run(["audit", "who-approved", "mql", "--at", "2026-05-01", "--json"]).json()
        #expect(o["version"] as? Int == 2)
        let signers = (o["signOffs"] as? [[String: Any]] ?? []).compactMap { $0["actor"] as? String }
        #expect(signers == ["sam", "sofia"])
        #expect((o["signOffs"] as? [[String: Any]] ?? []).allSatisfy { ($0["position"] as? Int ?? 0) > 0 })
        #expect((o["head"] as? String)?.contains(":") == true)
        let before = try cli.run(["audit", "who-approved", "mql", "--at", "2026-04-02"])
        #expect(before.code == 0)
        #expect(before.out.contains("No version of 'mql' was active"))
        #expect(try cli.run(["audit", "who-approved", "nope"]).code == 1)
    }

    @Test func auditOverridesActorAndDefinition() throws {
        let (cli, _) = try ledger()
        let o = try cli.run(["audit", "overrides", "--json"]).json()
        let overrides = try #require(o["overrides"] as? [[String: Any]])
        // One activation, one launch, ad-hoc content and off-definition handoffs forced by revops.
        let rules = Set(overrides.compactMap { $0["rule"] as? String })
        #expect(rules.isSuperset(of: ["sign-off-quorum", "campaign-review-before-launch", "off-definition"]), "\(rules)")
        #expect(rules.isSubset(of: ["sign-off-quorum", "campaign-review-before-launch", "off-definition", "ad-hoc-content"]), "\(rules)")
        #expect(overrides.filter { $0["rule"] as? String == "off-definition" }.allSatisfy { $0["actor"] as? String == "rita" })
        // --rule keeps one rule's overrides; a name that is not an overridable rule is a usage error.
        let forced = try #require(try cli.run(["audit", "overrides", "--rule", "off-definition", "--json"]).json()["overrides"] as? [[String: Any]])
        #expect(!forced.isEmpty && forced.count == overrides.filter { $0["rule"] as? String == "off-definition" }.count)
        #expect(forced.allSatisfy { $0["rule"] as? String == "off-definition" && $0["type"] as? String == "LeadHandedOff" })
        let typo = try cli.run(["audit", "overrides", "--rule", "off-defintion"])
        #expect(typo.code == 2 && typo.err.contains("off-definition"), "\(typo)")
        let sam = try cli.run(["audit", "actor", "sam", "--json"]).json()
        let events = try #require(sam["events"] as? [[String: Any]])
        #expect(!events.isEmpty && events.allSatisfy { $0["actor"] as? String == "sam" })
        let april = try cli.run(["audit", "actor", "sam", "--until", "2026-05-01", "--json"]).json()
        #expect(((april["events"] as? [[String: Any]])?.count ?? 0) < events.count)
        let story = try cli.run(["audit", "definition", "mql", "--version", "2"])
        #expect(story.code == 0)
        #expect(story.out.contains("superseding v2"))
        #expect(story.out.contains("head "))
    }

    @Test func stateAtATimeAndAtAPosition() throws {
        let (cli, _) = try ledger()
        let early = try cli.run(["state", "--at", "2026-04-01T12:00:00Z", "--json"]).json()
        #expect((early["activeDefinitions"] as? [Any])?.isEmpty == true)
        let may = try cli.run(["state", "--at", "2026-05-01", "--json"]).json()
        let active = (may["activeDefinitions"] as? [[String: Any]])?.first
        #expect(active?["version"] as? Int == 2)
        let at5 = try cli.run(["state", "--position", "5", "--json"]).json()
        #expect(at5["position"] as? Int == 5)
        #expect(try cli.run(["state", "--at", "2026-05-01", "--position", "5"]).code == 2)
    }

    @Test func exportJSONLinesAndCSV() throws {
        let (cli, n) = try ledger()
        let jsonl = cli.dir.appendingPathComponent("out.jsonl").path
        #expect(try cli.run(["export", "--output", jsonl]).code == 0)
        let lines = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == n)
        for l in lines.prefix(50) {
            let o = try JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any]
            #expect(o?["payload"] is [String: Any])
        }
        let csv = cli.dir.appendingPathComponent("out.csv").path
        #expect(try cli.run(["export", "--format", "csv", "--type", "LeadRejected", "--output", csv]).code == 0)
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        let header = try #require(rows.first).split(separator: ",").map(String.init)
        #expect(header.prefix(3) == ["position", "id", "stream"])
        #expect(header.contains("payload.reason"))
        #expect(rows.dropFirst().allSatisfy { $0.contains(",LeadRejected,") })
        // Positions and business-time filters.
        let some = try cli.run(["export", "--from", "3", "--to", "7"])
        #expect(some.out.split(separator: "\n").count == 5)
        #expect(try cli.run(["export", "--format", "xml"]).code == 2)
    }

    @Test func replayMatchesTheKeptScorecardAndRebuildKeepsIt() throws {
        let (cli, _) = try ledger()
        let kept = try cli.run(["scorecard", "--json", "--by", "actor"]).json()
        let replayed = try cli.run(["replay", "--projection", "scorecard", "--json"]).json()
        #expect(NSDictionary(dictionary: kept["overall"] as? [String: Any] ?? [:]).isEqual(to: replayed["overall"] as? [String: Any] ?? ["x": 1]))
        let rebuilt = try cli.run(["projections", "rebuild", "--json"])
        #expect(rebuilt.code == 0, "\(rebuilt)")
        let after = try cli.run(["scorecard", "--json", "--by", "actor"]).json()
        #expect(NSDictionary(dictionary: kept).isEqual(to: after))
        let status = try cli.run(["projections", "status", "--json"]).json()
        #expect((status["projections"] as? [[String: Any]])?.count == 3)
        #expect(try cli.run(["replay", "--projection", "nope"]).code == 2)
    }

    /// What a user tripped on (issue 13, item 8): a typo answers with an error that says what exists, never an empty
    /// answer with exit 0; a negative amount reaches the rule that refuses it.
    @Test func namesThatDoNotExistAreSaidNotToExist() throws {
        let cli = try CLI()
        try cli.people()
        try cli.ok(["campaign", "draft", "q1-webinar", "--name", "Q1 webinar", "--as", "maria"])
        try cli.fails(1, ["audit", "actor", "nobody"], mentioning: "no actor 'nobody'")
        try cli.ok(["audit", "actor", "maria"])
        try cli.fails(1, ["audit", "stream", "q1-webinar"], mentioning: "did you mean 'campaign/q1-webinar'")
        try cli.fails(1, ["audit", "stream", "nosuch"], mentioning: "campaign/ID")
        try cli.ok(["audit", "stream", "campaign/q1-webinar"])
        try cli.fails(2, ["export", "--type", "NoSuchType"], mentioning: "unknown event type 'NoSuchType'")
        #expect(try cli.ok(["export", "--type", "CampaignDrafted"]).out.split(separator: "\n").count == 1)
        try cli.activeDefinition()
        let hourAgo = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3600))
        try cli.ok(["lead", "handoff", "L-1", "--definition", "mql", "--profile", "employees=300", "--signal",
                    "webinar.attended@\(hourAgo)", "--as", "maria"])
        let before = try cli.eventCount()
        try cli.fails(2, ["lead", "convert", "L-1", "--amount", "-5", "--as", "sam"], mentioning: "not negative")
        #expect(try cli.eventCount() == before)
    }

    /// A salesperson's inbox (issue 13, item 6): their open leads, in natural order, with the owner and how long each waits.
    @Test func leadListIsAnInbox() throws {
        let cli = try CLI()
        try cli.people()
        try cli.activeDefinition()
        let hourAgo = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3600))
        for (id, owner) in [("L-11", "sam"), ("L-2", "sam"), ("L-3", "sofia"), ("L-10", "sam")] {
            try cli.ok(["lead", "handoff", id, "--definition", "mql", "--owner", owner, "--profile", "employees=300",
                        "--signal", "webinar.attended@\(hourAgo)", "--as", "maria"])
        }
        try cli.ok(["lead", "accept", "L-10", "--as", "sam"])
        let inbox = try cli.ok(["lead", "list", "--owner", "sam", "--open"]).out
        let rows = inbox.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(rows == ["L-2", "L-11"], "\(inbox)")
        #expect(inbox.contains("OWNER") && inbox.contains("WAITING") && inbox.contains("h"), "\(inbox)")
        let all = try cli.ok(["lead", "list"]).out.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(all == ["L-2", "L-3", "L-10", "L-11"])
    }
}
