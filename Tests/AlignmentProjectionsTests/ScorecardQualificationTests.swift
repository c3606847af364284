@testable import AlignmentDomain
import Foundation
import Testing

@testable import AlignmentProjections

// The scorecard's figures of issue 13: qualification, the closed loop, conversions and amounts, open leads and the SLA,
// each from a short sequence of events whose answer is known.

/// The steps these tests repeat.
extension ScorecardHarness {
    func activate(_ version: Int, at: String, override: Bool = false) throws {
        try add(.definitionActivated(LeadDefinitionActivated(
            definition: "mql", version: version, signOffs: override ? 0 : 1, quorum: 1, supersedes: version > 1 ? version - 1 : nil,
            override: override ? Override(reason: "deadline", rule: Rule.quorum) : nil)), by: override ? "rita" : "maria", at: at)
    }

    func accept(_ lead: String, at: String, by: String = "sam") throws { try add(.leadAccepted(LeadAccepted(lead: lead)), by: by, at: at) }
    func reject(_ lead: String, at: String, by: String = "sam") throws {
        try add(.leadRejected(LeadRejected(lead: lead, reason: .notICP, note: nil)), by: by, at: at)
    }
    func convert(_ lead: String, _ amount: Double?, at: String, by: String = "sam") throws {
        try add(.leadConverted(LeadConverted(lead: lead, opportunity: nil, amount: amount)), by: by, at: at)
    }
}

/// How a handoff was judged: met, not met and let through by a policy, forced, or not evaluated (recorded before).
private enum Judged { case met, flagged, allowed, forced, notEvaluated }

private func handoff(_ lead: String, _ judged: Judged = .met, version: Int = 1, owner: String? = "sam", campaign: String? = nil,
                     brief: Bool = false) -> DomainEvent {
    let criterion = CriterionResult(criterion: "employees>=200", kind: .fit, outcome: judged == .met ? .met : .failed, observed: "50")
    let evaluation: HandoffEvaluation? = switch judged {
    case .met: HandoffEvaluation(met: true, criteria: [criterion])
    case .flagged: HandoffEvaluation(met: false, criteria: [criterion], offDefinition: .flag)
    case .allowed: HandoffEvaluation(met: false, criteria: [criterion], offDefinition: .allow)
    case .forced: HandoffEvaluation(met: false, criteria: [criterion])
    case .notEvaluated: nil
    }
    return .leadHandedOff(LeadHandedOff(
        lead: lead, definition: "mql", definitionVersion: version, campaign: campaign,
        brief: brief ? AttachedBrief(version: 1, summary: "s", talkingPoints: [], offer: nil) : nil, owner: owner,
        profile: ["employees": "50"], signals: [Signal(name: "webinar.attended", at: t("2026-03-01T00:00:00Z"))],
        override: judged == .forced ? Override(reason: "strategic account", rule: Rule.offDefinition) : nil, evaluation: evaluation))
}

