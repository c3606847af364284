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
}
