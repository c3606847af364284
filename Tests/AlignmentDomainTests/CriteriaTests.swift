// The criteria language (docs/CRITERIA.md) and the rules that make the signed-off definition govern the leads: every
// handoff evaluated, off-definition handoffs refused, flagged or allowed by policy, and the holes of issue 13 closed,
// each both ways.
import Foundation
import Testing
@testable import AlignmentDomain

@Suite("Criteria: evaluation")
struct CriteriaEvaluationTests {
    let at = ruleT0

    func fit(_ text: String, _ profile: [String: String]) throws -> CriterionResult {
        let e = Criteria.evaluate(fit: [try Criterion.parse(text)], engagement: [], profile: profile, signals: [], at: at)
        #expect(e.criteria.count == 1)
        return e.criteria[0]
    }

    func engagement(_ text: String, _ signals: [Signal]) throws -> CriterionResult {
        let e = Criteria.evaluate(fit: [], engagement: [try Criterion.parse(text)], profile: [:], signals: signals, at: at)
        return e.criteria[0]
    }

    @Test func everyOperatorOverNumbersAndText() throws {
        let p = ["employees": "450", "industry": "SaaS", "grouped": "1,200", "label": "big"]
        #expect(try fit("employees>=450", p).outcome == .met)
        #expect(try fit("employees>450", p).outcome == .failed)
        #expect(try fit("employees<=450", p).outcome == .met)
        #expect(try fit("employees<451", p).outcome == .met)
        #expect(try fit("employees=450.0", p).outcome == .met)
        #expect(try fit("employees!=450", p).outcome == .failed)
        #expect(try fit("grouped>=1000", p).outcome == .met)
        #expect(try fit("industry=saas", p).outcome == .met)
        #expect(try fit("industry!=saas", p).outcome == .failed)
        #expect(try fit("industry in [fintech, saas]", p).outcome == .met)
        #expect(try fit("industry in [retail,health]", p).outcome == .failed)
        // A comparison with a value that is not a number fails, and says what was seen.
        let label = try fit("label>=10", p)
        #expect(label.outcome == .failed && label.observed == "big")
        #expect(try fit("employees>=200", p).observed == "450")
    }

    @Test func aMissingFieldFailsWhateverTheOperator() throws {
        for text in ["employees>=1", "segment!=student", "industry in [saas]", "region=emea"] {
            let r = try fit(text, [:])
            #expect(r.outcome == .missing && r.observed == nil, "\(text)")
            #expect(r.summary.contains("missing"))
        }
        let e = Criteria.evaluate(fit: [try Criterion.parse("segment!=student")], engagement: [], profile: [:], signals: [], at: at)
        #expect(!e.met && e.unmet.count == 1 && e.short == "1 of 1 not met")
    }

    @Test func signalsAreCountedUpToTheHandoffAndWithinTheirWindow() throws {
        let day: TimeInterval = 86_400
        let signals = [Signal(name: "webinar.attended", at: at.addingTimeInterval(-40 * day)),
                       Signal(name: "webinar.attended", at: at.addingTimeInterval(-3 * day)),
                       Signal(name: "webinar.attended", at: at.addingTimeInterval(3600)),  // after the handoff: never counts
                       Signal(name: "pricing.visited", at: at)]
        #expect(try engagement("webinar.attended>=2", signals).outcome == .met)
        #expect(try engagement("webinar.attended>=3", signals).observed == "2")
        let windowed = try engagement("webinar.attended>=2 within 30d", signals)
        #expect(windowed.outcome == .failed && windowed.observed == "1")
        #expect(try engagement("webinar.attended>=1 within 4d", signals).outcome == .met)
        #expect(try engagement("webinar.attended>=1 within 2d", signals).outcome == .failed)
        #expect(try engagement("webinar.attended>=1 within 1w", signals).outcome == .met)
        #expect(try engagement("pricing.visited=1 within 12h", signals).outcome == .met)
        // A name that never occurs counts 0: failed, not missing.
        let none = try engagement("demo.requested>=1", signals)
        #expect(none.outcome == .failed && none.observed == "0")
        #expect(try engagement("demo.requested<1", signals).outcome == .met)
    }