@Suite struct ScorecardQualificationTests {
    @Test func qualifiedHandoffsPerPeriodMarketerAndCampaign() throws {
        let f = ScorecardHarness()
        try f.add(handoff("L1", .met, campaign: "c"), by: "maria", at: "2026-03-02T10:00:00Z")
        try f.add(handoff("L2", .flagged, campaign: "c"), by: "maria", at: "2026-03-03T10:00:00Z")
        try f.add(handoff("L3", .allowed), by: "mo", at: "2026-04-02T10:00:00Z")
        try f.add(handoff("L4", .forced, campaign: "d"), by: "mo", at: "2026-04-03T10:00:00Z")
        try f.add(handoff("L5", .notEvaluated), by: "mo", at: "2026-04-04T10:00:00Z")
        try f.add(handoff("L6", .met), by: "mo", at: "2026-04-05T10:00:00Z")
        let card = f.scorecard()
        #expect(card.periods.map(\.period) == ["2026-03", "2026-04"])
        #expect(card.periods[0].qualifiedHandoffs == Ratio(1, 2))
        #expect(card.periods[1].qualifiedHandoffs == Ratio(1, 4))
        let o = card.overall
        #expect(o.qualifiedHandoffs == Ratio(2, 6))
        // Recorded before evaluation existed: counted in the total as not met, and said so.
        #expect(o.handoffsNotEvaluated == 1)
        #expect(o.offDefinitionFlagged == 1 && o.offDefinitionAllowed == 1 && o.offDefinitionForced == 1)
        #expect(o.overrides == 1)
        let byActor = try #require(f.scorecard(by: .actor).byActor)
        #expect(byActor["maria"]?.qualifiedHandoffs == Ratio(1, 2))
        #expect(byActor["mo"]?.qualifiedHandoffs == Ratio(1, 4))
        let byCampaign = try #require(f.scorecard(by: .campaign).byCampaign)
        #expect(byCampaign["c"]?.qualifiedHandoffs == Ratio(1, 2))
        #expect(byCampaign["d"]?.qualifiedHandoffs == Ratio(0, 1))
        #expect(byCampaign.count == 2)
        #expect(f.scorecard().byDefinitionVersion.first?.qualifiedHandoffs == Ratio(2, 6))
    }

    /// A campaign lead handed off before any brief was published is "no brief", a miss of indicator 3; the brief
    /// published later is never counted as carried by it, even when the lead is decided after the brief.
    @Test func noBriefCampaignHandoffAndABriefPublishedLater() throws {
        let f = ScorecardHarness()
        try f.add(.campaignLaunched(CampaignLaunched(campaign: "c", revision: 1, reviewed: true, override: nil)), by: "maria", at: "2026-03-01T09:00:00Z")
        try f.add(handoff("L1", campaign: "c", brief: false), by: "maria", at: "2026-03-02T10:00:00Z")
        try f.add(.campaignBriefPublished(CampaignBriefPublished(campaign: "c", briefVersion: 1, summary: "s", talkingPoints: [], offer: nil)),
                  by: "maria", at: "2026-03-03T10:00:00Z")
        try f.accept("L1", at: "2026-03-03T11:00:00Z")
        try f.add(handoff("L2", campaign: "c", brief: true), by: "maria", at: "2026-03-04T10:00:00Z")
        try f.add(handoff("L3", campaign: nil), by: "maria", at: "2026-03-04T10:00:00Z")
        let o = f.scorecard().overall
        #expect(o.campaignHandoffsWithBrief == Ratio(1, 2))
        #expect(o.campaignHandoffsNoBrief == 1)
        // Qualification is about the definition only: all three met it.
        #expect(o.qualifiedHandoffs == Ratio(3, 3))
        let c = try #require(f.scorecard(by: .campaign).byCampaign?["c"])
        #expect(c.campaignHandoffsWithBrief == Ratio(1, 2) && c.launchesReviewed == Ratio(1, 1))
    }

    /// The activation in force at the handoff decides: v2 activated by override, later activated again with its quorum.
    @Test func handoffsUnderAVersionActivatedByOverride() throws {
        let f = ScorecardHarness()
        try f.activate(1, at: "2026-03-01T00:00:00Z")
        try f.add(handoff("L1", version: 1), by: "maria", at: "2026-03-02T10:00:00Z")
        try f.activate(2, at: "2026-03-03T00:00:00Z", override: true)
        try f.add(handoff("L2", version: 2), by: "maria", at: "2026-03-04T10:00:00Z")
        try f.add(handoff("L3", version: 2), by: "mo", at: "2026-03-05T10:00:00Z")
        try f.add(.definitionActivated(LeadDefinitionActivated(definition: "mql", version: 2, signOffs: 1, quorum: 1, supersedes: 2, override: nil)),
                  by: "maria", at: "2026-03-06T00:00:00Z")
        try f.add(handoff("L4", version: 2), by: "maria", at: "2026-03-07T10:00:00Z")
        let o = f.scorecard().overall
        #expect(o.handoffsUnderOverrideVersion == Ratio(2, 4))
        #expect(o.definitionsWithQuorum == Ratio(2, 3))
        let byDefinition = try #require(f.scorecard(by: .definition).byDefinition)
        #expect(byDefinition["mql@1"]?.handoffsUnderOverrideVersion == Ratio(0, 1))
        #expect(byDefinition["mql@2"]?.handoffsUnderOverrideVersion == Ratio(2, 3))
        #expect(byDefinition["mql@2"]?.definitionsWithQuorum == Ratio(1, 2))
        #expect(try #require(f.scorecard(by: .actor).byActor?["mo"]).handoffsUnderOverrideVersion == Ratio(1, 1))
    }

