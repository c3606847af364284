// Every read as of a business time (issue 13, item 5): one mechanism, the folds of the kept read models run over the
// events dated at or before the time asked, answers the state then; asked after the last event, it answers the kept
// state itself. And a lead's whole story (item 6): every cycle, with each decision's decider, reason and note.
import Foundation
import Testing
import AlignmentDomain
@testable import AlignmentLedger
import AlignmentProjections
import EventLog

@Suite("AlignmentLedger: reads as of a business time")
struct AsOfReadTests {
    /// The business time of the fixture's `n`th command (`Fixture.nextTime`: one minute apart from `ledgerT0`).
    func minute(_ n: Int) -> Date { ledgerT0.addingTimeInterval(Double(n) * 60) }

    @Test func asOfAfterTheLastEventIsTheKeptState() throws {
        try withFixture { f in
            let later = minute(1000)
            for (stream, kept) in try keptStates(f.ledger) {
                #expect(try f.ledger.state(of: stream, asOf: later) == kept, "\(stream)")
            }
            for kind in ["definition", "campaign", "lead", "content"] {
                #expect(try f.ledger.states(kind: kind, asOf: later) == f.ledger.states(kind: kind), "\(kind)")
            }
            #expect(try f.ledger.ledgerState(asOf: later) == f.ledger.ledgerState())
            #expect(try f.ledger.state(of: "lead/L-404", asOf: later) == nil)
        }
    }

    /// `populate` runs, a minute apart: 1-4 people, 5 propose mql, 6 sign-off, 7 activate, 8 draft q3, 9 review
    /// requested, 10 approved, 11 brief, 12 launch, 13 hand off L-1, 14 accept it, 15-17 content.
    @Test func eachReadAnswersTheStateThen() throws {
        try withFixture { f in
            let signedOff = try f.ledger.definition("mql", asOf: minute(6))
            #expect(signedOff.activeVersion == nil && signedOff.versions.first?.signOffs.map(\.actor) == ["sam"])
            #expect(try f.ledger.definition("mql", asOf: minute(7)).activeVersion == 1, "a time is inclusive: the activation at minute 7 counts")
            #expect(try f.ledger.definition("mql", version: 1, asOf: minute(5)).versions.count == 1)
            #expect(throws: DomainError.self) { try f.ledger.definition("mql", asOf: minute(4)) }

            let drafted = try f.ledger.campaign("q3", asOf: minute(10))
            #expect(drafted.briefs.isEmpty && drafted.status != .launched)
            #expect(try f.ledger.campaign("q3", asOf: minute(12)).status == .launched)

            #expect(try f.ledger.lead("L-1", asOf: minute(13)).status == .handedOff)
            #expect(try f.ledger.lead("L-1", asOf: minute(14)).status == .accepted)
            do {
                _ = try f.ledger.lead("L-1", asOf: minute(12))
                Issue.record("a lead was found before its handoff")
            } catch let e as DomainError {
                #expect("\(e)".contains("as of \(DomainTime.format(minute(12)))"), "\(e)")
            }
            #expect(try f.ledger.leads(open: true, asOf: minute(13)).map(\.id) == ["L-1"])
            #expect(try f.ledger.leads(open: true).isEmpty)
            #expect(try f.ledger.leads(asOf: minute(12)).isEmpty)

            #expect(try f.ledger.ledgerState(asOf: minute(2)).actors.keys.sorted() == ["maria", "rita", "sam"])
            #expect(try f.ledger.definitions(asOf: minute(4)).isEmpty && f.ledger.definitions(asOf: minute(5)).map(\.id) == ["mql"])
            #expect(try f.ledger.content(asOf: minute(15)).compactMap(\.asset).map(\.asset) == ["roi"])
            #expect(try f.ledger.campaigns(asOf: minute(7)).isEmpty)
        }
    }

    @Test func thePolicyAsOfATimeIsThePolicyThen() throws {
        try withFixture { f in
            let before = f.nextTime
            try f.run(.policySet(quorum: nil, slaHours: 48, requireContext: nil, requireCampaignReview: nil, maxBackdateHours: nil), as: "rita")
            #expect(try f.ledger.ledgerState(asOf: before).policy.slaHours == 24)
            #expect(try f.ledger.ledgerState(asOf: f.nextTime).policy.slaHours == 48)
            #expect(try f.ledger.ledgerState().policy.slaHours == 48)
        }
    }