    @Test func theLanguageRefusesWhatItCannotMean() throws {
        expectInvalid("window") { try Criterion.parse("webinar.attended>=1 within 30 days") }
        expectInvalid("window") { try Criterion.parse("webinar.attended>=1 within 0d") }
        expectInvalid("'in'") { try Criterion.parse("industry in [saas] within 3d") }
        expectInvalid("number") { try Criterion.parse("employees>=many") }
        let windowed = try Criterion.parse("webinar.attended>=1 WITHIN 30D")
        #expect(windowed.within == "30d" && windowed.description == "webinar.attended>=1 within 30d" && windowed.windowSeconds == 30 * 86_400)
        // Fit criteria take no window; engagement criteria count signals.
        expectInvalid("belongs in an --engagement") {
            try Command.parse("definition.propose", ["id": .string("d"), "title": .string("T"), "fit": .string("employees>=1 within 3d")]).check()
        }
        expectInvalid("count of signals") {
            try Command.parse("definition.propose", ["id": .string("d"), "title": .string("T"), "engagement": .string("industry in [saas]")]).check()
        }
        expectInvalid("count of signals") {
            try Command.definitionPropose(id: "d", title: "T", fit: [], engagement: [try Criterion.parse("webinar.attended>=1.5")], rationale: nil).check()
        }
    }
}

@Suite("Rules: the definition governs the leads")
struct DefinitionGovernsTests {
    /// mql v1: employees>=200, industry in [saas,fintech], webinar.attended>=1 within 30d; signed off and active.
    func world() throws -> World {
        let w = try World.standard()
        try w.run(.definitionPropose(id: "mql", title: "MQL", fit: [try Criterion.parse("employees>=200"), try Criterion.parse("industry in [saas,fintech]")],
                                     engagement: [try Criterion.parse("webinar.attended>=1 within 30d")], rationale: nil), as: "maria")
        try w.run(.definitionSignOff(id: "mql", version: 1, comment: nil), as: "sam")
        try w.run(.definitionActivate(id: "mql", version: 1, override: nil), as: "maria")
        return w
    }

    func handoff(_ id: String, employees: String = "450", industry: String = "saas", webinar: Bool = true, override: String? = nil) -> Command {
        var h = HandoffArgs(id: id, definition: "mql")
        h.profile = ["employees": employees, "industry": industry]
        h.signals = [Signal(name: webinar ? "webinar.attended" : "page.view", at: ruleT0)]
        h.override = override
        return .leadHandoff(h)
    }

    func policy(offDefinition: OffDefinitionPolicy? = nil, adHoc: AdHocContentPolicy? = nil, add: [String] = [], remove: [String] = []) -> Command {
        .policySet(quorum: nil, slaHours: nil, requireContext: nil, requireCampaignReview: nil, offDefinition: offDefinition,
                   adHocContent: adHoc, addSignals: add, removeSignals: remove)
    }

    @Test func aQualifiedHandoffRecordsWhyItQualified() throws {
        let w = try world()
        guard case .leadHandedOff(let h)? = try w.run(handoff("L-1"), as: "maria").first, let e = h.evaluation else {
            Issue.record("no evaluated handoff"); return
        }
        #expect(e.met && e.offDefinition == nil && h.override == nil)
        #expect(e.criteria.map(\.outcome) == [.met, .met, .met])
        #expect(e.criteria.map(\.observed) == ["450", "saas", "1"])
        #expect(e.criteria.map(\.kind) == [.fit, .fit, .engagement])
    }

    @Test func anOffDefinitionHandoffIsRefusedNamingTheFailingCriteria() throws {
        let w = try world()
        let before = w.fold.snapshot
        let message = refusalMessage { try w.decide(handoff("L-2", employees: "5", industry: "retail", webinar: false), as: "maria") }
        expectRefused(Rule.offDefinition) { try w.decide(handoff("L-2", employees: "5", industry: "retail", webinar: false), as: "maria") }
        #expect(message.contains("employees>=200: failed (was 5)") && message.contains("industry in [saas,fintech]: failed (was retail)"))
        #expect(message.contains("webinar.attended>=1 within 30d: failed (0 signals)"))
        #expect(w.fold.snapshot == before)
        // One criterion off is enough.
        expectRefused(Rule.offDefinition) { try w.decide(handoff("L-2", industry: "retail"), as: "maria") }
    }

