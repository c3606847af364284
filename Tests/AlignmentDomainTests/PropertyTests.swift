// Property-based tests of the decide/evolve pair: random command sequences from a small pool of actors and ids,
// run through `Decider.decide` against a `CurrentStateFold` (wrapped as `RuleFold`, in RuleTests.swift). Accepted commands have their events
// folded; refused ones fold nothing. Properties:
//   - the state after the run equals a fresh fold of exactly the accepted events;
//   - a refused command leaves the state unchanged;
//   - deciding is deterministic (same command, same state, same events);
//   - every accepted event respects the rules it was checked against (or records the override that set one aside).
import EventLog
import Foundation
import PropertyBased
import Testing
@testable import AlignmentDomain
import AlignmentProjections
import SplitMix

/// A small deterministic generator (SplitMix64) that turns one generated integer into one command, so the property
/// checker's array and integer shrinking shrinks command sequences.
struct StepRandom {
    private var rng: SplitMix64
    init(_ seed: Int) { rng = SplitMix64(seed: UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 &+ 0x2545_F491_4F6C_DD1D) }
    mutating func next() -> UInt64 { rng.next() }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ xs: [T]) -> T { xs[int(xs.count)] }
    mutating func chance(_ oneIn: Int) -> Bool { int(oneIn) == 0 }
}

/// One generated step: who runs what, and when.
struct Step: CustomStringConvertible {
    var actor: String
    var command: Command
    var backdate: Bool
    var description: String { "\(actor): \(command)\(backdate ? " (back-dated)" : "")" }
}

enum Pool {
    static let roles: [String: [Role]] = [
        "rita": [.revops], "maria": [.marketing], "mark": [.marketing], "sam": [.sales], "sofia": [.sales],
        "vic": [.viewer], "mo": [.marketing, .sales],
    ]
    static let actors = ["rita", "maria", "mark", "sam", "sofia", "vic", "mo", "ghost", "newbie"]
    static let definitions = ["mql", "sql"]
    static let campaigns = ["c1", "c2"]
    static let leads = ["L1", "L2", "L3"]
    static let content = ["a1", "a2", "r1", "r2", "r3"]
    static let origin = Date(timeIntervalSince1970: 1_772_355_600)

    /// Decodes one generated integer into a step.
    static func step(_ seed: Int) -> Step {
        var r = StepRandom(seed)
        let kind = r.int(Command.names.count)
        let override: String? = r.chance(4) ? "forced" : nil
        let def = r.pick(definitions), camp = r.pick(campaigns), lead = r.pick(leads)
        let command: Command
        switch kind {
        case 0: command = .actorAdd(id: r.pick(["newbie", "sam", "ghost"]), name: "N", roles: randomRoles(&r))
        case 1: command = .actorRoles(id: r.pick(actors), roles: randomRoles(&r))
        case 2: command = .actorDeactivate(id: r.pick(actors))
        case 3: command = .policySet(quorum: r.pick([nil, 1, 2]), slaHours: r.pick([nil, 24, 48]),
                                     requireContext: r.pick([nil, true, false]), requireCampaignReview: r.pick([nil, true, false]))
        case 4: command = .definitionPropose(id: def, title: "T", fit: r.chance(6) ? [] : [Criterion(field: "employees", op: ">=", values: ["200"])],
                                             engagement: [], rationale: nil)
        case 5: command = .definitionSignOff(id: def, version: 1 + r.int(3), comment: nil)
        case 6: command = .definitionReject(id: def, version: 1 + r.int(3), reason: "no")
        case 7: command = .definitionActivate(id: def, version: 1 + r.int(3), override: override)
        case 8: command = .definitionRetire(id: def)
        case 9: command = .campaignDraft(id: camp, name: "C", audience: nil, offer: nil, channels: [], launchDate: nil)
        case 10: command = .campaignRequestReview(id: camp)
        case 11: command = .campaignReview(id: camp, approve: !r.chance(3), comment: nil)
        case 12: command = .campaignBrief(id: camp, summary: "S\(r.int(9))", talkingPoints: [], offer: nil)
        case 13: command = .campaignLaunch(id: camp, override: override)
        case 14: command = .campaignClose(id: camp)
        case 15:
            var h = HandoffArgs(id: lead, definition: def)
            h.version = r.chance(3) ? 1 + r.int(3) : nil
            h.campaign = r.chance(2) ? camp : nil
            h.owner = r.pick([nil, nil, "sam", "maria"])
            h.signals = r.chance(4) ? [] : [Signal(name: "webinar.attended", at: origin)]
            h.override = override
            command = .leadHandoff(h)
        case 16: command = .leadAccept(id: lead)
        case 17: command = .leadReject(id: lead, reason: r.pick(RejectionReason.allCases), note: nil)
        case 18: command = .leadConvert(id: lead, opportunity: nil, amount: r.chance(8) ? -1 : 10)
        case 19: command = .leadRecycle(id: lead)
        case 20: command = .contentPlan(asset: r.pick(content), title: "A", stage: r.pick(Stage.allCases), persona: nil)
        case 21: command = .contentRequest(id: r.pick(content), what: "W", stage: r.pick(Stage.allCases), lead: r.chance(2) ? lead : nil, why: nil)
        case 22:
            let outcome = r.pick(TriageOutcome.allCases)
            let asset: String? = outcome == .mapped || outcome == .addedToPlan ? r.pick(content) : nil
            command = .contentTriage(id: r.pick(content), outcome: outcome, asset: asset,
                                     reason: outcome == .declined || outcome == .adHoc ? "because" : nil)
        default: command = .contentFulfil(id: r.pick(content), asset: r.chance(3) ? r.pick(content) : nil)
        }
        // Mostly someone whose role fits (revops for overrides), sometimes anyone.
        let actor: String
        if r.chance(5) {
            actor = r.pick(actors)
        } else if command.overrideReason != nil {
            actor = "rita"
        } else {
            let fitting = roles.filter { !Set($0.value).isDisjoint(with: command.allowedRoles) }.map(\.key).sorted()
            actor = fitting.isEmpty ? r.pick(actors) : r.pick(fitting)
        }
        return Step(actor: actor, command: command, backdate: r.chance(10))
    }