    /// `state --at`: the events folded are counted, not the positions walked (events dated after the time are left
    /// out wherever they lie in the log).
    @Test func theStateSummaryCountsTheEventsItFolded() throws {
        try withFixture { f in
            // Recorded last, dated before the content and the lead's acceptance.
            let now = f.nextTime
            try f.run(.definitionPropose(id: "sql", title: "SQL", fit: [try Criterion.parse("employees>=500")], engagement: [], rationale: nil), as: "maria", at: now.addingTimeInterval(-10 * 60))
            let asOf = minute(12)
            let s = try f.ledger.stateSummary(at: asOf)
            let dated = try f.ledger.events(from: 1, limit: 1000).filter { $0.occurredAt.date <= asOf }
            #expect(s.events == dated.count)
            #expect(s.position == dated.last?.position)
            #expect(s.position > UInt64(s.events), "the fixture dates an event recorded last before the time asked")
            #expect(s.lines.first?.contains("\(s.events) events dated at or before it, the last at position \(s.position)") == true, "\(s.lines)")
            #expect(s.lines.first?.contains("replayed") == false)
        }
    }

    @Test func aLeadsStoryKeepsEveryCycleWithItsDecidersAndNotes() throws {
        try withFixture { f in
            // A campaign launched without a brief: its leads carry "no brief".
            try f.run(.campaignDraft(id: "q4", name: "Q4", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria")
            try f.run(.campaignRequestReview(id: "q4"), as: "maria")
            try f.run(.campaignReview(id: "q4", approve: true, comment: nil), as: "sam")
            try f.run(.campaignLaunch(id: "q4", override: nil), as: "maria")
            try f.run(f.handoff("L-2", campaign: "q4", owner: "sam"), as: "maria")
            try f.run(.leadReject(id: "L-2", reason: .badTiming, note: "budget frozen until Q1"), as: "sam")
            let rejected = f.nextTime
            try f.run(.leadRecycle(id: "L-2"), as: "sam")
            try f.run(f.handoff("L-2", campaign: "q3", owner: "sofia"), as: "maria")
            try f.run(.leadAccept(id: "L-2"), as: "sofia")
            try f.run(.leadConvert(id: "L-2", opportunity: "OPP-9", amount: 48000), as: "sofia")

            let story = try f.ledger.leadStory("L-2")
            #expect(story.state.status == .converted && story.cycles.count == 2)
            let first = story.cycles[0], second = story.cycles[1]
            #expect(first.noBrief && first.handoff.campaign == "q4" && first.handedOff.by == "maria")
            #expect(first.decision?.outcome == "rejected" && first.decision?.by == "sam" && first.decision?.reason == .badTiming
                    && first.decision?.note == "budget frozen until Q1")
            #expect(first.recycled?.by == "sam" && first.conversion == nil)
            #expect(!second.noBrief && second.handoff.brief?.version == 1 && second.handoff.owner == "sofia")
            #expect(second.decision?.outcome == "accepted" && second.decision?.by == "sofia")
            #expect(second.conversion?.opportunity == "OPP-9" && second.conversion?.amount == 48000 && second.conversion?.by == "sofia")

            let text = story.detailLines()
            #expect(text.first == "lead L-2  [converted]", "\(text)")
            #expect(text.contains("  cycle 1 of 2") && text.contains("  cycle 2 of 2"), "\(text)")
            #expect(text.contains { $0.contains("rejected by sam at") && $0.hasSuffix(": bad-timing, note: budget frozen until Q1") }, "\(text)")
            #expect(text.contains { $0.contains("brief     no brief") }, "\(text)")
            #expect(text.contains { $0.contains("recycled by sam at") }, "\(text)")
            #expect(text.contains { $0.contains("accepted by sofia at") }, "\(text)")
            #expect(text.contains { $0.contains("converted by sofia at") && $0.hasSuffix(": opportunity OPP-9, amount 48000") }, "\(text)")
            #expect(text.contains { $0.contains("brief v1: Pricing webinar") }, "\(text)")

            // As of the rejection, the story ends there.
            let then = try f.ledger.leadStory("L-2", asOf: rejected)
            #expect(then.state.status == .rejected && then.cycles.count == 1 && then.cycles[0].recycled == nil)
            #expect(then.detailLines().first?.hasSuffix("as of \(DomainTime.format(rejected))") == true)

            // The JSON keeps the state's fields at the top, beside the cycles.
            let json = String(decoding: try LedgerJSON.encode(story), as: UTF8.self)
            #expect(json.contains("\"status\":\"converted\"") && json.contains("\"cycles\":[") && json.contains("\"note\":\"budget frozen until Q1\""))
            #expect(json.contains("\"opportunity\":\"OPP-9\"") && json.contains("\"noBrief\":true"))
        }
    }
}