    @Test func revopsForcesARefusedHandoffWithAReasonOnRecord() throws {
        let w = try world()
        expectRefused(Rule.override) { try w.decide(handoff("L-3", employees: "5", override: "strategic"), as: "maria") }
        guard case .leadHandedOff(let h)? = try w.run(handoff("L-3", employees: "5", override: "strategic account"), as: "rita").first else {
            Issue.record("no handoff"); return
        }
        #expect(h.override == Override(reason: "strategic account", rule: Rule.offDefinition))
        #expect(h.evaluation?.met == false && h.evaluation?.offDefinition == nil)
        #expect(h.evaluation?.unmet.map(\.criterion) == ["employees>=200"])
        // Forcing a handoff that qualifies is refused: nothing to override.
        expectRefused(Rule.override) { try w.decide(handoff("L-4", override: "why not"), as: "rita") }
    }

    @Test func thePolicyCanFlagOrAllowInstead() throws {
        let w = try world()
        try w.run(policy(offDefinition: .flag), as: "rita")
        guard case .leadHandedOff(let flagged)? = try w.run(handoff("L-5", employees: "5"), as: "maria").first else { Issue.record("no handoff"); return }
        #expect(flagged.evaluation?.met == false && flagged.evaluation?.offDefinition == .flag && flagged.override == nil)
        try w.run(policy(offDefinition: .allow), as: "rita")
        guard case .leadHandedOff(let allowed)? = try w.run(handoff("L-6", employees: "5"), as: "maria").first else { Issue.record("no handoff"); return }
        #expect(allowed.evaluation?.offDefinition == .allow)
        // A qualified handoff carries no policy mark.
        guard case .leadHandedOff(let met)? = try w.run(handoff("L-7"), as: "maria").first else { Issue.record("no handoff"); return }
        #expect(met.evaluation?.met == true && met.evaluation?.offDefinition == nil)
        // The policy in force at the handoff's business time decides: refused again once it is refuse.
        try w.run(policy(offDefinition: .refuse), as: "rita")
        expectRefused(Rule.offDefinition) { try w.decide(handoff("L-8", employees: "5"), as: "maria") }
    }

