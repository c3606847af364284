@testable import AlignmentDomain
import Foundation
import Testing

@testable import AlignmentProjections

private func handoff(_ lead: String, signals: Int, campaign: String? = nil, brief: Bool = false, version: Int = 1) -> DomainEvent {
    .leadHandedOff(LeadHandedOff(
        lead: lead, definition: "mql", definitionVersion: version, campaign: campaign,
        brief: brief ? AttachedBrief(version: 1, summary: "s", talkingPoints: [], offer: nil) : nil, owner: nil, profile: [:],
        signals: (0..<signals).map { Signal(name: "webinar.attended", at: t("2026-03-01T00:00:00Z").addingTimeInterval(Double($0))) },
        score: nil, note: nil, override: nil))
}

@Suite struct ScorecardTests {
    @Test func percentilesAreNearestRank() {
        #expect(Scorecard.percentile([:], 50) == nil)
        #expect(Scorecard.percentile([7: 1], 50) == 7)
        // values 1...10: median rank ceil(5) = 5 -> 5; p90 rank 9 -> 9
        let h = Dictionary(uniqueKeysWithValues: (1...10).map { (Int64($0), Int64(1)) })
        #expect(Scorecard.percentile(h, 50) == 5)
        #expect(Scorecard.percentile(h, 90) == 9)
        // duplicates: [1,1,1,100] median rank 2 -> 1; p90 rank ceil(3.6)=4 -> 100
        #expect(Scorecard.percentile([1: 3, 100: 1], 50) == 1)
        #expect(Scorecard.percentile([1: 3, 100: 1], 90) == 100)
    }

    @Test func periodLabels() {
        let day = ScorecardFold.day(t("2026-04-01T12:00:00Z"))
        #expect(Scorecard.label(day: day, .month) == "2026-04")
        #expect(Scorecard.label(day: day, .quarter) == "2026-Q2")
        #expect(Scorecard.label(day: day, .week) == "2026-W14")
        // ISO week-years: 2027-01-01 is a Friday, in week 53 of 2026.
        #expect(Scorecard.label(day: ScorecardFold.day(t("2027-01-01")), .week) == "2026-W53")
    }

