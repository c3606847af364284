// The scorecard as text (issue 13, item 8): one unit per column (a median of an hour and a P90 of 70 hours are both
// in hours, never `60m` beside `70.0h`), and the same text for the same ledger (ties in the rejection reasons in
// name order, not in the order of a hash table).
import Foundation
import Testing

@Suite("align scorecard text")
struct ScorecardTextTests {
    @Test func delaysAreInOneUnitAndTiesInNameOrder() throws {
        let cli = try CLI()
        let now = Date()
        func ago(_ hours: Double) -> String { ISO8601DateFormatter().string(from: now.addingTimeInterval(-hours * 3600)) }
        // A history within the backdating window (72 hours).
        try cli.ok(["init", "--admin", "rita", "--name", "Rita", "--at", ago(71)])
        for a in ["maria", "sam"] { try cli.ok(["key", "generate", "--as", a], withLedger: false) }
        try cli.ok(["actor", "add", "maria", "--name", "Maria", "--role", "marketing", "--as", "rita", "--at", ago(70.9)])
        try cli.ok(["actor", "add", "sam", "--name", "Sam", "--role", "sales", "--as", "rita", "--at", ago(70.9)])
        try cli.ok(["definition", "propose", "mql", "--title", "MQL", "--fit", "employees>=200", "--as", "maria", "--at", ago(70.8)])
        try cli.ok(["definition", "sign-off", "mql", "1", "--as", "sam", "--at", ago(70.7)])
        try cli.ok(["definition", "activate", "mql", "1", "--as", "maria", "--at", ago(70.6)])
        func handoff(_ id: String, at hours: Double) throws {
            try cli.ok(["lead", "handoff", id, "--definition", "mql", "--profile", "employees=300", "--signal", "webinar.attended@\(ago(hours + 0.1))",
                        "--as", "maria", "--at", ago(hours)])
        }
        try handoff("L-1", at: 70.5)
        try handoff("L-2", at: 3)
        try handoff("L-3", at: 3)
        try handoff("L-4", at: 3)
        try cli.ok(["lead", "accept", "L-1", "--as", "sam", "--at", ago(0.5)])  // after 70 hours
        try cli.ok(["lead", "accept", "L-2", "--as", "sam", "--at", ago(2)])  // after 60 minutes
        try cli.ok(["lead", "reject", "L-3", "--reason", "not-icp", "--as", "sam", "--at", ago(2)])
        try cli.ok(["lead", "reject", "L-4", "--reason", "bad-timing", "--as", "sam", "--at", ago(2)])

        // Whatever the table's layout: the overall median (an hour) and P90 (70 hours) are both in hours.
        let text = try cli.ok(["scorecard"]).out
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("overall") && $0.contains(" 1.0") && $0.contains(" 70.0") }, "median and P90 in hours: \(text)")
        #expect(!lines.contains { $0.range(of: #"\b[0-9]+m\b"#, options: .regularExpression) != nil }, "a delay in minutes: \(text)")
        #expect(text.contains("rejections by reason: bad-timing 1, not-icp 1"), "\(text)")
        // Minutes stay in the JSON, for machines.
        #expect(dig(try cli.ok(["scorecard", "--json"]).json(), "overall", "acceptanceMedianMinutes") as? Int == 60)
    }
}