    @Test func aHandoffNamesOnlyALaunchedOpenCampaign() throws {
        let w = try world()
        var h = HandoffArgs(id: "L-1", definition: "mql")
        h.profile = ["employees": "450", "industry": "saas"]
        h.signals = [Signal(name: "webinar.attended", at: ruleT0)]
        h.campaign = "q3"
        try w.run(.campaignDraft(id: "q3", name: "Q3", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria")
        expectRefused(Rule.campaignLaunched) { try w.decide(.leadHandoff(h), as: "maria") }
        try w.run(.campaignRequestReview(id: "q3"), as: "maria")
        try w.run(.campaignReview(id: "q3", approve: true, comment: nil), as: "sam")
        try w.run(.campaignLaunch(id: "q3", override: nil), as: "maria")
        guard case .leadHandedOff(let e)? = try w.run(.leadHandoff(h), as: "maria").first else { Issue.record("no handoff"); return }
        #expect(e.noBrief)
        try w.run(.campaignClose(id: "q3"), as: "maria")
        h.id = "L-2"
        let message = refusalMessage { try w.decide(.leadHandoff(h), as: "maria") }
        #expect(message.contains("closed"))
        expectRefused(Rule.campaignLaunched) { try w.decide(.leadHandoff(h), as: "maria") }
        h.override = "last lead of the webinar"
        #expect(try w.decide(.leadHandoff(h), as: "rita").count == 1)
    }

    @Test func adHocContentIsRefusedUnlessThePolicyAllowsItOrRevopsOverrides() throws {
        let w = try world()
        for r in ["REQ-1", "REQ-2"] { try w.run(.contentRequest(id: r, what: "deck", stage: .decision, lead: nil, why: nil), as: "sam") }
        expectRefused(Rule.adHocContent) { try w.decide(.contentTriage(id: "REQ-1", outcome: .adHoc, asset: nil, reason: "board"), as: "maria") }
        expectRefused(Rule.override) {
            try w.decide(.contentTriage(id: "REQ-1", outcome: .adHoc, asset: nil, reason: "board", override: "board"), as: "maria")
        }
        let forced = try w.run(.contentTriage(id: "REQ-1", outcome: .adHoc, asset: nil, reason: "board", override: "board"), as: "rita")
        guard case .contentRequestTriaged(let t)? = forced.first else { Issue.record("no triage"); return }
        #expect(t.override == Override(reason: "board", rule: Rule.adHocContent) && forced.first?.override == t.override)
        try w.run(policy(adHoc: .allow), as: "rita")
        guard case .contentRequestTriaged(let allowed)? = try w.run(.contentTriage(id: "REQ-2", outcome: .adHoc, asset: nil, reason: "board"), as: "maria").first else {
            Issue.record("no triage"); return
        }
        #expect(allowed.override == nil && allowed.outcome == .adHoc)
        // A decline is always allowed: it is the "no" the plan exists for.
        try w.run(.contentRequest(id: "REQ-3", what: "deck", stage: .decision, lead: nil, why: nil), as: "sam")
        #expect(try w.decide(.contentTriage(id: "REQ-3", outcome: .declined, asset: nil, reason: "covered"), as: "maria").count == 1)
    }

    @Test func aRequestIsServedByAnAssetOfItsOwnStage() throws {
        let w = try world()
        try w.run(.contentPlan(asset: "guide", title: "Guide", stage: .awareness, persona: nil), as: "maria")
        try w.run(.contentPlan(asset: "roi", title: "ROI", stage: .decision, persona: nil), as: "maria")
        try w.run(.contentRequest(id: "REQ-1", what: "numbers", stage: .decision, lead: nil, why: nil), as: "sam")
        let message = refusalMessage { try w.decide(.contentTriage(id: "REQ-1", outcome: .mapped, asset: "guide", reason: nil), as: "maria") }
        #expect(message.contains("decision") && message.contains("awareness"))
        expectRefused(Rule.contentStage) { try w.decide(.contentTriage(id: "REQ-1", outcome: .mapped, asset: "guide", reason: nil), as: "maria") }
        #expect(try w.decide(.contentTriage(id: "REQ-1", outcome: .mapped, asset: "roi", reason: nil), as: "maria").count == 1)
        let forced = try w.decide(.contentTriage(id: "REQ-1", outcome: .mapped, asset: "guide", reason: "only one we have", override: "only one we have"), as: "rita")
        #expect(forced.first?.override?.rule == Rule.contentStage)
    }

    @Test func rejectingTheActiveVersionIsRefusedPointingToRetire() throws {
        let w = try world()
        let message = refusalMessage { try w.decide(.definitionReject(id: "mql", version: 1, reason: "too broad"), as: "sofia") }
        #expect(message.contains("is active") && message.contains("definition retire mql"))
        expectRefused(Rule.definitionLifecycle) { try w.decide(.definitionReject(id: "mql", version: 1, reason: "too broad"), as: "sofia") }
        // Before activation a rejection counts (and blocks activation).
        try w.run(.definitionPropose(id: "mql", title: "v2", fit: [try Criterion.parse("employees>=100")], engagement: [], rationale: nil), as: "maria")
        #expect(try w.decide(.definitionReject(id: "mql", version: 2, reason: "too broad"), as: "sofia").count == 1)
    }

    @Test func signalNamesComeFromTheVocabularyWhenThePolicyKeepsOne() throws {
        let w = try world()
        // No vocabulary: any name passes.
        var odd = HandoffArgs(id: "L-1", definition: "mql")
        odd.profile = ["employees": "450", "industry": "saas"]
        odd.signals = [Signal(name: "webinar.attended", at: ruleT0), Signal(name: "x", at: ruleT0)]
        #expect(try w.decide(.leadHandoff(odd), as: "maria").count == 1)
        try w.run(policy(add: ["webinar.attended", "pricing.visited"]), as: "rita")
        #expect(try w.fold.ledger().policy.signals == ["pricing.visited", "webinar.attended"])
        let message = refusalMessage { try w.decide(.leadHandoff(odd), as: "maria") }
        #expect(message.contains("'x'") && message.contains("policy signal add x"))
        expectRefused(Rule.signalVocabulary) { try w.decide(.leadHandoff(odd), as: "maria") }
        odd.signals.removeLast()
        #expect(try w.decide(.leadHandoff(odd), as: "maria").count == 1)
        // Engagement criteria count names from it too.
        expectRefused(Rule.signalVocabulary) {
            try w.decide(.definitionPropose(id: "sql", title: "SQL", fit: [], engagement: [try Criterion.parse("demo.requested>=1")], rationale: nil), as: "maria")
        }
        // Removing a name it does not hold is not found; removing one it holds takes it out.
        expectNotFound { try w.decide(policy(remove: ["demo.requested"]), as: "rita") }
        try w.run(policy(remove: ["pricing.visited"]), as: "rita")
        #expect(try w.fold.ledger().policy.signals == ["webinar.attended"])
        expectInvalid("signal name") { try Command.parse("policy.set", ["add-signal": .string("bad name")]).check() }
        expectInvalid("off-definition") { try Command.parse("policy.set", ["off-definition": .string("sometimes")]) }
    }
}