    /// The labels are computed on day numbers; Foundation's ISO 8601 calendar is the reference, every day 1970-2100.
    @Test func periodLabelsAgreeWithFoundationsISOCalendar() {
        var cal = Calendar(identifier: .iso8601)
        cal.timeZone = TimeZone(secondsFromGMT: 0) ?? cal.timeZone
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var wrong: [String] = []
        for day in stride(from: 0, through: 47_847, by: 1) {
            let c = cal.dateComponents([.year, .month, .yearForWeekOfYear, .weekOfYear], from: Date(timeIntervalSince1970: Double(day) * 86_400))
            let (y, m, wy, w) = (c.year ?? 0, c.month ?? 0, c.yearForWeekOfYear ?? 0, c.weekOfYear ?? 0)
            let expected = ["\(y)-\(two(m))", "\(y)-Q\((m - 1) / 3 + 1)", "\(wy)-W\(two(w))"]
            let got = [Scorecard.label(day: day, .month), Scorecard.label(day: day, .quarter), Scorecard.label(day: day, .week)]
            if got != expected { wrong.append("day \(day): \(got) != \(expected)") }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }

    @Test func handoffIndicatorsCountPerPeriodAndActor() throws {
        let h = ScorecardHarness()
        try h.add(handoff("L1", signals: 2), by: "maria", at: "2026-03-02T10:00:00Z")
        try h.add(handoff("L2", signals: 0), by: "maria", at: "2026-03-03T10:00:00Z")
        try h.add(handoff("L3", signals: 1, campaign: "c", brief: true), by: "mo", at: "2026-04-02T10:00:00Z")
        try h.add(handoff("L4", signals: 1, campaign: "c", brief: false), by: "mo", at: "2026-04-03T10:00:00Z")
        let card = h.scorecard(by: .actor)
        #expect(card.periods.map(\.period) == ["2026-03", "2026-04"])
        #expect(card.periods[0].handoffsWithContext == Ratio(1, 2))
        #expect(card.periods[1].campaignHandoffsWithBrief == Ratio(1, 2))
        #expect(card.overall.handoffsWithContext == Ratio(3, 4))
        #expect(card.overall.meanSignalsPerHandoff == 1.0)
        #expect(card.byActor?["maria"]?.handoffsWithContext == Ratio(1, 2))
        #expect(card.byActor?["mo"]?.handoffsWithContext == Ratio(2, 2))
        // --since / --until select by business time.
        #expect(h.scorecard(since: "2026-04-01").overall.handoffsWithContext == Ratio(2, 2))
        #expect(h.scorecard(until: "2026-04-01").overall.handoffsWithContext == Ratio(1, 2))
    }

    @Test func slaAndRejectionsUseTheLatestHandoffAndThePolicy() throws {
        let h = ScorecardHarness()
        try h.add(.policyChanged(PolicyChanged(policy: { var p = Policy(); p.slaHours = 2; return p }())), by: "rita", at: "2026-03-01T00:00:00Z")
        try h.add(handoff("L1", signals: 1), by: "maria", at: "2026-03-02T10:00:00Z")
        try h.add(.leadAccepted(LeadAccepted(lead: "L1")), by: "sam", at: "2026-03-02T11:30:59Z")  // 90 minutes, within 2 h
        try h.add(handoff("L2", signals: 1, version: 2), by: "maria", at: "2026-03-02T10:00:00Z")
        try h.add(.leadAccepted(LeadAccepted(lead: "L2")), by: "sam", at: "2026-03-02T15:00:00Z")  // 300 minutes, late
        try h.add(handoff("L3", signals: 1, version: 2), by: "maria", at: "2026-03-02T10:00:00Z")
        try h.add(.leadRejected(LeadRejected(lead: "L3", reason: .notICP, note: nil)), by: "sam", at: "2026-03-03T10:00:00Z")
        let o = h.scorecard().overall
        #expect(o.acceptedWithinSLA == Ratio(1, 2))
        #expect(o.acceptanceMedianMinutes == 90)
        #expect(o.acceptanceP90Minutes == 300)
        #expect(o.rejectionRate == Ratio(1, 3))
        #expect(o.rejectionsByReason == ["not-icp": 1])
        let byDef = h.scorecard().byDefinitionVersion
        #expect(byDef.map { "\($0.definition)@\($0.version)" } == ["mql@1", "mql@2"])
        #expect(byDef[1].rejectionRate == Ratio(1, 2))
    }

    @Test func overridesCountAsMisses() throws {
        let h = ScorecardHarness()
        try h.add(.definitionActivated(LeadDefinitionActivated(definition: "mql", version: 1, signOffs: 1, quorum: 1, supersedes: nil, override: nil)),
                  by: "maria", at: "2026-03-01T00:00:00Z")
        try h.add(.definitionActivated(LeadDefinitionActivated(definition: "mql", version: 2, signOffs: 0, quorum: 1, supersedes: 1,
                                                               override: Override(reason: "deadline", rule: Rule.quorum))),
                  by: "rita", at: "2026-03-02T00:00:00Z")
        try h.add(.campaignLaunched(CampaignLaunched(campaign: "c", revision: 1, reviewed: true, override: nil)), by: "maria", at: "2026-03-03T00:00:00Z")
        try h.add(.campaignLaunched(CampaignLaunched(campaign: "d", revision: 1, reviewed: false,
                                                     override: Override(reason: "r", rule: Rule.campaignReview))), by: "rita", at: "2026-03-03T00:00:00Z")
        let o = h.scorecard().overall
        #expect(o.definitionsWithQuorum == Ratio(1, 2))
        #expect(o.launchesReviewed == Ratio(1, 2))
        #expect(o.overrides == 2)
    }

    /// A decline is its own outcome (left out of "from the plan"); a request served by an override is a miss of it and
    /// counts as an override.
    @Test func contentFromThePlan() throws {
        let h = ScorecardHarness()
        for (i, outcome) in [TriageOutcome.mapped, .addedToPlan, .declined, .adHoc].enumerated() {
            try h.add(.contentRequestTriaged(ContentRequestTriaged(request: "R\(i)", outcome: outcome, asset: nil, reason: nil)),
                      by: "meg", at: "2026-03-0\(i + 1)T00:00:00Z")
        }
        try h.add(.contentRequestTriaged(ContentRequestTriaged(request: "R9", outcome: .mapped, asset: "a-decision-asset", reason: nil,
                                                               override: Override(reason: "deal closes", rule: Rule.contentStage))),
                  by: "rita", at: "2026-03-06T00:00:00Z")
        let o = h.scorecard().overall
        #expect(o.contentFromPlan == Ratio(2, 4))
        #expect(o.contentAdHoc == Ratio(1, 4))
        #expect(o.contentDeclined == Ratio(1, 5))
        #expect(o.overrides == 1)
    }

    @Test func foldingTheSameEventsTwiceGivesTheSameBuckets() throws {
        func build() throws -> [String: Bucket] {
            let h = ScorecardHarness()
            try h.add(handoff("L1", signals: 1), by: "maria", at: "2026-03-02T10:00:00Z")
            try h.add(.leadAccepted(LeadAccepted(lead: "L1")), by: "sam", at: "2026-03-02T12:00:00Z")
            return h.card.buckets
        }
        #expect(try build() == build())
    }
}

@Suite struct CurrentStateFoldTests {
    @Test func emptyStatesByStreamKind() {
        #expect(EntityState.empty(for: "ledger") == .ledger(LedgerState()))
        #expect(EntityState.empty(for: "lead/L-1") == .lead(LeadState(id: "L-1")))
        #expect(EntityState.empty(for: "unknown/x") == nil)
        #expect(EntityState.empty(for: "probe") == nil)
    }

    @Test func definitionActivationsAreSpansOfBusinessTime() throws {
        let f = CurrentStateFold()
        func add(_ e: DomainEvent, _ at: String, _ pos: UInt64) throws { try f.apply(Recorded(event: e, actor: "x", at: t(at), position: pos)) }
        try add(.definitionProposed(LeadDefinitionProposed(definition: "mql", version: 1, title: "a", fit: [], engagement: [], rationale: nil)), "2026-01-01", 1)
        try add(.definitionActivated(LeadDefinitionActivated(definition: "mql", version: 1, signOffs: 1, quorum: 1, supersedes: nil, override: nil)), "2026-02-01", 2)
        try add(.definitionProposed(LeadDefinitionProposed(definition: "mql", version: 2, title: "b", fit: [], engagement: [], rationale: nil)), "2026-02-15", 3)
        try add(.definitionActivated(LeadDefinitionActivated(definition: "mql", version: 2, signOffs: 1, quorum: 1, supersedes: 1, override: nil)), "2026-03-01", 4)
        let d = try f.definition("mql")
        #expect(d.activeVersion(at: t("2026-01-15")) == nil)
        #expect(d.activeVersion(at: t("2026-02-10")) == 1)
        #expect(d.activeVersion(at: t("2026-03-01")) == 2)
        #expect(d.activations.map(\.position) == [2, 4])
        #expect(f.dirty == ["definition/mql"])
    }
}