    static func randomRoles(_ r: inout StepRandom) -> [Role] {
        let roles = Role.allCases.filter { _ in r.chance(2) }
        return roles.isEmpty ? [r.pick(Role.allCases)] : roles
    }

    /// The ledger the sequences start from: initialised, with the pool's actors registered.
    static func start() throws -> World {
        let w = World(start: origin)
        w.record(try Decider.initialize(admin: "rita", name: "Rita"), by: "rita")
        for (id, roles) in roles.sorted(by: { $0.key < $1.key }) where id != "rita" {
            try w.run(.actorAdd(id: id, name: id, roles: roles), as: "rita")
        }
        return w
    }
}

/// What happened to one generated sequence.
struct RunOutcome {
    var world: World
    var accepted = 0
    var refused: [String: Int] = [:]
}

/// Runs the steps, checking the per-step properties; returns the world for the whole-run properties.
func runSteps(_ seeds: [Int]) throws -> RunOutcome {
    let w = try Pool.start()
    var outcome = RunOutcome(world: w)
    for seed in seeds {
        let step = Pool.step(seed)
        // Business time: one minute on, or back-dated by up to an hour (never before the origin).
        let at = step.backdate ? max(Pool.origin, w.now.addingTimeInterval(-1800)) : w.now.addingTimeInterval(60)
        let before = w.fold.snapshot
        w.fold.fold.clearDirty()
        let ctx = DecisionContext(actor: step.actor, at: at, recordedAt: max(at, w.now.addingTimeInterval(60)))
        do {
            let events = try Decider.decide(step.command, w.fold, ctx)
            #expect(w.fold.snapshot == before, "decide changed the state: \(step)")
            #expect(w.fold.fold.dirty.isEmpty, "decide folded something: \(step)")
            // Deterministic: the same command on the same state decides the same events.
            #expect(try Decider.decide(step.command, w.fold, ctx) == events, "\(step)")
            // An accepted command records at least one event, except a policy set to what the policy is (a no-op).
            if case .policySet = step.command, events.isEmpty {} else {
                #expect(!events.isEmpty, "an accepted command records at least one event: \(step)")
            }
            checkInvariants(step, events, at: at, before: w.fold)
            w.record(events, by: step.actor, at: at, recordedAt: ctx.recordedAt)
            outcome.accepted += 1
        } catch let e as DomainError {
            #expect(w.fold.snapshot == before, "a refused command changed the state: \(step): \(e)")
            #expect(w.fold.fold.dirty.isEmpty, "a refused command folded something: \(step)")
            let key: String
            switch e {
            case .refused(let rule, _): key = rule
            case .notFound: key = "not-found"
            case .invalid: key = "invalid"
            }
            outcome.refused[key, default: 0] += 1
        }
    }
    return outcome
}

