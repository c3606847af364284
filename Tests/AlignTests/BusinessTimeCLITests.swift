// Business time from the command line: impossible times exit 2 with the reason, backdating past the window exits 1
// and writes nothing, `policy set --max-backdate` sets the window, views show the recorded time, and a time given
// with an offset and microseconds is stored and read back as the same instant.
import Foundation
import Testing

@Suite("align business time")
struct BusinessTimeCLITests {
    /// `d` as ISO 8601 in UTC with fractional seconds (milliseconds), as the CLI takes it.
    static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }

    @Test func impossibleTimesAreUsageErrors() throws {
        let cli = try CLI()
        try cli.people()
        let before = try cli.eventCount()
        try cli.fails(2, ["definition", "propose", "x", "--title", "X", "--fit", "a>=1", "--as", "maria", "--at", "2026-02-30"],
                      mentioning: "2026-02 has 28 days")
        try cli.fails(2, ["definition", "propose", "x", "--title", "X", "--fit", "a>=1", "--as", "maria", "--at", "0001-01-01"],
                      mentioning: "1970–9999")
        try cli.fails(2, ["definition", "propose", "x", "--title", "X", "--fit", "a>=1", "--as", "maria", "--at", "2026-06-30T23:59:60Z"],
                      mentioning: "leap second")
        let file = try cli.write("bad-date.jsonl", """
            {"command": "definition.propose", "as": "maria", "at": "2025-02-29", "args": {"id": "x", "title": "X", "fit": "a>=1"}}
            """)
        try cli.fails(2, ["apply", file], mentioning: "2025-02 has 28 days")
        #expect(try cli.eventCount() == before)
    }

    @Test func backdatingPastTheWindowIsRefusedAndTheWindowIsPolicy() throws {
        let cli = try CLI()
        let started = Date().addingTimeInterval(-3 * 3600)
        try cli.ok(["init", "--admin", "rita", "--name", "Rita Revops", "--at", Self.iso(started)])
        try cli.ok(["key", "generate", "--as", "maria"], withLedger: false)
        try cli.ok(["actor", "add", "maria", "--name", "Maria", "--role", "marketing", "--as", "rita", "--at", Self.iso(started)])
        try cli.ok(["policy", "set", "--max-backdate", "1", "--as", "rita"])
        let shown = try cli.ok(["policy", "show"])
        #expect(shown.out.contains("max-backdate             1 hours"), "\(shown)")
        #expect(try cli.ok(["policy", "show", "--json"]).json()["maxBackdateHours"] as? Int == 1)
        let before = try cli.eventCount()
        let propose = ["definition", "propose", "mql", "--title", "MQL", "--fit", "employees>=200", "--as", "maria"]
        try cli.fails(1, propose + ["--at", Self.iso(Date().addingTimeInterval(-2 * 3600))], mentioning: "max-backdate")
        try cli.fails(1, propose + ["--at", Self.iso(Date().addingTimeInterval(3600))], mentioning: "business-time-not-in-future")
        #expect(try cli.eventCount() == before)
        try cli.ok(propose + ["--at", Self.iso(Date().addingTimeInterval(-1800))])
        // The audit shows when it was recorded beside when it happened.
        let audit = try cli.ok(["audit", "definition", "mql"])
        #expect(audit.out.contains("(recorded "), "\(audit)")
        try cli.fails(2, ["policy", "set", "--max-backdate", "-1", "--as", "rita"], mentioning: "--max-backdate")
        #expect(try cli.ok(["policy", "set", "--help"]).out.contains("align policy set --max-backdate 24 --as rita"))
    }

    /// The JSON forms of audits and shows carry the recorded time beside the business time.
    @Test func jsonViewsCarryTheRecordedTime() throws {
        let cli = try CLI()
        try cli.people()
        try cli.activeDefinition()
        let who = try cli.ok(["audit", "who-approved", "mql", "--json"]).json()
        let signOff = try #require((who["signOffs"] as? [[String: Any]])?.first)
        #expect(signOff["recordedAt"] is String && signOff["backdated"] as? Bool == false, "\(who)")
        #expect(who["activationRecordedAt"] is String && who["maxBackdateHours"] as? Int == 72)
        let show = try cli.ok(["definition", "show", "mql", "--json"]).json()
        #expect(dig(show, "versions").flatMap { ($0 as? [[String: Any]])?.first?["proposedRecordedAt"] } is String, "\(show)")
        let overrides = try cli.ok(["audit", "overrides", "--json"]).json()
        #expect((overrides["overrides"] as? [Any])?.isEmpty == true)
    }

    /// A time with an offset and microseconds is stored as the instant it names and read back identically.
    @Test func aTimeIsReadBackAsTheInstantItNames() throws {
        let cli = try CLI()
        let started = Date().addingTimeInterval(-2 * 3600)
        try cli.ok(["init", "--admin", "rita", "--name", "Rita Revops", "--at", Self.iso(started)])
        // An hour ago, written in UTC+01:00 with microseconds.
        let whole = (Date().timeIntervalSince1970 - 3600).rounded(.down)
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let c = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: whole + 3600))
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        let typed = "\(c.year ?? 0)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second)).123456+01:00"
        let expected = Self.iso(Date(timeIntervalSince1970: whole)).replacingOccurrences(of: ".000Z", with: ".123456Z")
        try cli.ok(["actor", "add", "sam", "--name", "Sam", "--role", "sales", "--as", "rita", "--at", typed])
        let log = try cli.ok(["log", "--json"]).out.split(separator: "\n")
        let last = try #require(log.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect(last["occurredAt"] as? String == expected, "typed \(typed)")
        let trail = try cli.ok(["audit", "actor", "rita"]).out
        #expect(trail.contains("\(expected) (recorded "), "\(trail)")
    }
}
