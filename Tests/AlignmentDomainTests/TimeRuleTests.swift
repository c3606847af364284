// Honest business time (TimeRules.swift), each rule both ways: the claim of a command's business time against the
// recorded time, what it depends on, its stream, the backdating window, and the policy and roles in force then.
import Foundation
import JSONCore
import Testing
@testable import AlignmentDomain
import SplitMix

private let hour: TimeInterval = 3600

@Suite("Business time")
struct TimeRuleTests {
    // MARK: the clock

    @Test func aBusinessTimeMayNotLieInTheFuture() throws {
        let w = try World.standard()
        let v = try w.propose()
        let recorded = w.now.addingTimeInterval(60)
        expectRefused(Rule.notInFuture) {
            try w.decide(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sam", at: recorded.addingTimeInterval(301), recordedAt: recorded)
        }
        // Within the five minutes of clock skew: allowed.
        #expect(try w.decide(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sam", at: recorded.addingTimeInterval(299),
                             recordedAt: recorded).count == 1)
    }

    @Test func yearsOutside1970To9999AreInvalid() throws {
        let w = try World.standard()
        let v = try w.propose()
        // A sign-off dated year 0001 (as the issue found accepted): the time itself is refused as input.
        let year1 = Date(timeIntervalSince1970: -62_135_596_800)  // 0001-01-01T00:00:00Z
        expectInvalid("1970") { try w.decide(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sam", at: year1, recordedAt: w.now) }
        // A proposal dated 9999 is in the future of any clock.
        let y9999 = try #require(DomainTime.parse("9999-12-31T00:00:00Z"))
        expectRefused(Rule.notInFuture) { try w.decide(.definitionPropose(id: "x", title: "X", fit: [], engagement: [try Criterion.parse("a>=1")],
                                                                          rationale: nil), as: "maria", at: y9999,
                                                                recordedAt: w.now) }
        #expect(DomainTime.parse("0001-01-01") == nil)
        #expect(DomainTime.parse("1969-12-31T23:59:59Z") == nil)
        #expect(DomainTime.parse("1970-01-01T00:30:00+01:00") == nil)  // 1969 in UTC
        #expect(DomainTime.parse("1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
        #expect(DomainTime.parse("9999-12-31T23:59:59Z") != nil)
    }

    // MARK: what a command depends on

    @Test func aVerdictOrActivationIsNotBeforeItsProposal() throws {
        let w = try World.standard()
        let before = w.now
        let v = try w.propose()
        let proposed = w.now
        for c: Command in [.definitionSignOff(id: "mql", version: v, comment: nil), .definitionReject(id: "mql", version: v, reason: "no")] {
            expectRefused(Rule.afterDependency) { try w.decide(c, as: "sam", at: before) }
            #expect(try w.decide(c, as: "sam", at: proposed).count == 1)
        }
        try w.run(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sam")
        expectRefused(Rule.afterDependency) { try w.decide(.definitionActivate(id: "mql", version: v, override: nil), as: "maria", at: before) }
        #expect(try w.decide(.definitionActivate(id: "mql", version: v, override: nil), as: "maria").count == 1)
    }

    @Test func anAcceptanceOrRejectionIsNotBeforeItsHandoffNorAConversionBeforeItsAcceptance() throws {
        let w = try World.standard()
        try w.activeDefinition()
        let before = w.now
        try w.run(w.handoff("L-1"), as: "maria")
        let handedOff = w.now
        expectRefused(Rule.afterDependency) { try w.decide(.leadAccept(id: "L-1"), as: "sam", at: before) }
        expectRefused(Rule.afterDependency) { try w.decide(.leadReject(id: "L-1", reason: .notICP, note: nil), as: "sam", at: before) }
        #expect(try w.decide(.leadAccept(id: "L-1"), as: "sam", at: handedOff).count == 1)
        try w.run(.leadAccept(id: "L-1"), as: "sam")
        expectRefused(Rule.afterDependency) { try w.decide(.leadConvert(id: "L-1", opportunity: nil, amount: nil), as: "sam", at: handedOff) }
        #expect(try w.decide(.leadConvert(id: "L-1", opportunity: nil, amount: nil), as: "sam").count == 1)
    }

    @Test func aReviewIsNotBeforeTheLatestDraft() throws {
        let w = try World.standard()
        try w.run(.campaignDraft(id: "q3", name: "Q3", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria")
        let first = w.now
        try w.run(.campaignDraft(id: "q3", name: "Q3 again", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria")
        let second = w.now
        // Before the redraft it reviews: refused, though after the first draft.
        expectRefused(Rule.afterDependency) { try w.decide(.campaignReview(id: "q3", approve: true, comment: nil), as: "sam", at: first) }
        #expect(try w.decide(.campaignReview(id: "q3", approve: true, comment: nil), as: "sam", at: second).count == 1)
    }

    @Test func aSignalIsNotAfterItsHandoff() throws {
        let w = try World.standard()
        try w.activeDefinition()
        let at = w.now.addingTimeInterval(60)
        var h = HandoffArgs(id: "L-1", definition: "mql")
        h.profile = ["employees": "450"]
        h.signals = [Signal(name: "webinar.attended", at: at.addingTimeInterval(1))]
        expectRefused(Rule.afterDependency) { try w.decide(.leadHandoff(h), as: "maria", at: at) }
        h.signals = [Signal(name: "webinar.attended", at: at)]
        #expect(try w.decide(.leadHandoff(h), as: "maria", at: at).count == 1)
    }

    @Test func aTriageOrFulfilmentIsNotBeforeItsRequestNorARequestBeforeItsLead() throws {
        let w = try World.standard()
        try w.activeDefinition()
        try w.run(.contentPlan(asset: "roi", title: "ROI", stage: .decision, persona: nil), as: "maria")
        let beforeLead = w.now
        try w.run(w.handoff("L-1"), as: "maria")
        let handedOff = w.now
        let ask = Command.contentRequest(id: "REQ-1", what: "case study", stage: .decision, lead: "L-1", why: nil)
        expectRefused(Rule.afterDependency) { try w.decide(ask, as: "sam", at: beforeLead) }
        #expect(try w.decide(ask, as: "sam", at: handedOff).count == 1)
        try w.run(ask, as: "sam")
        let requested = w.now
        let triage = Command.contentTriage(id: "REQ-1", outcome: .mapped, asset: "roi", reason: nil)
        expectRefused(Rule.afterDependency) { try w.decide(triage, as: "maria", at: handedOff) }
        #expect(try w.decide(triage, as: "maria", at: requested).count == 1)
        try w.run(triage, as: "maria")
        expectRefused(Rule.afterDependency) { try w.decide(.contentFulfil(id: "REQ-1", asset: nil), as: "maria", at: handedOff) }
        #expect(try w.decide(.contentFulfil(id: "REQ-1", asset: nil), as: "maria").count == 1)
    }

    // MARK: the stream

    @Test func aCommandIsNotBeforeTheLastEventOfItsStream() throws {
        let w = try World.standard()
        let v = try w.propose()
        let proposed = w.now
        try w.run(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sam")
        let signedOff = w.now
        // A second proposal dated between the first and its sign-off would rewrite the story: refused.
        let propose = Command.definitionPropose(id: "mql", title: "V2", fit: [], engagement: [try Criterion.parse("a>=1")], rationale: nil)
        expectRefused(Rule.streamOrder) { try w.decide(propose, as: "maria", at: proposed.addingTimeInterval(30)) }
        // At the same time as the last event, or later: allowed.
        #expect(try w.decide(propose, as: "maria", at: signedOff).count == 1)
        // Another stream keeps its own order: a campaign drafted at that earlier time is fine.
        #expect(try w.decide(.campaignDraft(id: "c", name: "C", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria",
                             at: proposed).count == 1)
        // A policy change may not be slipped in before the last event of the ledger stream.
        let lastLedgerEvent = try #require(try w.fold.ledger().timeline.lastAt)
        expectRefused(Rule.streamOrder) {
            try w.decide(.policySet(quorum: 2, slaHours: nil, requireContext: nil, requireCampaignReview: nil), as: "rita",
                         at: lastLedgerEvent.addingTimeInterval(-1))
        }
        #expect(try w.decide(.policySet(quorum: 2, slaHours: nil, requireContext: nil, requireCampaignReview: nil), as: "rita",
                             at: lastLedgerEvent).count == 1)
    }

    /// An older ledger may hold an event dated far in the future of its recording (the issue's proposal dated 9999):
    /// it must not close its stream to every later command.
    @Test func aFutureDatedEventOfAnOlderLedgerDoesNotCloseItsStream() throws {
        let w = try World.standard()
        let y9999 = try #require(DomainTime.parse("9999-01-01"))
        // Written before the rules, straight into the fold: proposed "in 9999", recorded now.
        w.fold.apply(Recorded(event: .definitionProposed(LeadDefinitionProposed(definition: "mql", version: 1, title: "Bogus", fit: [],
                                                                                engagement: [try Criterion.parse("a>=1")], rationale: nil)),
                              actor: "maria", at: y9999, position: 1000, recordedAt: w.now))
        let next = Command.definitionPropose(id: "mql", title: "Real", fit: [], engagement: [try Criterion.parse("a>=1")], rationale: nil)
        #expect(try w.decide(next, as: "maria", at: w.now.addingTimeInterval(600), recordedAt: w.now.addingTimeInterval(600)).count == 1)
        // Its own sign-off still cannot come before it.
        expectRefused(Rule.afterDependency) { try w.decide(.definitionSignOff(id: "mql", version: 1, comment: nil), as: "sam") }
    }

    // MARK: the backdating window

    @Test func backdatingPastTheWindowIsRefusedUnlessImported() throws {
        let w = try World.standard()
        let v = try w.propose()
        // Two days on: the sign-off is recorded then, and claimed to have happened earlier.
        try w.run(.campaignDraft(id: "c", name: "C", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria",
                  at: w.now.addingTimeInterval(80 * hour))
        let now = w.now.addingTimeInterval(60)
        let signOff = Command.definitionSignOff(id: "mql", version: v, comment: nil)
        expectRefused(Rule.maxBackdate) { try w.decide(signOff, as: "sam", at: now.addingTimeInterval(-73 * hour), recordedAt: now) }
        #expect(try w.decide(signOff, as: "sam", at: now.addingTimeInterval(-71 * hour), recordedAt: now).count == 1)
        // An import keeps history's dates, in the open (its source and reason are on record): no window.
        #expect(try w.decide(signOff, as: "sam", at: now.addingTimeInterval(-73 * hour), recordedAt: now, imported: true).count == 1)
        // The window is the policy's: 24 hours refuses what 72 allowed.
        try w.run(.policySet(quorum: nil, slaHours: nil, requireContext: nil, requireCampaignReview: nil, maxBackdateHours: 24), as: "rita")
        let later = w.now.addingTimeInterval(60)
        expectRefused(Rule.maxBackdate) { try w.decide(signOff, as: "sam", at: later.addingTimeInterval(-25 * hour), recordedAt: later) }
        #expect(try w.decide(signOff, as: "sam", at: later.addingTimeInterval(-23 * hour), recordedAt: later).count == 1)
    }

    @Test func backdatingPastTheWindowIsOverriddenOnlyByRevopsAndOnRecord() throws {
        let w = try World.standard()
        try w.activeDefinition()
        let activated = w.now
        try w.run(.campaignDraft(id: "c", name: "C", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria",
                  at: activated.addingTimeInterval(100 * hour))
        let at = activated.addingTimeInterval(60)
        guard case .leadHandoff(var h) = w.handoff("L-1") else { return }
        expectRefused(Rule.maxBackdate) { try w.decide(.leadHandoff(h), as: "maria", at: at) }
        h.override = "the CRM sync was down that week"
        expectRefused(Rule.override) { try w.decide(.leadHandoff(h), as: "maria", at: at) }
        guard case .leadHandedOff(let e)? = try w.decide(.leadHandoff(h), as: "rita", at: at).first else { Issue.record("no handoff"); return }
        #expect(e.override == Override(reason: "the CRM sync was down that week", rule: Rule.maxBackdate))
        // When the step's own rule fails too, the override names that rule (the backdating shows in every view).
        guard case .leadHandoff(var bare) = w.handoff("L-2", signals: false) else { return }
        bare.override = "VIP intro, recorded late"
        guard case .leadHandedOff(let e2)? = try w.decide(.leadHandoff(bare), as: "rita", at: at).first else { Issue.record("no handoff"); return }
        #expect(e2.override?.rule == Rule.requireContext)
        // Within the window there is nothing to override.
        expectRefused(Rule.override) { try w.decide(.leadHandoff(h), as: "rita", at: w.now) }
        // Commands that cannot record an override are refused past the window, even for revops.
        expectRefused(Rule.maxBackdate) {
            try w.decide(.actorRoles(id: "sam", roles: [.sales, .viewer]), as: "rita", at: activated.addingTimeInterval(120))
        }
        #expect(try w.decide(.actorRoles(id: "sam", roles: [.sales, .viewer]), as: "rita").count == 1)
    }

    // MARK: the policy and roles in force at the business time

    @Test func aCommandIsJudgedByThePolicyInForceAtItsBusinessTime() throws {
        let w = try World.standard()
        try w.activeDefinition()
        // Context is switched off ten hours on; a handoff without signals dated an hour before that was made under
        // the policy that required context (the issue's handoff "on 15 March", context switched off "on 10 April").
        let off = w.now.addingTimeInterval(10 * hour)
        try w.run(.policySet(quorum: nil, slaHours: nil, requireContext: false, requireCampaignReview: nil), as: "rita", at: off)
        expectRefused(Rule.requireContext) { try w.decide(w.handoff("L-1", signals: false), as: "maria", at: off.addingTimeInterval(-hour)) }
        #expect(try w.decide(w.handoff("L-1", signals: false), as: "maria", at: off).count == 1)

        // The quorum too: an activation dated before the quorum went up is judged by the quorum then.
        let v = try w.propose()
        try w.run(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sam")
        let signedOff = w.now
        let raised = signedOff.addingTimeInterval(2 * hour)
        try w.run(.policySet(quorum: 2, slaHours: nil, requireContext: nil, requireCampaignReview: nil), as: "rita", at: raised)
        let activate = Command.definitionActivate(id: "mql", version: v, override: nil)
        guard case .definitionActivated(let e)? = try w.decide(activate, as: "maria", at: raised.addingTimeInterval(-hour)).first else {
            Issue.record("no activation"); return
        }
        #expect(e.quorum == 1 && e.signOffs == 1)
        expectRefused(Rule.quorum) { try w.decide(activate, as: "maria", at: raised) }
        // The timeline answers by business time.
        let ledger = try w.fold.ledger()
        #expect(ledger.policy(at: raised.addingTimeInterval(-1)).quorum == 1 && ledger.policy(at: raised).quorum == 2)
        #expect(ledger.policy(at: off.addingTimeInterval(-1)).requireContext && !ledger.policy(at: off).requireContext)
    }

    @Test func aCommandIsJudgedByTheRolesHeldAtItsBusinessTime() throws {
        let w = try World.standard()
        let v = try w.propose()
        let proposed = w.now
        // Vic becomes sales two hours on: a sign-off dated before that is refused, one after it allowed.
        let promoted = proposed.addingTimeInterval(2 * hour)
        try w.run(.actorRoles(id: "vic", roles: [.sales]), as: "rita", at: promoted)
        let signOff = Command.definitionSignOff(id: "mql", version: v, comment: nil)
        expectRefused(Rule.role) { try w.decide(signOff, as: "vic", at: promoted.addingTimeInterval(-hour)) }
        #expect(try w.decide(signOff, as: "vic", at: promoted).count == 1)
        // Nobody acts before they were registered.
        try w.run(.actorAdd(id: "nia", name: "Nia", roles: [.sales]), as: "rita")
        let registered = w.now
        expectRefused(Rule.activeActor) { try w.decide(signOff, as: "nia", at: registered.addingTimeInterval(-60)) }
        #expect(try w.decide(signOff, as: "nia", at: registered).count == 1)
        // A role held then but lost since does not count, unless the command is an import of that history.
        try w.run(.actorRoles(id: "sam", roles: [.viewer]), as: "rita")
        expectRefused(Rule.role) { try w.decide(signOff, as: "sam", at: promoted) }
        #expect(try w.decide(signOff, as: "sam", at: promoted, imported: true).count == 1)
        // Deactivated since: refused, except as an import of what they did while active.
        try w.run(.actorDeactivate(id: "sofia"), as: "rita")
        expectRefused(Rule.activeActor) { try w.decide(signOff, as: "sofia", at: promoted) }
        #expect(try w.decide(signOff, as: "sofia", at: promoted, imported: true).count == 1)
        expectRefused(Rule.activeActor) { try w.decide(signOff, as: "sofia", imported: true) }
    }

    @Test func aHandoffsOwnerIsSalesAtItsBusinessTime() throws {
        let w = try World.standard()
        try w.activeDefinition()
        try w.run(.actorAdd(id: "nia", name: "Nia", roles: [.sales]), as: "rita", at: w.now.addingTimeInterval(hour))
        let joined = w.now
        guard case .leadHandoff(var h) = w.handoff("L-1") else { return }
        h.owner = "nia"
        expectRefused(Rule.role) { try w.decide(.leadHandoff(h), as: "maria", at: joined.addingTimeInterval(-60)) }
        #expect(try w.decide(.leadHandoff(h), as: "maria", at: joined).count == 1)
    }

    // MARK: the issue's story

    /// v2 proposed "on 2 April", signed off "on 1 April" and activated "on 3 April", all typed on 20 April, rewrote the
    /// answer to "who approved mql on 10 April?". Each step is refused now, and the answer stands.
    @Test func theBackdatedApprovalOfTheIssueIsRefused() throws {
        func t(_ s: String) throws -> Date { try #require(DomainTime.parse(s)) }
        let w = World(start: try t("2026-03-20T09:00:00Z"))
        w.record(try Decider.initialize(admin: "rita", name: "Rita"), by: "rita")
        try w.run(.actorAdd(id: "maria", name: "Maria", roles: [.marketing]), as: "rita")
        try w.run(.actorAdd(id: "sam", name: "Sam", roles: [.sales]), as: "rita")
        try w.activeDefinition()
        let typed = try t("2026-04-20T10:00:00Z")
        let propose = Command.definitionPropose(id: "mql", title: "V2", fit: [], engagement: [try Criterion.parse("a>=1")], rationale: nil)
        expectRefused(Rule.maxBackdate) { try w.decide(propose, as: "maria", at: try t("2026-04-02"), recordedAt: typed) }
        // Even with a window wide enough for it, the sign-off "on 1 April" comes before the proposal "on 2 April".
        try w.run(.policySet(quorum: nil, slaHours: nil, requireContext: nil, requireCampaignReview: nil, maxBackdateHours: 10_000), as: "rita",
                  at: try t("2026-03-25T00:00:00Z"))
        try w.run(propose, as: "maria", at: try t("2026-04-02"), recordedAt: typed)
        expectRefused(Rule.afterDependency) {
            try w.decide(.definitionSignOff(id: "mql", version: 2, comment: nil), as: "sam", at: try t("2026-04-01"), recordedAt: typed)
        }
        #expect(try w.fold.definition("mql").activeVersion(at: try t("2026-04-10")) == 1)
    }

    // MARK: genesis, policy, payloads

    @Test func aLedgerBeginsNowNotInThePastNorTheFuture() throws {
        let now = ruleT0
        try Decider.checkGenesis(at: now.addingTimeInterval(-71 * hour), recordedAt: now)
        #expect(throws: DomainError.self) { try Decider.checkGenesis(at: now.addingTimeInterval(-73 * hour), recordedAt: now) }
        #expect(throws: DomainError.self) { try Decider.checkGenesis(at: now.addingTimeInterval(600), recordedAt: now) }
    }

    @Test func theWindowIsAPolicySettingWithBounds() throws {
        let w = try World.standard()
        func set(_ h: Int) throws -> [DomainEvent] {
            try w.decide(.policySet(quorum: nil, slaHours: nil, requireContext: nil, requireCampaignReview: nil, maxBackdateHours: h), as: "rita")
        }
        expectInvalid("--max-backdate") { try set(-1) }
        expectInvalid("--max-backdate") { try set(87_601) }
        guard case .policyChanged(let e)? = try set(0).first else { Issue.record("no policy change"); return }
        #expect(e.policy.maxBackdateHours == 0)
        #expect(try set(72).isEmpty, "72 is the default: nothing changes")
        #expect(try Command.parse("policy.set", ["max-backdate": .number(24)])
                == .policySet(quorum: nil, slaHours: nil, requireContext: nil, requireCampaignReview: nil, maxBackdateHours: 24))
    }

    @Test func aPolicyWrittenBeforeTheWindowExistedReadsWithTheDefault() throws {
        let old = Array(#"{"policy":{"quorum":2,"requireCampaignReview":true,"requireContext":false,"slaHours":48}}"#.utf8)
        guard case .policyChanged(let e) = try DomainEvent.decode(type: "PolicyChanged", schemaVersion: 1, payload: old) else {
            Issue.record("not a policy change"); return
        }
        #expect(e.policy.maxBackdateHours == 72 && e.policy.quorum == 2 && e.policy.slaHours == 48 && !e.policy.requireContext)
        // Codable reads it the same way.
        #expect(try JSONDecoder().decode(PolicyChanged.self, from: Data(old)) == e)
        let new = Array(#"{"policy":{"maxBackdateHours":24,"quorum":2,"requireCampaignReview":true,"requireContext":false,"slaHours":48}}"#.utf8)
        guard case .policyChanged(let n) = try DomainEvent.decode(type: "PolicyChanged", schemaVersion: 1, payload: new) else {
            Issue.record("not a policy change"); return
        }
        #expect(n.policy.maxBackdateHours == 24)
    }

    /// A ledger written before these rules may hold a ledger stream whose times go back and forth: the timeline is
    /// kept in business-time order all the same, and repeated changes that change nothing add nothing.
    @Test func theTimelineIsInBusinessTimeOrder() throws {
        var s = LedgerState()
        func fold(_ e: DomainEvent, _ minutes: Double, _ pos: UInt64) {
            s.evolve(Recorded(event: e, actor: "rita", at: ruleT0.addingTimeInterval(minutes * 60), position: pos))
        }
        fold(.ledgerInitialized(LedgerInitialized(admin: "rita", name: "Rita")), 0, 1)
        fold(.actorRegistered(ActorRegistered(actor: "sam", name: "Sam", roles: [.viewer])), 0, 2)
        fold(.actorRolesChanged(ActorRolesChanged(actor: "sam", roles: [.sales])), 20, 3)
        fold(.actorRolesChanged(ActorRolesChanged(actor: "sam", roles: [.marketing])), 10, 4)  // dated before the last one
        fold(.actorRolesChanged(ActorRolesChanged(actor: "sam", roles: [.sales])), 30, 5)  // the same as at 20: nothing new
        fold(.actorDeactivated(ActorDeactivated(actor: "sam")), 40, 6)
        #expect(s.timeline.actors["sam"]?.map(\.roles) == [[.viewer], [.marketing], [.sales], [.sales]])
        #expect(s.status(of: "sam", at: ruleT0.addingTimeInterval(-1)) == nil)
        #expect(s.status(of: "sam", at: ruleT0.addingTimeInterval(15 * 60))?.roles == [.marketing])
        #expect(s.status(of: "sam", at: ruleT0.addingTimeInterval(35 * 60))?.roles == [.sales])
        #expect(s.status(of: "sam", at: ruleT0.addingTimeInterval(40 * 60))?.active == false)
        #expect(s.timeline.lastAt == ruleT0.addingTimeInterval(40 * 60))
    }
}

/// Times typed by people: only real calendar times in 1970–9999, each read back as it was written.
@Suite("Business time: typed times")
struct TypedTimeTests {
    @Test(arguments: [
        ("2026-02-30", "28 days"), ("2024-02-30T10:00:00Z", "29 days"), ("2026-04-31", "30 days"), ("2026-13-01", "no month 13"),
        ("2026-00-10", "no month 0"), ("0001-01-01T00:00:00Z", "1970–9999"), ("1969-12-31T23:59:59Z", "1970–9999"),
        ("2026-06-30T23:59:60Z", "leap second"), ("yesterday", "ISO 8601"), ("2026-03-01T25:00:00Z", "ISO 8601"),
    ])
    func invalidTimesAreRefusedWithTheReason(_ text: String, _ reason: String) {
        #expect(DomainTime.parse(text) == nil, "\(text)")
        let problem = DomainTime.problem(text) ?? ""
        #expect(problem.contains(reason), "\(text): \(problem)")
        #expect(throws: DomainError.invalid("--at: \(problem)")) { try DomainTime.parse(text, "--at") }
    }

    @Test func aSignalAtAnImpossibleTimeSaysWhy() throws {
        let day = #expect(throws: DomainError.self) { try Signal.parse("webinar.attended@2026-02-30T10:00:00Z:Pricing") }
        #expect(day?.description.contains("2026-02 has 28 days") == true, "\(String(describing: day))")
        let year = #expect(throws: DomainError.self) { try Signal.parse("webinar.attended@0001-01-01") }
        #expect(year?.description.contains("1970–9999") == true, "\(String(describing: year))")
        #expect(try Signal.parse("webinar.attended@2026-02-28:Pricing").detail == "Pricing")
    }

    @Test func validTimesHaveNoProblem() throws {
        for text in ["2026-03-01", "2024-02-29T12:00:00Z", "2026-03-01T10:00:00.5+01:00", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z"] {
            #expect(DomainTime.problem(text) == nil, "\(text)")
            #expect(try DomainTime.parse(text, "--at") == DomainTime.parse(text))
        }
    }

    /// Every time written is read back identically: a random instant written as the ledger writes it parses to the
    /// same instant, which writes the same text and converts to the microseconds the log stores. To the microsecond
    /// up to 2037; in whole seconds up to 9999; past 2037 a finer time either reads back or is refused as more
    /// precise than a `Date` keeps (never silently moved).
    @Test func everyTimeWrittenIsReadBackIdentically() throws {
        var rng = SplitMix64(seed: 0x71AE)
        let y2038: Int64 = 2_145_916_800_000_000, y9999: Int64 = 253_402_300_799_999_999
        func check(_ us: Int64, mustRead: Bool) throws {
            // What the ledger holds and writes: a `Date`, its text, and the microseconds the log stores for it.
            let d = Date(timeIntervalSince1970: Double(us) / 1_000_000)
            let stored = Int64((d.timeIntervalSince1970 * 1_000_000).rounded())
            let text = DomainTime.format(d)
            if mustRead { #expect(stored == us, "\(text)") }
            guard let back = DomainTime.parse(text) else {
                #expect(!mustRead, "\(text) was refused")
                #expect(DomainTime.problem(text)?.contains("precise") == true, "\(text)")
                return
            }
            #expect(DomainTime.format(back) == text)
            #expect(Int64((back.timeIntervalSince1970 * 1_000_000).rounded()) == stored, "\(text)")
        }
        for i in 0..<10_000 {
            let us = Int64.random(in: 0..<y2038, using: &rng)
            try check(i % 3 == 0 ? us - us % 1000 : us, mustRead: true)
            let far = Int64.random(in: 0...y9999, using: &rng)
            try check(far - far % 1_000_000, mustRead: true)
            try check(i % 2 == 0 ? far - far % 1000 : far, mustRead: false)
        }
    }

    /// Whatever `parse` accepts, in any form (offsets, fractions, a bare date), writes back a text that parses to the
    /// same instant.
    @Test func acceptedFormsWriteBackToTheSameInstant() throws {
        var rng = SplitMix64(seed: 0x0FF5)
        for _ in 0..<5_000 {
            let s = Int64.random(in: 0...4_102_444_800, using: &rng)  // 1970 ... 2100
            let offset = Int.random(in: -14...14, using: &rng)
            let local = Date(timeIntervalSince1970: Double(s + Int64(offset) * 3600))
            let utc = DomainTime.format(local)  // the local wall clock, written as if UTC
            let wall = String(utc.dropLast())  // drop the Z
            let text = wall + (offset < 0 ? "-" : "+") + (abs(offset) < 10 ? "0" : "") + "\(abs(offset)):00"
            guard let d = DomainTime.parse(text) else { continue }  // out of range once the offset is applied
            #expect(Int64(d.timeIntervalSince1970) == s, "\(text)")
            #expect(DomainTime.parse(DomainTime.format(d)) == d, "\(text)")
        }
    }
}