/// Rules every accepted event must respect, checked against the state the command was decided on.
func checkInvariants(_ step: Step, _ events: [DomainEvent], at: Date, before s: RuleFold) {
    let ledger = (try? s.ledger()) ?? LedgerState()
    let policy = ledger.policy
    guard let actor = ledger.actors[step.actor], actor.active else {
        Issue.record("an unregistered or inactive actor acted: \(step)")
        return
    }
    let override = step.command.overrideReason
    if override != nil {
        #expect(actor.roles.contains(.revops), "override by non-revops: \(step)")
    } else {
        #expect(!Set(actor.roles).isDisjoint(with: step.command.allowedRoles), "role not allowed: \(step)")
    }
    for e in events {
        switch e {
        case .definitionSignedOff(let so):
            let d = (try? s.definition(so.definition)) ?? DefinitionState(id: so.definition)
            guard let v = d.version(so.version) else { Issue.record("sign-off of a missing version: \(step)"); continue }
            #expect(v.author != step.actor, "self sign-off: \(step)")
            #expect(!v.signOffs.contains { $0.actor == step.actor } && !v.rejections.contains { $0.actor == step.actor }, "second verdict: \(step)")
            #expect(actor.roles.contains(.sales) && !d.retired)
        case .definitionRejected(let rj):
            let d = (try? s.definition(rj.definition)) ?? DefinitionState(id: rj.definition)
            guard let v = d.version(rj.version) else { Issue.record("rejection of a missing version: \(step)"); continue }
            #expect(!v.signOffs.contains { $0.actor == step.actor } && !v.rejections.contains { $0.actor == step.actor }, "second verdict: \(step)")
        case .definitionActivated(let a):
            let d = (try? s.definition(a.definition)) ?? DefinitionState(id: a.definition)
            guard let v = d.version(a.version) else { Issue.record("activation of a missing version: \(step)"); continue }
            #expect(!d.retired && d.activeVersion != a.version)
            #expect(a.signOffs == v.signOffs.count && a.quorum == policy.quorum && a.supersedes == d.activeVersion, "\(step)")
            let satisfied = v.signOffs.count >= policy.quorum && v.rejections.isEmpty
            if let o = a.override {
                #expect(!satisfied && o.reason == override, "override recorded though nothing was set aside: \(step)")
                #expect(o.rule == (v.rejections.isEmpty ? Rule.quorum : Rule.noRejection))
            } else {
                #expect(satisfied, "activated without quorum or with a rejection: \(step)")
            }
        case .campaignLaunched(let l):
            let c = (try? s.campaign(l.campaign)) ?? CampaignState(id: l.campaign)
            #expect(c.status == .draft || c.status == .inReview, "\(step)")
            #expect(l.revision == c.revision && l.reviewed == (c.approvedRevision == c.revision), "\(step)")
            let satisfied = l.reviewed || !policy.requireCampaignReview
            if let o = l.override {
                #expect(!satisfied && o.rule == Rule.campaignReview && o.reason == override, "\(step)")
            } else {
                #expect(satisfied, "launched without an approving review: \(step)")
            }
        case .leadHandedOff(let h):
            let d = (try? s.definition(h.definition)) ?? DefinitionState(id: h.definition)
            let prior = (try? s.lead(h.lead)) ?? LeadState(id: h.lead)
            #expect(prior.status == .none || prior.status == .recycled, "\(step)")
            let contextOK = !h.signals.isEmpty || !policy.requireContext
            let activeOK = !d.retired && d.activeVersion(at: at) == h.definitionVersion
            let campaignOK = h.campaign.map { cid in
                let c = (try? s.campaign(cid)) ?? CampaignState(id: cid)
                return c.status == .launched && (c.launchedAt.map { $0 <= at } ?? false)
            } ?? true
            // The evaluation recorded is the criteria of the version named, judged at the handoff's time.
            if let v = d.version(h.definitionVersion) {
                let e = Criteria.evaluate(fit: v.fit, engagement: v.engagement, profile: h.profile, signals: h.signals, at: at)
                #expect(h.evaluation?.met == e.met && h.evaluation?.criteria == e.criteria, "\(step)")
            }
            let qualifiedOK = h.evaluation?.met ?? true || policy.offDefinition != .refuse
            if let o = h.override {
                #expect(!(contextOK && activeOK && campaignOK && qualifiedOK) && o.reason == override, "\(step)")
                // The first rule set aside, in the order the rules check them.
                let first = !activeOK ? Rule.definitionActive : !contextOK ? Rule.requireContext : !campaignOK ? Rule.campaignLaunched : Rule.offDefinition
                #expect(o.rule == first, "\(step)")
            } else {
                #expect(contextOK && activeOK && campaignOK && qualifiedOK, "handoff without context, active definition, launched campaign or qualification: \(step)")
            }
            if let cid = h.campaign {
                let c = (try? s.campaign(cid)) ?? CampaignState(id: cid)
                #expect(h.brief?.version == c.briefs.last { $0.at <= at }?.version, "wrong brief attached: \(step)")
            } else {
                #expect(h.brief == nil)
            }
            if let owner = h.owner {
                #expect(ledger.actors[owner]?.roles.contains(.sales) == true && ledger.actors[owner]?.active == true, "\(step)")
            }
        case .leadAccepted(let a):
            #expect((try? s.lead(a.lead))?.status == .handedOff, "\(step)")
        case .leadRejected(let a):
            #expect((try? s.lead(a.lead))?.status == .handedOff, "\(step)")
        case .leadConverted(let a):
            #expect((try? s.lead(a.lead))?.status == .accepted, "\(step)")
        case .contentRequestTriaged(let t):
            let c = (try? s.content(t.request)) ?? ContentState(id: t.request)
            #expect(c.request != nil && c.triage == nil, "\(step)")
        case .contentRequestFulfilled(let f):
            let c = (try? s.content(f.request)) ?? ContentState(id: f.request)
            #expect(c.triage != nil && c.triage?.outcome != .declined && c.fulfilled == nil, "\(step)")
        case .actorDeactivated, .actorRolesChanged:
            // At least one active revops member remains.
            var after = ledger
            after.evolve(Recorded(event: e, actor: step.actor, at: at, position: 0))
            #expect(after.actors.values.contains { $0.active && $0.roles.contains(.revops) }, "no revops left: \(step)")
        default:
            break
        }
    }
}

