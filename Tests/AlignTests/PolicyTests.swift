// `align policy set` to what the policy already is: the README tour does it on a fresh ledger.
import Foundation
import Testing

@Suite("align policy set")
struct PolicyTests {
    @Test func settingThePolicyToWhatItIsChangesNothingAndSaysSo() throws {
        let cli = try CLI()
        try cli.ok(["init", "--admin", "rita", "--name", "Rita Revops"])
        let before = try cli.eventCount()
        let o = try cli.ok(["policy", "set", "--quorum", "1", "--sla-hours", "24", "--as", "rita"])
        #expect(o.out == "policy unchanged: it already has these values\n", "\(o)")
        #expect(try cli.eventCount() == before)
        let json = try cli.ok(["policy", "set", "--quorum", "1", "--as", "rita", "--json"]).json()
        #expect((json["events"] as? [Any])?.isEmpty == true && json["ok"] as? Bool == true)
        try cli.ok(["policy", "set", "--sla-hours", "48", "--as", "rita"])
        #expect(try cli.eventCount() == before + 1)
        // A quorum no sales team could meet is refused: there are no sales members yet.
        try cli.fails(1, ["policy", "set", "--quorum", "2", "--as", "rita"], mentioning: "quorum-within-sales")
        #expect(try cli.eventCount() == before + 1)
        try cli.fails(2, ["policy", "set", "--as", "rita"], mentioning: "--quorum")
    }
}