    /// Does the definition predict what sales accepts? Decisions split by whether the lead met its definition.
    @Test func acceptanceAndRejectionByMetAndNotMet() throws {
        let f = ScorecardHarness()
        for (lead, judged) in [("M1", Judged.met), ("M2", .met), ("M3", .met), ("N1", .flagged), ("N2", .forced), ("X1", .notEvaluated)] {
            try f.add(handoff(lead, judged), by: "maria", at: "2026-03-02T10:00:00Z")
        }
        try f.accept("M1", at: "2026-03-02T11:00:00Z")
        try f.accept("M2", at: "2026-03-02T12:00:00Z")
        try f.reject("M3", at: "2026-03-02T13:00:00Z")
        try f.accept("N1", at: "2026-03-02T14:00:00Z")
        try f.reject("N2", at: "2026-03-02T15:00:00Z")
        try f.accept("X1", at: "2026-03-02T16:00:00Z", by: "sofia")
        let o = f.scorecard().overall
        #expect(o.acceptanceMet == Ratio(2, 3) && o.rejectionMet == Ratio(1, 3))
        #expect(o.acceptanceNotMet == Ratio(1, 2) && o.rejectionNotMet == Ratio(1, 2))
        #expect(o.decisionsNotEvaluated == 1)
        #expect(o.rejectionRate == Ratio(2, 6))
        let sam = try #require(f.scorecard(by: .actor).byActor?["sam"])
        #expect(sam.acceptanceMet == Ratio(2, 3) && sam.decisionsNotEvaluated == 0)
        #expect(f.scorecard().byDefinitionVersion.first?.acceptanceRate == Ratio(4, 6))
    }

    @Test func conversionsAndAmountsByOwnerCampaignAndDefinition() throws {
        let f = ScorecardHarness()
        try f.activate(1, at: "2026-03-01T00:00:00Z")
        try f.add(handoff("A", version: 1, owner: "sam", campaign: "c"), by: "maria", at: "2026-03-02T10:00:00Z")
        try f.add(handoff("B", version: 1, owner: "sofia", campaign: "c"), by: "maria", at: "2026-03-02T10:00:00Z")
        try f.add(handoff("C", version: 1, owner: "sam", campaign: nil), by: "maria", at: "2026-03-02T10:00:00Z")
        try f.activate(2, at: "2026-03-03T00:00:00Z")
        try f.add(handoff("D", version: 2, owner: "sam", campaign: "d"), by: "maria", at: "2026-03-04T10:00:00Z")
        for lead in ["A", "B", "C", "D"] { try f.accept(lead, at: "2026-03-05T10:00:00Z") }
        try f.convert("A", 1000.25, at: "2026-03-10T10:00:00Z")
        try f.convert("B", 500, at: "2026-04-10T10:00:00Z", by: "sofia")
        try f.convert("C", nil, at: "2026-04-10T10:00:00Z")
        try f.convert("D", 0.125, at: "2026-04-11T10:00:00Z")  // 12.5 cents: rounded half away from zero to 13
        let card = f.scorecard()
        #expect(card.overall.conversions == 4)
        #expect(card.overall.amount == 1500.38)
        #expect(card.periods.map(\.amount) == [1000.25, 500.13])
        let owners = try #require(f.scorecard(by: .owner).byOwner)
        #expect(owners["sam"]?.conversions == 3 && owners["sam"]?.amount == 1000.38)
        #expect(owners["sofia"]?.conversions == 1 && owners["sofia"]?.amount == 500)
        // The owner's row holds lead events only.
        #expect(owners["sam"]?.qualifiedHandoffs == Ratio(3, 3) && owners["sam"]?.definitionsWithQuorum == Ratio(0, 0))
        let campaigns = try #require(f.scorecard(by: .campaign).byCampaign)
        #expect(campaigns["c"]?.amount == 1500.25 && campaigns["c"]?.conversions == 2)
        #expect(campaigns["d"]?.amount == 0.13)
        let versions = f.scorecard().byDefinitionVersion
        #expect(versions.map(\.conversions) == [3, 1])
        #expect(versions.map(\.amount) == [1500.25, 0.13])
        #expect(try #require(f.scorecard(by: .definition).byDefinition?["mql@2"]).amount == 0.13)
    }