@Suite("Properties of decide and evolve")
struct PropertyTests {
    static let sequences = Gen.int(in: 0...Int(Int32.max)).array(of: 1...80)

    @Test func theStateIsTheFoldOfExactlyTheAcceptedEvents() async {
        await propertyCheck(count: 300, input: Self.sequences) { seeds in
            let outcome = try runSteps(seeds)
            let w = outcome.world
            let fresh = RuleFold()
            for r in w.recorded { fresh.apply(r) }
            #expect(fresh.snapshot == w.fold.snapshot)
            // Positions are gapless: every accepted event was folded exactly once.
            #expect(w.recorded.map(\.position) == Array(1...UInt64(w.recorded.count)))
        }
    }

    @Test func refoldingInAnyChunkingGivesTheSameState() async {
        await propertyCheck(count: 100, input: Self.sequences) { seeds in
            let w = try runSteps(seeds).world
            // Folding a prefix, snapshotting it, then folding the rest gives the same state (folds compose).
            let cut = w.recorded.count / 2
            let first = RuleFold()
            for r in w.recorded[..<cut] { first.apply(r) }
            let resumed = RuleFold()
            for r in w.recorded[..<cut] { resumed.apply(r) }
            #expect(first.snapshot == resumed.snapshot)
            for r in w.recorded[cut...] { resumed.apply(r) }
            #expect(resumed.snapshot == w.fold.snapshot)
        }
    }

    @Test func statesSurviveAJSONRoundTrip() async throws {
        // The ledger keeps states as JSON; a round trip must not change a state the rules read.
        await propertyCheck(count: 60, input: Self.sequences) { seeds in
            let w = try runSteps(seeds).world
            let enc = JSONEncoder()
            enc.dateEncodingStrategy = .iso8601
            let dec = JSONDecoder()
            dec.dateDecodingStrategy = .iso8601
            for (stream, state) in w.fold.snapshot {
                #expect(try dec.decode(EntityState.self, from: enc.encode(state)) == state, "\(stream)")
            }
        }
    }

    /// The generator is useful only if it reaches the interesting states: a sanity check over a fixed batch.
    @Test func theGeneratorReachesAcceptedAndRefusedSteps() throws {
        var rng = StepRandom(42)
        var accepted = 0
        var rules: Set<String> = []
        for _ in 0..<200 {
            let seeds = (0..<60).map { _ in Int(rng.next() % UInt64(Int32.max)) }
            let o = try runSteps(seeds)
            accepted += o.accepted
            rules.formUnion(o.refused.keys)
        }
        #expect(accepted > 1000)
        for rule in [Rule.role, Rule.activeActor, Rule.quorum, Rule.campaignReview, Rule.definitionActive, Rule.leadLifecycle, "not-found"] {
            #expect(rules.contains(rule), "no sequence was refused by \(rule)")
        }
    }
}
