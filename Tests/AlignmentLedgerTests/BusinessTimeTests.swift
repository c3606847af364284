// Honest business time through the service: the log's clock is the recorded time the rules judge against, what is
// refused writes nothing, and audit and show views print the recorded time beside the business time, marking
// entries backdated past the policy's window.
import Foundation
import Testing
import AlignmentDomain
@testable import AlignmentLedger
import AlignmentProjections
import EventLog

private let hour: TimeInterval = 3600

@Suite("AlignmentLedger: business time")
struct BusinessTimeTests {
    /// A populated fixture whose clock then moves `hours` on (the team records later than it acts).
    func later(by hours: Double, _ body: (Fixture, Date) throws -> Void) throws {
        try withFixture { f in
            let now = f.clock.jump(ledgerT0.addingTimeInterval(hours * hour))
            try body(f, now)
        }
    }

    @Test func theLogsClockIsTheRecordedTimeAndTheWindowIsEnforced() throws {
        try later(by: 100) { f, now in
            let head = try f.ledger.log.head()
            let convert = Command.leadConvert(id: "L-1", opportunity: "OPP-1", amount: 1000)
            do {
                _ = try f.ledger.execute(convert, as: "sam", at: now.addingTimeInterval(-73 * hour))
                Issue.record("a conversion backdated 73 hours was accepted")
            } catch let e as DomainError {
                #expect(e.rule == Rule.maxBackdate)
            }
            #expect(try f.ledger.log.head() == head, "a refused command writes nothing")
            let e = try f.ledger.execute(convert, as: "sam", at: now.addingTimeInterval(-71 * hour))
            #expect(e.first?.recordedAt == Timestamp(now) && e.first?.occurredAt == Timestamp(now.addingTimeInterval(-71 * hour)))
            // In the future of the log's clock: refused.
            do {
                _ = try f.ledger.execute(.leadRecycle(id: "L-1"), as: "sam", at: now.addingTimeInterval(600))
                Issue.record("a command dated ten minutes ahead was accepted")
            } catch let e as DomainError {
                #expect(e.rule == Rule.notInFuture)
            }
        }
    }

    @Test func auditAndShowViewsPrintTheRecordedTimeAndMarkBackdatedEntries() throws {
        try later(by: 100) { f, now in
            let at = now.addingTimeInterval(-50 * hour)
            try f.ledger.execute(f.handoff("L-2"), as: "maria", at: at)
            // Within the 72-hour window: the recorded time is shown, nothing is marked.
            let trail = try f.ledger.auditStream(StreamName.lead("L-2"))
            #expect(trail.maxBackdateHours == 72)
            let line = try #require(trail.lines.first)
            #expect(line.contains("\(DomainTime.format(at)) (recorded \(DomainTime.format(now)))"), "\(line)")
            #expect(!line.contains("backdated"))
            let lead = try f.ledger.lead("L-2")
            #expect(lead.handedOffAt == at && lead.handedOffRecordedAt == now)
            #expect(!lead.detailLines(maxBackdateHours: try f.ledger.maxBackdateHours()).joined().contains("backdated"))
            // A tighter window marks it, in every view.
            try f.run(.policySet(quorum: nil, slaHours: nil, requireContext: nil, requireCampaignReview: nil, maxBackdateHours: 24), as: "rita",
                      at: now)
            #expect(try f.ledger.maxBackdateHours() == 24)
            let marked = try f.ledger.auditStream(StreamName.lead("L-2")).lines.first ?? ""
            #expect(marked.contains("(recorded \(DomainTime.format(now)), backdated 2d)"), "\(marked)")
            #expect(try f.ledger.auditActor("maria").lines.contains { $0.contains("backdated 2d") })
            let show = lead.detailLines(maxBackdateHours: 24)
            #expect(show.contains { $0.contains("handed off by maria") && $0.contains("backdated 2d") }, "\(show)")
            // The definition's story and the who-approved answer carry recorded times too (recorded as they happened).
            let story = try f.ledger.definition("mql").storyLines(maxBackdateHours: 24)
            #expect(story.contains { $0.contains("signed off  by sam") && $0.contains("(recorded ") && !$0.contains("backdated") }, "\(story)")
            let answer = try f.ledger.whoApproved("mql", at: now)
            #expect(answer.maxBackdateHours == 24 && answer.signOffs.first?.recordedAt != nil && answer.signOffs.first?.backdated == false)
            #expect(answer.activationRecordedAt != nil && answer.activationBackdated == false)
            #expect(answer.answerLines.first?.contains(", recorded ") == true && answer.answerLines[1].contains(", recorded "))
        }
    }

