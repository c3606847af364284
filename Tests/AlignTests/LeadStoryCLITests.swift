// `align lead show` tells the whole story (issue 13, item 6): every cycle of a recycled lead, each decision with its
// decider, reason and note, the conversion with opportunity and amount, and "no brief" for a campaign lead handed off
// before any brief was published; the same in JSON.
import Foundation
import Testing

@Suite("align lead show")
struct LeadStoryCLITests {
    @Test func aRecycledLeadKeepsItsEarlierRejection() throws {
        let cli = try CLI()
        try cli.people()
        try cli.activeDefinition()
        // A campaign launched with no brief yet.
        try cli.ok(["campaign", "draft", "q4", "--name", "Q4", "--as", "maria"])
        try cli.ok(["campaign", "request-review", "q4", "--as", "maria"])
        try cli.ok(["campaign", "review", "q4", "--approve", "--as", "sam"])
        try cli.ok(["campaign", "launch", "q4", "--as", "maria"])
        let hourAgo = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3600))
        let handoff = ["lead", "handoff", "L-7", "--definition", "mql", "--campaign", "q4", "--profile", "employees=300",
                       "--signal", "webinar.attended@\(hourAgo)", "--as", "maria"]
        try cli.ok(handoff + ["--owner", "sam"])
        try cli.ok(["lead", "reject", "L-7", "--reason", "bad-timing", "--note", "budget frozen until Q1", "--as", "sam"])
        try cli.ok(["lead", "recycle", "L-7", "--as", "sam"])
        try cli.ok(handoff + ["--owner", "sofia"])
        try cli.ok(["lead", "accept", "L-7", "--as", "sofia"])
        try cli.ok(["lead", "convert", "L-7", "--opportunity", "OPP-77", "--amount", "48000", "--as", "sofia"])

        let text = try cli.ok(["lead", "show", "L-7"]).out
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "lead L-7  [converted]", "\(text)")
        #expect(lines.contains("  cycle 1 of 2") && lines.contains("  cycle 2 of 2"), "\(text)")
        #expect(lines.contains { $0.contains("rejected by sam at") && $0.hasSuffix(": bad-timing, note: budget frozen until Q1") }, "\(text)")
        #expect(lines.contains { $0.contains("recycled by sam at") }, "\(text)")
        #expect(lines.contains { $0.contains("accepted by sofia at") }, "\(text)")
        #expect(lines.contains { $0.contains("converted by sofia at") && $0.hasSuffix(": opportunity OPP-77, amount 48000") }, "\(text)")
        #expect(lines.filter { $0.contains("no brief: none of 'q4' was published before the handoff") }.count == 2, "\(text)")
        #expect(lines.contains { $0.contains("handed off by maria") && $0.hasSuffix("owner sam") }, "\(text)")

        let json = try cli.ok(["lead", "show", "L-7", "--json"]).json()
        #expect(json["status"] as? String == "converted")
        #expect(dig(json, "cycles", "0", "decision", "outcome") as? String == "rejected")
        #expect(dig(json, "cycles", "0", "decision", "by") as? String == "sam")
        #expect(dig(json, "cycles", "0", "decision", "reason") as? String == "bad-timing")
        #expect(dig(json, "cycles", "0", "decision", "note") as? String == "budget frozen until Q1")
        #expect(dig(json, "cycles", "0", "recycled", "by") as? String == "sam")
        #expect(dig(json, "cycles", "0", "noBrief") as? Bool == true)
        #expect(dig(json, "cycles", "1", "decision", "by") as? String == "sofia")
        #expect(dig(json, "cycles", "1", "conversion", "opportunity") as? String == "OPP-77")
        #expect(dig(json, "cycles", "1", "conversion", "amount") as? Double == 48000)
        #expect(dig(json, "cycles", "1", "handoff", "owner") as? String == "sofia")
    }

    /// The salesperson's inbox: each open lead with whether it met its definition, the brief it carried and its wait
    /// against the SLA; and the evaluation in the lead's story, criterion by criterion.
    @Test func theInboxShowsEvaluationBriefAndWaitAgainstTheSLA() throws {
        let cli = try CLI()
        let now = Date()
        func t(_ hours: Double) -> String { ISO8601DateFormatter().string(from: now.addingTimeInterval(-hours * 3600)) }
        try cli.ok(["init", "--admin", "rita", "--name", "Rita", "--at", t(50)])
        for a in ["maria", "sam", "sofia"] { try cli.ok(["key", "generate", "--as", a], withLedger: false) }
        try cli.ok(["actor", "add", "maria", "--name", "Maria", "--role", "marketing", "--as", "rita", "--at", t(49.9)])
        try cli.ok(["actor", "add", "sam", "--name", "Sam", "--role", "sales", "--as", "rita", "--at", t(49.9)])
        try cli.ok(["actor", "add", "sofia", "--name", "Sofia", "--role", "sales", "--as", "rita", "--at", t(49.9)])
        try cli.ok(["policy", "set", "--off-definition", "flag", "--as", "rita", "--at", t(49.8)])
        try cli.ok(["definition", "propose", "mql", "--title", "MQL", "--fit", "employees>=200", "--engagement", "webinar.attended>=1",
                    "--as", "maria", "--at", t(49.7)])
        try cli.ok(["definition", "sign-off", "mql", "1", "--as", "sam", "--at", t(49.6)])
        try cli.ok(["definition", "activate", "mql", "1", "--as", "maria", "--at", t(49.5)])
        for (id, brief) in [("q3", true), ("q4", false)] {
            try cli.ok(["campaign", "draft", id, "--name", id, "--as", "maria", "--at", t(49.4)])
            try cli.ok(["campaign", "request-review", id, "--as", "maria", "--at", t(49.3)])
            try cli.ok(["campaign", "review", id, "--approve", "--as", "sam", "--at", t(49.2)])
            if brief { try cli.ok(["campaign", "brief", id, "--summary", "Pricing webinar", "--as", "maria", "--at", t(49.1)]) }
            try cli.ok(["campaign", "launch", id, "--as", "maria", "--at", t(49)])
        }
        func handoff(_ id: String, campaign: String?, owner: String, employees: Int, at hours: Double) throws {
            try cli.ok(["lead", "handoff", id, "--definition", "mql", "--owner", owner, "--profile", "employees=\(employees)",
                        "--signal", "webinar.attended@\(t(hours + 1))", "--as", "maria", "--at", t(hours)] + (campaign.map { ["--campaign", $0] } ?? []))
        }
        try handoff("L-1", campaign: "q3", owner: "sam", employees: 450, at: 30)
        try handoff("L-2", campaign: "q4", owner: "sam", employees: 5, at: 10)  // off the definition: flagged, not refused
        try handoff("L-3", campaign: nil, owner: "sofia", employees: 450, at: 5)

        let inbox = try cli.ok(["lead", "list", "--owner", "sam", "--open"]).out
        let rows = inbox.split(separator: "\n").map(String.init)
        #expect(rows.first?.contains("EVALUATION") == true && rows.first?.contains("BRIEF") == true, "\(inbox)")
        let l1 = try #require(rows.first { $0.hasPrefix("L-1 ") }, "\(inbox)")
        let l2 = try #require(rows.first { $0.hasPrefix("L-2 ") }, "\(inbox)")
        #expect(!rows.contains { $0.hasPrefix("L-3 ") })
        #expect(l1.contains(" met ") && l1.contains(" v1 ") && l1.contains("PAST SLA 24h"), "\(l1)")
        #expect(l2.contains("1 of 2 not met, flagged") && l2.contains(" no brief ") && l2.contains("(SLA 24h)"), "\(l2)")

        let story = try cli.ok(["lead", "show", "L-2"]).out
        #expect(story.contains("criteria  NOT met: 1 of 2 criteria of 'mql' v1 not met, FLAGGED"), "\(story)")
        #expect(story.contains("fit        employees>=200: failed (was 5)"), "\(story)")
        #expect(story.contains("engagement webinar.attended>=1: met (1 signal)"), "\(story)")
        #expect(try cli.ok(["lead", "show", "L-1"]).out.contains("criteria  met: every criterion of 'mql' v1"))
        let json = try cli.ok(["lead", "show", "L-2", "--json"]).json()
        #expect(dig(json, "cycles", "0", "handoff", "evaluation", "met") as? Bool == false)
        #expect(dig(json, "cycles", "0", "handoff", "evaluation", "criteria", "0", "outcome") as? String == "failed")
    }
}