    /// A lead nobody accepts or rejects is a miss once it is older than the SLA; open leads show by age.
    @Test func aLeadLeftOpenPastTheSLAIsAMiss() throws {
        let f = ScorecardHarness()
        try f.add(.policyChanged(PolicyChanged(policy: { var p = Policy(); p.slaHours = 2; return p }())), by: "rita", at: "2026-03-01T00:00:00Z")
        try f.add(handoff("L1", owner: "sam"), by: "maria", at: "2026-03-02T10:00:00Z")
        try f.accept("L1", at: "2026-03-02T11:00:00Z")                                   // within the SLA
        try f.add(handoff("L2", owner: "sam", campaign: "c"), by: "maria", at: "2026-03-02T10:00:00Z")  // open, 240 min at 14:00
        try f.add(handoff("L3", owner: "sofia"), by: "maria", at: "2026-03-02T13:30:00Z")  // open, 30 min
        try f.add(handoff("L4", owner: "sam"), by: "mo", at: "2026-03-02T05:00:59Z")       // open, 540 min (whole minutes)
        try f.add(handoff("L5", owner: "sofia"), by: "maria", at: "2026-03-02T09:00:00Z")
        try f.reject("L5", at: "2026-03-02T13:00:00Z", by: "sofia")                       // decided: not open
        try f.add(handoff("L6", owner: "sam"), by: "maria", at: "2026-02-27T10:00:00Z")    // open, in February
        let card = f.scorecard(asOf: "2026-03-02T14:00:30Z", slaHours: 2)
        let o = card.overall
        #expect(o.openLeads == OpenLeads(total: 4, withinSLA: 1, pastSLA: 1, pastTwiceSLA: 2))
        #expect(o.acceptedWithinSLA == Ratio(1, 4))
        #expect(card.asOf == "2026-03-02T14:00:00Z" && card.slaHours == 2)
        // An open lead counts in the period of its handoff.
        #expect(card.periods.map(\.openLeads.total) == [1, 3])
        #expect(card.periods[1].acceptedWithinSLA == Ratio(1, 3))
        let owners = try #require(f.scorecard(by: .owner, asOf: "2026-03-02T14:00:30Z", slaHours: 2).byOwner)
        #expect(owners["sam"]?.openLeads == OpenLeads(total: 3, withinSLA: 0, pastSLA: 1, pastTwiceSLA: 2))
        #expect(owners["sofia"]?.openLeads == OpenLeads(total: 1, withinSLA: 1, pastSLA: 0, pastTwiceSLA: 0))
        #expect(owners["sam"]?.acceptedWithinSLA == Ratio(1, 4))
        let marketers = try #require(f.scorecard(by: .actor, asOf: "2026-03-02T14:00:30Z", slaHours: 2).byActor)
        #expect(marketers["mo"]?.openLeads.total == 1 && marketers["maria"]?.openLeads.total == 3)
        #expect(marketers["sofia"]?.openLeads.total == 0)
        let campaign = try #require(f.scorecard(by: .campaign, asOf: "2026-03-02T14:00:30Z", slaHours: 2).byCampaign?["c"])
        #expect(campaign.openLeads == OpenLeads(total: 1, withinSLA: 0, pastSLA: 1, pastTwiceSLA: 0))
        // Not aged: counted, no misses, no as-of.
        let plain = f.scorecard()
        #expect(plain.overall.openLeads == OpenLeads(total: 4) && plain.overall.acceptedWithinSLA == Ratio(1, 1))
        #expect(plain.asOf == nil && plain.slaHours == nil)
        // Nothing open: no as-of either, and zeros.
        let none = ScorecardHarness()
        try none.add(handoff("Z"), by: "maria", at: "2026-03-02T10:00:00Z")
        try none.accept("Z", at: "2026-03-02T11:00:00Z")
        let closed = none.scorecard(asOf: "2026-03-03T00:00:00Z")
        #expect(closed.asOf == nil && closed.overall.openLeads == OpenLeads(total: 0, withinSLA: 0, pastSLA: 0, pastTwiceSLA: 0))
    }