    @Test func anOverrideOfTheWindowIsOnRecordAndInTheOverridesAudit() throws {
        try later(by: 200) { f, now in
            var h = HandoffArgs(id: "L-9", definition: "mql")
            h.profile = ["employees": "450"]
            h.signals = [Signal(name: "webinar.attended", at: ledgerT0)]
            h.override = "CRM outage: handed off by phone that day"
            let at = now.addingTimeInterval(-100 * hour)
            let e = try f.ledger.execute(.leadHandoff(h), as: "rita", at: at)
            #expect(e.count == 1)
            let (overrides, head) = try f.ledger.auditOverrides()
            let o = try #require(overrides.last)
            #expect(o.rule == Rule.maxBackdate && o.at == at && o.recordedAt == now && o.reason == h.override)
            let table = OverrideRecord.tableLines(overrides, head: head, maxBackdateHours: 72)
            #expect(table.contains { $0.contains("#\(o.position)") && $0.contains("(backdated 4d)") && $0.contains(Rule.maxBackdate) }, "\(table)")
            // The override counts as one, as every override does.
            let card = try f.ledger.scorecard(period: .month, since: nil, until: nil, byActor: false)
            #expect(card.overall.overrides >= 1)
        }
    }

    @Test func anApplyFileIsJudgedAgainstTheTimeItIsRecorded() throws {
        try later(by: 100) { f, now in
            let head = try f.ledger.log.head()
            let lines = [ApplyItem(line: 1, command: .leadConvert(id: "L-1", opportunity: nil, amount: nil), actor: "sam",
                                   at: now.addingTimeInterval(-hour)),
                         ApplyItem(line: 2, command: f.handoff("L-5"), actor: "maria", at: now.addingTimeInterval(-80 * hour)),
                         ApplyItem(line: 3, command: .leadRecycle(id: "L-1"), actor: "sam", at: now.addingTimeInterval(-2 * hour))]
            do {
                _ = try f.ledger.apply(lines)
                Issue.record("a file with a line backdated 80 hours was applied")
            } catch let e as ApplyError {
                // Line 2 is past the window; line 3 comes before line 1's conversion on the same lead.
                #expect(e.problems.map(\.line) == [2, 3], "\(e.problems)")
                #expect(e.problems.first?.error.contains(Rule.maxBackdate) == true && e.problems.last?.error.contains(Rule.streamOrder) == true)
            }
            #expect(try f.ledger.log.head() == head)
            // Without them, the file is recorded at the time it is applied.
            let recorded = try f.ledger.apply([lines[0]])
            #expect(recorded.map(\.recordedAt) == [Timestamp(now)])
        }
    }

    @Test func aLedgerCannotBeginInThePastAndARefusedCreateLeavesNothing() throws {
        try withLedgerDirectory { path in
            let clock = TestClock(ledgerT0)
            #expect(throws: DomainError.self) {
                try AlignmentLedger.create(at: path, admin: "rita", name: "Rita", at: ledgerT0.addingTimeInterval(-10 * 24 * hour), clock: clock.read)
            }
            #expect(!FileManager.default.fileExists(atPath: path))
            let (ledger, _) = try AlignmentLedger.create(at: path, admin: "rita", name: "Rita", at: ledgerT0.addingTimeInterval(-hour), clock: clock.read)
            #expect(try ledger.ledgerState().timeline.status(of: "rita", at: ledgerT0.addingTimeInterval(-hour))?.roles == [.revops])
        }
    }

    /// The timeline (policies and roles over business time) is kept, survives reopening and equals a rebuild and a replay.
    @Test func theTimelineIsKeptAndEqualsARebuildAndAReplay() throws {
        try withFixture { f in
            try f.run(.policySet(quorum: 2, slaHours: 48, requireContext: false, requireCampaignReview: nil, maxBackdateHours: 12), as: "rita")
            try f.run(.actorRoles(id: "vic", roles: [.sales]), as: "rita")
            try f.run(.actorDeactivate(id: "sofia"), as: "rita")
            let kept = try f.ledger.ledgerState()
            #expect(kept.timeline.policies.count == 2 && kept.policy.maxBackdateHours == 12)
            #expect(kept.timeline.actors["vic"]?.map(\.roles) == [[.viewer], [.sales]])
            #expect(kept.timeline.actors["sofia"]?.last?.active == false)
            #expect(try f.ledger.replay().state.ledger() == kept)
            try f.ledger.rebuild(progress: nil)
            #expect(try f.ledger.ledgerState() == kept)
            #expect(try f.reopen().ledgerState() == kept)
            let states = try keptStates(f.ledger)
            let replay = try f.ledger.replay().state
            for (stream, s) in states { #expect(try replay.state(stream) == s, "\(stream)") }
        }
    }
}