    /// A decision on a later day takes the lead out of its handoff day's buckets, for every dimension.
    @Test func aDecidedLeadLeavesItsHandoffBuckets() throws {
        let f = ScorecardHarness()
        try f.add(handoff("L1", version: 1, owner: "sam", campaign: "c"), by: "maria", at: "2026-03-02T23:59:00Z")
        let handoffDay = ScorecardFold.day(t("2026-03-02T00:00:00Z"))
        let keys = ["all", "actor:maria", "owner:sam", "campaign:c", "definition:mql@1"].map { ScorecardFold.key(day: handoffDay, $0) }
        for k in keys { #expect(f.card.buckets[k]?.open.nonZero == [OpenMinutes.Entry(minute: 1439, count: 1)], "\(k)") }
        f.card.clearDirty()
        try f.reject("L1", at: "2026-03-04T09:00:00Z", by: "sam")
        for k in keys { #expect(f.card.buckets[k]?.open.isEmpty == true, "\(k)") }
        #expect(f.card.dirty.isSuperset(of: keys))
        // Recycled and handed off again: open again, under the new handoff's day only.
        try f.add(.leadRecycled(LeadRecycled(lead: "L1")), by: "maria", at: "2026-03-05T09:00:00Z")
        try f.add(handoff("L1", version: 1, owner: "sofia"), by: "mo", at: "2026-03-06T09:00:00Z")
        #expect(f.scorecard(asOf: "2026-03-06T10:00:00Z").overall.openLeads == OpenLeads(total: 1, withinSLA: 1, pastSLA: 0, pastTwiceSLA: 0))
        #expect(f.scorecard(by: .owner).byOwner?["sam"]?.openLeads.total == 0)
    }

    @Test func openMinutesKeepOrderAndCompact() {
        var o = OpenMinutes()
        for m: Int32 in [5, 3, 9, 3, 1439, 0] { o.add(m, 1) }
        #expect(o.nonZero.map(\.minute) == [0, 3, 5, 9, 1439] && o.total == 6)
        o.add(3, -2)
        #expect(o.nonZero.map(\.minute) == [0, 5, 9, 1439])
        #expect(o == OpenMinutes([.init(minute: 9, count: 1), .init(minute: 0, count: 1), .init(minute: 5, count: 1), .init(minute: 1439, count: 1)]))
        var many = OpenMinutes()
        for m in 0..<200 { many.add(Int32(m), 1) }
        for m in 0..<150 { many.add(Int32(m), -1) }
        #expect(many.total == 50 && many.entries.count < 200 && many.nonZero.first?.minute == 150)
        #expect(!many.isEmpty)
    }
}
