// The rules of `Decider.decide`, each both ways: the allowed path returns the expected events, the refused path
// throws the expected `DomainError` (the rule's name for refusals, `.notFound` or `.invalid`). Pure: the state is
// a `CurrentStateFold` built by folding `Recorded` events in memory; no I/O, no clock (business time is passed in).
import Foundation
import JSONCore
import Testing
@testable import AlignmentDomain
import JSONCore
import AlignmentProjections

// MARK: - Fold and world

/// A `CurrentStateFold` (the projection the ledger keeps) serving `Decider.decide` as its `StateSource`, with a
/// snapshot of the streams that have events, for comparing states (reads cache empty states; they don't count).
final class RuleFold: StateSource {
    let fold = CurrentStateFold()

    init() {}

    /// Folds one event into its stream's state.
    func apply(_ r: Recorded) {
        do { try fold.apply(r) } catch { Issue.record("folding \(r.event.type) failed: \(error)") }
    }

    /// Every stream's state that differs from the empty one.
    var snapshot: [String: EntityState] {
        fold.states.filter { $0.value != EntityState.empty(for: $0.key) }
    }

    func ledger() throws -> LedgerState { try fold.ledger() }
    func definition(_ id: String) throws -> DefinitionState { try fold.definition(id) }
    func campaign(_ id: String) throws -> CampaignState { try fold.campaign(id) }
    func lead(_ id: String) throws -> LeadState { try fold.lead(id) }
    func content(_ id: String) throws -> ContentState { try fold.content(id) }
}

/// A fixed business-time origin: 2026-03-01T09:00:00Z.
let ruleT0 = Date(timeIntervalSince1970: 1_772_355_600)

/// A fold plus a business clock that advances one minute per step; `run` decides and folds, `decide` only decides.
final class World {
    let fold = RuleFold()
    private(set) var now: Date
    private(set) var position: UInt64 = 0
    private(set) var recorded: [Recorded] = []

    init(start: Date = ruleT0) { now = start }

    /// A ledger with rita (revops), maria and mark (marketing), sam and sofia and sid (sales), vic (viewer).
    static func standard() throws -> World {
        let w = World()
        w.record(try Decider.initialize(admin: "rita", name: "Rita Revops"), by: "rita")
        try w.run(.actorAdd(id: "maria", name: "Maria", roles: [.marketing]), as: "rita")
        try w.run(.actorAdd(id: "mark", name: "Mark", roles: [.marketing]), as: "rita")
        try w.run(.actorAdd(id: "sam", name: "Sam", roles: [.sales]), as: "rita")
        try w.run(.actorAdd(id: "sofia", name: "Sofia", roles: [.sales]), as: "rita")
        try w.run(.actorAdd(id: "sid", name: "Sid", roles: [.sales]), as: "rita")
        try w.run(.actorAdd(id: "vic", name: "Vic", roles: [.viewer]), as: "rita")
        return w
    }

    /// The next business time (one minute later) unless one is given. The clock (`now`, also the recording time)
    /// never goes back: a business time given after it moves it on.
    private func tick(_ at: Date?) -> Date {
        if let at {
            now = max(now, at)
            return at
        }
        now = now.addingTimeInterval(60)
        return now
    }

    /// Folds events recorded now (`recordedAt`, default: the clock after the tick) at business time `at`.
    func record(_ events: [DomainEvent], by actor: String, at: Date? = nil, recordedAt: Date? = nil) {
        let t = tick(at)
        for e in events {
            position += 1
            let r = Recorded(event: e, actor: actor, at: t, position: position, recordedAt: recordedAt ?? now)
            recorded.append(r)
            fold.apply(r)
        }
    }

    /// Decides without folding, as if recorded a minute from now (or at `recordedAt`).
    func decide(_ c: Command, as actor: String, at: Date? = nil, recordedAt: Date? = nil, imported: Bool = false) throws -> [DomainEvent] {
        let t = at ?? now.addingTimeInterval(60)
        return try Decider.decide(c, fold, DecisionContext(actor: actor, at: t, recordedAt: recordedAt ?? max(t, now.addingTimeInterval(60)),
                                                           imported: imported))
    }

    /// Decides and folds the events, recorded on the clock (or at `recordedAt`); returns them.
    @discardableResult
    func run(_ c: Command, as actor: String, at: Date? = nil, recordedAt: Date? = nil, imported: Bool = false, keyID: String? = nil) throws -> [DomainEvent] {
        let t = tick(at)
        let rec = recordedAt ?? now
        if let recordedAt { now = max(now, recordedAt) }
        let events = try Decider.decide(c, fold, DecisionContext(actor: actor, at: t, recordedAt: rec, imported: imported, keyID: keyID))
        record(events, by: actor, at: t, recordedAt: rec)
        return events
    }

    // Shorthands for the usual setup steps.

    /// Proposes `id` as maria, signs it off by sam (and sofia when `signOffs` is 2), activates it as maria.
    func activeDefinition(_ id: String = "mql", signOffs: Int = 1) throws {
        let events = try run(.definitionPropose(id: id, title: "MQL", fit: [Criterion(field: "employees", op: ">=", values: ["200"])],
                                                engagement: [], rationale: nil), as: "maria")
        guard case .definitionProposed(let p)? = events.first else { Issue.record("no proposal"); return }
        for who in ["sam", "sofia", "sid"].prefix(signOffs) {
            try run(.definitionSignOff(id: id, version: p.version, comment: nil), as: who)
        }
        try run(.definitionActivate(id: id, version: p.version, override: nil), as: "maria")
    }

    func propose(_ id: String = "mql", as actor: String = "maria") throws -> Int {
        let events = try run(.definitionPropose(id: id, title: "MQL", fit: [Criterion(field: "employees", op: ">=", values: ["200"])],
                                                engagement: [], rationale: "why"), as: actor)
        guard case .definitionProposed(let p)? = events.first else { throw DomainError.invalid("no proposal") }
        return p.version
    }

    /// Drafts `id`, requests review and has sam approve it.
    func approvedCampaign(_ id: String = "q3") throws {
        try run(.campaignDraft(id: id, name: "Q3 webinar", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria")
        try run(.campaignRequestReview(id: id), as: "maria")
        try run(.campaignReview(id: id, approve: true, comment: nil), as: "sam")
    }

    func handoff(_ lead: String, definition: String = "mql", campaign: String? = nil, signals: Bool = true) -> Command {
        var h = HandoffArgs(id: lead, definition: definition)
        h.campaign = campaign
        h.profile = ["company": "Acme", "employees": "450"]
        if signals { h.signals = [Signal(name: "webinar.attended", at: ruleT0, detail: "Pricing")] }
        return .leadHandoff(h)
    }

    func setPolicy(quorum: Int? = nil, requireContext: Bool? = nil, requireCampaignReview: Bool? = nil) throws {
        try run(.policySet(quorum: quorum, slaHours: nil, requireContext: requireContext, requireCampaignReview: requireCampaignReview), as: "rita")
    }
}

// MARK: - Expectation helpers

/// The `DomainError` that `body` throws, recording an issue when it does not throw one.
@discardableResult
func domainError(_ sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Any) -> DomainError? {
    do {
        let value = try body()
        Issue.record("expected a DomainError, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let e as DomainError {
        return e
    } catch {
        Issue.record("expected a DomainError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

func expectRefused(_ rule: String, _ sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Any) {
    guard let e = domainError(sourceLocation, body) else { return }
    #expect(e.rule == rule, "expected refusal by '\(rule)', got \(e)", sourceLocation: sourceLocation)
    if case .refused(_, let message) = e {
        #expect(!message.isEmpty, sourceLocation: sourceLocation)
    }
}

func expectNotFound(_ sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Any) {
    guard let e = domainError(sourceLocation, body) else { return }
    if case .notFound = e { return }
    Issue.record("expected .notFound, got \(e)", sourceLocation: sourceLocation)
}

func expectInvalid(_ containing: String? = nil, _ sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Any) {
    guard let e = domainError(sourceLocation, body) else { return }
    guard case .invalid(let message) = e else {
        Issue.record("expected .invalid, got \(e)", sourceLocation: sourceLocation)
        return
    }
    if let containing {
        #expect(message.contains(containing), "message \(message.debugDescription) should mention \(containing.debugDescription)", sourceLocation: sourceLocation)
    }
}

// MARK: - Actors and roles

@Suite("Rules: actors and roles")
struct ActorRuleTests {
    @Test func nothingRunsBeforeTheLedgerIsInitialised() {
        let w = World()
        expectRefused(Rule.activeActor) { try w.decide(.actorAdd(id: "x", name: "X", roles: [.sales]), as: "rita") }
    }

    @Test func initialiseCreatesARevopsAdminAndTheDefaultPolicy() throws {
        let events = try Decider.initialize(admin: "rita", name: "Rita")
        #expect(events == [
            .ledgerInitialized(LedgerInitialized(admin: "rita", name: "Rita")),
            .actorRegistered(ActorRegistered(actor: "rita", name: "Rita", roles: [.revops])),
            .policyChanged(PolicyChanged(policy: Policy())),
        ])
        #expect(Policy().quorum == 1 && Policy().requireContext && Policy().requireCampaignReview && Policy().slaHours == 24)
        expectInvalid { try Decider.initialize(admin: "ri ta", name: "Rita") }
        expectInvalid { try Decider.initialize(admin: "rita", name: "  ") }
    }

    @Test func anUnregisteredActorIsRefused() throws {
        let w = try World.standard()
        expectRefused(Rule.activeActor) { try w.decide(.definitionPropose(id: "mql", title: "T", fit: [Criterion(field: "a", op: "=", values: ["b"])], engagement: [], rationale: nil), as: "ghost") }
        expectRefused(Rule.activeActor) { try w.decide(.actorAdd(id: "x", name: "X", roles: [.sales]), as: "ghost") }
    }

    @Test func aDeactivatedActorIsRefused() throws {
        let w = try World.standard()
        let v = try w.propose()
        #expect(try w.run(.actorDeactivate(id: "sam"), as: "rita") == [.actorDeactivated(ActorDeactivated(actor: "sam"))])
        expectRefused(Rule.activeActor) { try w.decide(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sam") }
        // Others still act.
        #expect(try w.decide(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sofia").count == 1)
        // A deactivated actor cannot be a lead owner.
        try w.run(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sofia")
        try w.run(.definitionActivate(id: "mql", version: v, override: nil), as: "maria")
        guard case .leadHandoff(var h) = w.handoff("L-1") else { return }
        h.owner = "sam"
        expectRefused(Rule.role) { try w.decide(.leadHandoff(h), as: "maria") }
        h.owner = "sofia"
        #expect(try w.decide(.leadHandoff(h), as: "maria").count == 1)
    }

    @Test func onlyRevopsManagesActorsAndPolicy() throws {
        let w = try World.standard()
        for who in ["maria", "sam", "vic"] {
            expectRefused(Rule.role) { try w.decide(.actorAdd(id: "new", name: "New", roles: [.sales]), as: who) }
            expectRefused(Rule.role) { try w.decide(.actorRoles(id: "sam", roles: [.viewer]), as: who) }
            expectRefused(Rule.role) { try w.decide(.actorDeactivate(id: "sam"), as: who) }
            expectRefused(Rule.role) { try w.decide(.policySet(quorum: 2, slaHours: nil, requireContext: nil, requireCampaignReview: nil), as: who) }
        }
        #expect(try w.decide(.actorAdd(id: "new", name: "New", roles: [.sales, .viewer]), as: "rita")
                == [.actorRegistered(ActorRegistered(actor: "new", name: "New", roles: [.sales, .viewer]))])
        #expect(try w.decide(.actorRoles(id: "sam", roles: [.sales, .marketing]), as: "rita")
                == [.actorRolesChanged(ActorRolesChanged(actor: "sam", roles: [.sales, .marketing]))])
    }

    @Test func actorManagementRules() throws {
        let w = try World.standard()
        expectRefused(Rule.unique) { try w.decide(.actorAdd(id: "sam", name: "Sam again", roles: [.sales]), as: "rita") }
        expectNotFound { try w.decide(.actorRoles(id: "nobody", roles: [.sales]), as: "rita") }
        expectNotFound { try w.decide(.actorDeactivate(id: "nobody"), as: "rita") }
        // The last active revops member cannot be demoted or deactivated...
        expectRefused(Rule.actors) { try w.decide(.actorRoles(id: "rita", roles: [.sales]), as: "rita") }
        expectRefused(Rule.actors) { try w.decide(.actorDeactivate(id: "rita"), as: "rita") }
        // ... until someone else holds revops, who may then do it (nobody deactivates themselves).
        try w.run(.actorRoles(id: "maria", roles: [.marketing, .revops]), as: "rita")
        expectRefused(Rule.noSelfRoleChange) { try w.decide(.actorDeactivate(id: "rita"), as: "rita") }
        #expect(try w.decide(.actorDeactivate(id: "rita"), as: "maria").count == 1)
        try w.run(.actorDeactivate(id: "sam"), as: "rita")
        expectRefused(Rule.actors) { try w.decide(.actorDeactivate(id: "sam"), as: "rita") }
    }

    @Test func policyChanges() throws {
        let w = try World.standard()
        var expected = Policy()
        expected.quorum = 2
        #expect(try w.run(.policySet(quorum: 2, slaHours: nil, requireContext: nil, requireCampaignReview: nil), as: "rita")
                == [.policyChanged(PolicyChanged(policy: expected))])
        // Setting the policy to what it is records nothing (it was refused as "changes nothing" before issue 10).
        #expect(try w.decide(.policySet(quorum: 2, slaHours: nil, requireContext: nil, requireCampaignReview: nil), as: "rita") == [])
        expectInvalid { try w.decide(.policySet(quorum: 0, slaHours: nil, requireContext: nil, requireCampaignReview: nil), as: "rita") }
        expectInvalid { try w.decide(.policySet(quorum: 101, slaHours: nil, requireContext: nil, requireCampaignReview: nil), as: "rita") }
        expectInvalid { try w.decide(.policySet(quorum: nil, slaHours: 0, requireContext: nil, requireCampaignReview: nil), as: "rita") }
        expected.slaHours = 48
        expected.requireContext = false
        #expect(try w.run(.policySet(quorum: nil, slaHours: 48, requireContext: false, requireCampaignReview: nil), as: "rita")
                == [.policyChanged(PolicyChanged(policy: expected))])
    }
}

/// A fixed key of vic's with its proof (the fixture of tools/schema-check-commands.jsonl).
let sampleGrant: KeyGrant = {
    guard let k = try? PublicKey(text: "ed25519:ETQ4fDOO9vNC7hSKtwD63rgX_AqsNS4b8l1tsNcteO8"), let p = Base64URL.decode("4EViaCjgpFPPnnkpTps9z_ZglYQLEzClizRx_QKCzb9lzoho5CoWsnK1Yfp58q6JbVv27lPGkAfK-3L0PmhSAg") else { fatalError("the fixture key does not read") }
    return KeyGrant(key: k, proof: p)
}()

/// Fixed keys of rita's with their proofs: `ritaKeys[0]`, `ritaKeys[1]`.
let ritaKeys: [KeyGrant] = [("ed25519:dowq4hfOb76xutGs_ksHvyIU9FJzLGPBHpN_BchPgFY", "EZ3j_t5deOT6NSLtR5Ayq0zUDjvxRZpLZO7y5nSZrIxmFAFYrme_wPc5M2jlXugBfcJJ9lPYWZA7MBeP1W_xCQ"), ("ed25519:bbGjE-XKHNOmk3or4H3lV9311jh6hArmuDjLWa13Yos", "YXu6gNzpKc7ECGBO6zjghqWSqF8NGpDbvhrRiUtXI-nz6JGDHIE_jvByy0u2qrAasJZhMsSGKRqL2GzXVYIUBQ")].map { pub, proof in
    guard let k = try? PublicKey(text: pub), let p = Base64URL.decode(proof) else { fatalError("the fixture key does not read") }
    return KeyGrant(key: k, proof: p)
}

/// One sample of every command, for the role table.
let sampleCommands: [Command] = [
    .actorAdd(id: "new", name: "New", roles: [.sales]),
    .actorRoles(id: "sam", roles: [.sales]),
    .actorDeactivate(id: "sam"),
    .actorKeyAdd(actor: "vic", key: sampleGrant),
    .actorKeyRotate(actor: "vic", key: sampleGrant),
    .actorKeyRevoke(actor: "vic", keyID: "0123456789abcdef", reason: nil),
    .policySet(quorum: 2, slaHours: nil, requireContext: nil, requireCampaignReview: nil),
    .policyRequireSignatures,
    .importRecords(source: "crm.csv", reason: "sync", commands: 2),
    .definitionPropose(id: "d", title: "T", fit: [Criterion(field: "a", op: "=", values: ["b"])], engagement: [], rationale: nil),
    .definitionSignOff(id: "d", version: 1, comment: nil),
    .definitionReject(id: "d", version: 1, reason: "no"),
    .definitionActivate(id: "d", version: 1, override: nil),
    .definitionRetire(id: "d"),
    .campaignDraft(id: "c", name: "C", audience: nil, offer: nil, channels: [], launchDate: nil),
    .campaignRequestReview(id: "c"),
    .campaignReview(id: "c", approve: true, comment: nil),
    .campaignBrief(id: "c", summary: "S", talkingPoints: [], offer: nil),
    .campaignLaunch(id: "c", override: nil),
    .campaignClose(id: "c"),
    .leadHandoff(HandoffArgs(id: "L", definition: "d")),
    .leadAccept(id: "L"),
    .leadReject(id: "L", reason: .notICP, note: nil),
    .leadConvert(id: "L", opportunity: nil, amount: nil),
    .leadRecycle(id: "L"),
    .contentPlan(asset: "a", title: "A", stage: .decision, persona: nil),
    .contentRequest(id: "r", what: "W", stage: .decision, lead: nil, why: nil),
    .contentTriage(id: "r", outcome: .declined, asset: nil, reason: "no"),
    .contentFulfil(id: "r", asset: nil),
]

@Suite("Rules: the role table")
struct RoleTableRuleTests {
    /// The design's table of who runs what.
    static let expected: [String: Set<Role>] = [
        "actor.add": [.revops], "actor.roles": [.revops], "actor.deactivate": [.revops], "policy.set": [.revops],
        "policy.require-signatures": [.revops], "import.record": [.revops],
        // Any role may manage keys, but only revops or the key's own actor (the rules check which).
        "actor.key-add": Set(Role.allCases), "actor.key-rotate": Set(Role.allCases), "actor.key-revoke": Set(Role.allCases),
        "definition.propose": [.marketing, .sales], "definition.sign-off": [.sales], "definition.reject": [.sales],
        "definition.activate": [.marketing, .revops], "definition.retire": [.marketing, .revops],
        "campaign.draft": [.marketing], "campaign.request-review": [.marketing], "campaign.review": [.sales],
        "campaign.brief": [.marketing], "campaign.launch": [.marketing], "campaign.close": [.marketing],
        "lead.handoff": [.marketing], "lead.accept": [.sales], "lead.reject": [.sales], "lead.convert": [.sales], "lead.recycle": [.sales],
        "content.plan": [.marketing], "content.request": [.sales], "content.triage": [.marketing], "content.fulfil": [.marketing],
    ]

    @Test func everyCommandHasASample() {
        #expect(Set(sampleCommands.map(\.name)) == Set(Command.names))
        #expect(Set(Self.expected.keys) == Set(Command.names))
    }

    @Test(arguments: sampleCommands)
    func roleIsCheckedForEveryCommand(_ command: Command) throws {
        #expect(command.allowedRoles == Self.expected[command.name], "\(command.name)")
        #expect(!command.allowedRoles.contains(.viewer) || command.name.hasPrefix("actor.key-"), "viewer runs no command but their own keys")
        let w = World()
        w.record(try Decider.initialize(admin: "rita", name: "Rita"), by: "rita")
        for role in Role.allCases where role != .revops {
            try w.run(.actorAdd(id: "only-\(role.rawValue)", name: role.rawValue, roles: [role]), as: "rita")
        }
        for role in Role.allCases {
            let actor = role == .revops ? "rita" : "only-\(role.rawValue)"
            if command.allowedRoles.contains(role) {
                // Allowed: whatever else may refuse it (an empty ledger), it is not the role.
                do { _ = try w.decide(command, as: actor) } catch let e as DomainError {
                    #expect(e.rule != Rule.role, "\(command.name) as \(role): \(e)")
                }
            } else {
                expectRefused(Rule.role) { try w.decide(command, as: actor) }
            }
        }
    }

    @Test func anActorWithSeveralRolesMayRunEitherRolesCommands() throws {
        let w = try World.standard()
        try w.run(.actorAdd(id: "both", name: "Both", roles: [.marketing, .sales]), as: "rita")
        let v = try w.propose("mql", as: "both")
        #expect(v == 1)
        // Sales signs off... but not their own proposal.
        expectRefused(Rule.noSelfSignOff) { try w.decide(.definitionSignOff(id: "mql", version: v, comment: nil), as: "both") }
        #expect(try w.decide(.campaignDraft(id: "c", name: "C", audience: nil, offer: nil, channels: [], launchDate: nil), as: "both").count == 1)
    }

    @Test func aViewerRunsNothing() throws {
        let w = try World.standard()
        try w.activeDefinition()
        try w.approvedCampaign()
        for command in sampleCommands where !command.name.hasPrefix("actor.key-") {
            expectRefused(Rule.role) { try w.decide(command, as: "vic") }
        }
        // Keys are the exception: a viewer manages their own, nobody else's.
        expectRefused(Rule.actors) { try w.decide(.actorKeyRevoke(actor: "sam", keyID: "0123456789abcdef", reason: nil), as: "vic") }
        #expect(try w.decide(.actorKeyAdd(actor: "vic", key: sampleGrant), as: "vic").count == 1)
    }
}

// MARK: - Lead definitions

@Suite("Rules: lead definitions")
struct DefinitionRuleTests {
    @Test func versionsAreNumberedOneTwoThree() throws {
        let w = try World.standard()
        let fit = [try Criterion.parse("employees>=200")]
        let eng = [try Criterion.parse("webinar.attended>=1")]
        let e1 = try w.run(.definitionPropose(id: "mql", title: "MQL", fit: fit, engagement: eng, rationale: "Q3"), as: "maria")
        #expect(e1 == [.definitionProposed(LeadDefinitionProposed(definition: "mql", version: 1, title: "MQL", fit: fit, engagement: eng, rationale: "Q3"))])
        #expect(try w.propose("mql", as: "sam") == 2)   // sales may propose too
        #expect(try w.propose("mql") == 3)
        #expect(try w.propose("other") == 1)             // numbered per definition
        #expect(try w.fold.definition("mql").versions.map(\.author) == ["maria", "sam", "maria"])
    }

    @Test func aProposalNeedsACriterion() throws {
        let w = try World.standard()
        expectInvalid { try w.decide(.definitionPropose(id: "mql", title: "T", fit: [], engagement: [], rationale: nil), as: "maria") }
    }

    @Test func signOffAndRejectionBySalesOnly() throws {
        let w = try World.standard()
        let v = try w.propose()
        #expect(try w.decide(.definitionSignOff(id: "mql", version: v, comment: "ok"), as: "sam")
                == [.definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 1, comment: "ok"))])
        #expect(try w.decide(.definitionReject(id: "mql", version: v, reason: "too broad"), as: "sam")
                == [.definitionRejected(LeadDefinitionRejected(definition: "mql", version: 1, reason: "too broad"))])
        for who in ["maria", "mark", "rita", "vic"] {
            expectRefused(Rule.role) { try w.decide(.definitionSignOff(id: "mql", version: v, comment: nil), as: who) }
            expectRefused(Rule.role) { try w.decide(.definitionReject(id: "mql", version: v, reason: "no"), as: who) }
        }
    }

    @Test func signOffOfUnknownDefinitionOrVersion() throws {
        let w = try World.standard()
        expectNotFound { try w.decide(.definitionSignOff(id: "nope", version: 1, comment: nil), as: "sam") }
        _ = try w.propose()
        expectNotFound { try w.decide(.definitionSignOff(id: "mql", version: 2, comment: nil), as: "sam") }
        expectNotFound { try w.decide(.definitionSignOff(id: "mql", version: 0, comment: nil), as: "sam") }
        expectNotFound { try w.decide(.definitionReject(id: "mql", version: 9, reason: "x"), as: "sam") }
        expectNotFound { try w.decide(.definitionActivate(id: "mql", version: 9, override: nil), as: "maria") }
        expectNotFound { try w.decide(.definitionRetire(id: "nope"), as: "maria") }
    }

    @Test func oneVerdictPerActorPerVersion() throws {
        let w = try World.standard()
        let v1 = try w.propose()
        try w.run(.definitionSignOff(id: "mql", version: v1, comment: nil), as: "sam")
        expectRefused(Rule.oneVerdictPerVersion) { try w.decide(.definitionSignOff(id: "mql", version: v1, comment: nil), as: "sam") }
        expectRefused(Rule.oneVerdictPerVersion) { try w.decide(.definitionReject(id: "mql", version: v1, reason: "changed my mind"), as: "sam") }
        try w.run(.definitionReject(id: "mql", version: v1, reason: "too broad"), as: "sofia")
        expectRefused(Rule.oneVerdictPerVersion) { try w.decide(.definitionSignOff(id: "mql", version: v1, comment: nil), as: "sofia") }
        expectRefused(Rule.oneVerdictPerVersion) { try w.decide(.definitionReject(id: "mql", version: v1, reason: "again"), as: "sofia") }
        // A new version takes a new verdict from the same people.
        let v2 = try w.propose()
        #expect(try w.decide(.definitionSignOff(id: "mql", version: v2, comment: nil), as: "sam").count == 1)
        #expect(try w.decide(.definitionSignOff(id: "mql", version: v2, comment: nil), as: "sofia").count == 1)
    }

    @Test func theAuthorCannotSignOffTheirOwnVersion() throws {
        let w = try World.standard()
        let v1 = try w.propose("mql", as: "sam")
        expectRefused(Rule.noSelfSignOff) { try w.decide(.definitionSignOff(id: "mql", version: v1, comment: nil), as: "sam") }
        #expect(try w.decide(.definitionSignOff(id: "mql", version: v1, comment: nil), as: "sofia").count == 1)
        // Authorship is per version: sam may sign off maria's v2.
        let v2 = try w.propose("mql", as: "maria")
        #expect(try w.decide(.definitionSignOff(id: "mql", version: v2, comment: nil), as: "sam").count == 1)
    }

    @Test(arguments: [1, 2, 3])
    func activationNeedsTheQuorum(_ quorum: Int) throws {
        let w = try World.standard()
        if quorum != 1 { try w.setPolicy(quorum: quorum) }
        let v = try w.propose()
        let signers = ["sam", "sofia", "sid"]
        for n in 0..<quorum {
            expectRefused(Rule.quorum) { try w.decide(.definitionActivate(id: "mql", version: v, override: nil), as: "maria") }
            try w.run(.definitionSignOff(id: "mql", version: v, comment: nil), as: signers[n])
        }
        let events = try w.run(.definitionActivate(id: "mql", version: v, override: nil), as: "maria")
        #expect(events == [.definitionActivated(LeadDefinitionActivated(definition: "mql", version: v, signOffs: quorum, quorum: quorum, supersedes: nil, override: nil))])
        #expect(try w.fold.definition("mql").activeVersion == v)
    }

    @Test func theDefaultQuorumIsOneAndRevopsMayActivate() throws {
        let w = try World.standard()
        let v = try w.propose()
        expectRefused(Rule.quorum) { try w.decide(.definitionActivate(id: "mql", version: v, override: nil), as: "rita") }
        try w.run(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sam")
        #expect(try w.decide(.definitionActivate(id: "mql", version: v, override: nil), as: "rita").count == 1)
        #expect(try w.decide(.definitionActivate(id: "mql", version: v, override: nil), as: "maria").count == 1)
    }

    @Test func aRejectionBlocksActivationEvenWithTheQuorum() throws {
        let w = try World.standard()
        let v = try w.propose()
        try w.run(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sam")
        try w.run(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sid")
        try w.run(.definitionReject(id: "mql", version: v, reason: "includes students"), as: "sofia")
        expectRefused(Rule.noRejection) { try w.decide(.definitionActivate(id: "mql", version: v, override: nil), as: "maria") }
        // A rejection of v1 does not block v2.
        let v2 = try w.propose()
        try w.run(.definitionSignOff(id: "mql", version: v2, comment: nil), as: "sofia")
        #expect(try w.decide(.definitionActivate(id: "mql", version: v2, override: nil), as: "maria").count == 1)
    }

    @Test func activationSupersedesThePreviousActiveVersion() throws {
        let w = try World.standard()
        try w.activeDefinition()
        let v2 = try w.propose()
        try w.run(.definitionSignOff(id: "mql", version: v2, comment: nil), as: "sofia")
        let events = try w.run(.definitionActivate(id: "mql", version: v2, override: nil), as: "maria")
        #expect(events == [.definitionActivated(LeadDefinitionActivated(definition: "mql", version: 2, signOffs: 1, quorum: 1, supersedes: 1, override: nil))])
        let d = try w.fold.definition("mql")
        #expect(d.activeVersion == 2)
        #expect(d.activations.map(\.version) == [1, 2])
        #expect(d.activations[0].until == d.activations[1].from)
        expectRefused(Rule.definitionLifecycle) { try w.decide(.definitionActivate(id: "mql", version: 2, override: nil), as: "maria") }
        // Going back to v1 supersedes v2.
        let back = try w.decide(.definitionActivate(id: "mql", version: 1, override: nil), as: "maria")
        #expect(back == [.definitionActivated(LeadDefinitionActivated(definition: "mql", version: 1, signOffs: 1, quorum: 1, supersedes: 2, override: nil))])
    }

    @Test func retiredDefinitionsAreClosed() throws {
        let w = try World.standard()
        try w.activeDefinition()
        let retire = try w.run(.definitionRetire(id: "mql"), as: "maria")
        #expect(retire == [.definitionRetired(LeadDefinitionRetired(definition: "mql", version: 1))])
        expectRefused(Rule.definitionLifecycle) { try w.decide(.definitionRetire(id: "mql"), as: "maria") }
        expectRefused(Rule.definitionLifecycle) { try w.decide(.definitionPropose(id: "mql", title: "T", fit: [Criterion(field: "a", op: "=", values: ["b"])], engagement: [], rationale: nil), as: "maria") }
        expectRefused(Rule.definitionLifecycle) { try w.decide(.definitionSignOff(id: "mql", version: 1, comment: nil), as: "sofia") }
        expectRefused(Rule.definitionLifecycle) { try w.decide(.definitionActivate(id: "mql", version: 1, override: nil), as: "maria") }
        expectRefused(Rule.definitionActive) { try w.decide(w.handoff("L-1"), as: "maria") }
    }
}

// MARK: - Campaigns

@Suite("Rules: campaigns")
struct CampaignRuleTests {
    @Test func draftsAreRevised() throws {
        let w = try World.standard()
        let e1 = try w.run(.campaignDraft(id: "q3", name: "Q3", audience: "RevOps", offer: "audit", channels: ["email"], launchDate: "2026-07-01"), as: "maria")
        #expect(e1 == [.campaignDrafted(CampaignDrafted(campaign: "q3", revision: 1, name: "Q3", audience: "RevOps", offer: "audit", channels: ["email"], launchDate: "2026-07-01"))])
        let e2 = try w.run(.campaignDraft(id: "q3", name: "Q3 v2", audience: nil, offer: nil, channels: [], launchDate: nil), as: "mark")
        guard case .campaignDrafted(let d)? = e2.first else { Issue.record("no draft"); return }
        #expect(d.revision == 2)
        expectRefused(Rule.role) { try w.decide(.campaignDraft(id: "q4", name: "Q4", audience: nil, offer: nil, channels: [], launchDate: nil), as: "sam") }
    }

    @Test func reviewIsBySalesOnly() throws {
        let w = try World.standard()
        try w.run(.campaignDraft(id: "q3", name: "Q3", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria")
        #expect(try w.run(.campaignRequestReview(id: "q3"), as: "maria") == [.campaignReviewRequested(CampaignReviewRequested(campaign: "q3", revision: 1))])
        expectRefused(Rule.campaignLifecycle) { try w.decide(.campaignRequestReview(id: "q3"), as: "maria") }
        for who in ["maria", "rita", "vic"] {
            expectRefused(Rule.role) { try w.decide(.campaignReview(id: "q3", approve: true, comment: nil), as: who) }
        }
        #expect(try w.decide(.campaignReview(id: "q3", approve: false, comment: "wrong audience"), as: "sam")
                == [.campaignReviewed(CampaignReviewed(campaign: "q3", revision: 1, approved: false, comment: "wrong audience"))])
        #expect(try w.decide(.campaignReview(id: "q3", approve: true, comment: nil), as: "sam")
                == [.campaignReviewed(CampaignReviewed(campaign: "q3", revision: 1, approved: true, comment: nil))])
        expectNotFound { try w.decide(.campaignReview(id: "nope", approve: true, comment: nil), as: "sam") }
        expectNotFound { try w.decide(.campaignRequestReview(id: "nope"), as: "maria") }
        expectNotFound { try w.decide(.campaignLaunch(id: "nope", override: nil), as: "maria") }
        expectNotFound { try w.decide(.campaignBrief(id: "nope", summary: "S", talkingPoints: [], offer: nil), as: "maria") }
    }

    @Test func launchNeedsAnApprovingReview() throws {
        let w = try World.standard()
        try w.run(.campaignDraft(id: "q3", name: "Q3", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria")
        expectRefused(Rule.campaignReview) { try w.decide(.campaignLaunch(id: "q3", override: nil), as: "maria") }
        try w.run(.campaignRequestReview(id: "q3"), as: "maria")
        expectRefused(Rule.campaignReview) { try w.decide(.campaignLaunch(id: "q3", override: nil), as: "maria") }
        try w.run(.campaignReview(id: "q3", approve: false, comment: "no"), as: "sam")
        expectRefused(Rule.campaignReview) { try w.decide(.campaignLaunch(id: "q3", override: nil), as: "maria") }
        try w.run(.campaignReview(id: "q3", approve: true, comment: nil), as: "sam")
        let launched = try w.run(.campaignLaunch(id: "q3", override: nil), as: "maria")
        #expect(launched == [.campaignLaunched(CampaignLaunched(campaign: "q3", revision: 1, reviewed: true, override: nil))])
        expectRefused(Rule.campaignLifecycle) { try w.decide(.campaignLaunch(id: "q3", override: nil), as: "maria") }
        expectRefused(Rule.campaignLifecycle) { try w.decide(.campaignReview(id: "q3", approve: true, comment: nil), as: "sofia") }
        expectRefused(Rule.campaignLifecycle) { try w.decide(.campaignDraft(id: "q3", name: "late", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria") }
        expectRefused(Rule.campaignLifecycle) { try w.decide(.campaignRequestReview(id: "q3"), as: "maria") }
    }

    @Test func aRedraftAfterApprovalNeedsANewReview() throws {
        let w = try World.standard()
        try w.approvedCampaign()
        try w.run(.campaignDraft(id: "q3", name: "Q3, changed", audience: nil, offer: "new offer", channels: [], launchDate: nil), as: "maria")
        expectRefused(Rule.campaignReview) { try w.decide(.campaignLaunch(id: "q3", override: nil), as: "maria") }
        try w.run(.campaignReview(id: "q3", approve: true, comment: nil), as: "sofia")
        let launched = try w.decide(.campaignLaunch(id: "q3", override: nil), as: "maria")
        #expect(launched == [.campaignLaunched(CampaignLaunched(campaign: "q3", revision: 2, reviewed: true, override: nil))])
    }

    @Test func launchWithoutReviewWhenThePolicyAllowsIt() throws {
        let w = try World.standard()
        try w.setPolicy(requireCampaignReview: false)
        try w.run(.campaignDraft(id: "flash", name: "Flash sale", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria")
        #expect(try w.decide(.campaignLaunch(id: "flash", override: nil), as: "maria")
                == [.campaignLaunched(CampaignLaunched(campaign: "flash", revision: 1, reviewed: false, override: nil))])
        // A reviewed campaign is still recorded as reviewed.
        try w.approvedCampaign("q3")
        #expect(try w.decide(.campaignLaunch(id: "q3", override: nil), as: "maria")
                == [.campaignLaunched(CampaignLaunched(campaign: "q3", revision: 1, reviewed: true, override: nil))])
    }

    @Test func briefsBeforeAndAfterLaunch() throws {
        let w = try World.standard()
        try w.approvedCampaign()
        let b1 = try w.run(.campaignBrief(id: "q3", summary: "Pricing webinar", talkingPoints: ["audit"], offer: "free audit"), as: "maria")
        #expect(b1 == [.campaignBriefPublished(CampaignBriefPublished(campaign: "q3", briefVersion: 1, summary: "Pricing webinar", talkingPoints: ["audit"], offer: "free audit"))])
        try w.run(.campaignLaunch(id: "q3", override: nil), as: "maria")
        let b2 = try w.run(.campaignBrief(id: "q3", summary: "Revised", talkingPoints: [], offer: nil), as: "maria")
        #expect(b2 == [.campaignBriefPublished(CampaignBriefPublished(campaign: "q3", briefVersion: 2, summary: "Revised", talkingPoints: [], offer: nil))])
        expectRefused(Rule.role) { try w.decide(.campaignBrief(id: "q3", summary: "S", talkingPoints: [], offer: nil), as: "sam") }
        #expect(try w.run(.campaignClose(id: "q3"), as: "maria") == [.campaignClosed(CampaignClosed(campaign: "q3"))])
        expectRefused(Rule.campaignLifecycle) { try w.decide(.campaignBrief(id: "q3", summary: "S", talkingPoints: [], offer: nil), as: "maria") }
        expectRefused(Rule.campaignLifecycle) { try w.decide(.campaignClose(id: "q3"), as: "maria") }
    }
}

// MARK: - Leads

@Suite("Rules: leads")
struct LeadRuleTests {
    @Test func handoffByMarketingOnly() throws {
        let w = try World.standard()
        try w.activeDefinition()
        for who in ["sam", "rita", "vic"] {
            expectRefused(Rule.role) { try w.decide(w.handoff("L-1"), as: who) }
        }
        let events = try w.decide(w.handoff("L-1"), as: "maria")
        #expect(events == [.leadHandedOff(LeadHandedOff(lead: "L-1", definition: "mql", definitionVersion: 1, campaign: nil, brief: nil, owner: nil,
                                                        profile: ["company": "Acme", "employees": "450"], signals: [Signal(name: "webinar.attended", at: ruleT0, detail: "Pricing")],
                                                        score: nil, note: nil, override: nil,
                                                        evaluation: HandoffEvaluation(met: true, criteria: [
                                                            CriterionResult(criterion: "employees>=200", kind: .fit, outcome: .met, observed: "450")])))])
    }

    @Test func theDefinitionMustExistAndBeActive() throws {
        let w = try World.standard()
        expectNotFound { try w.decide(w.handoff("L-1", definition: "nope"), as: "maria") }
        let v = try w.propose()
        expectRefused(Rule.definitionActive) { try w.decide(w.handoff("L-1"), as: "maria") }
        try w.run(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sam")
        expectRefused(Rule.definitionActive) { try w.decide(w.handoff("L-1"), as: "maria") }
        try w.run(.definitionActivate(id: "mql", version: v, override: nil), as: "maria")
        #expect(try w.decide(w.handoff("L-1"), as: "maria").count == 1)
        // An explicit version that does not exist is not found.
        guard case .leadHandoff(var h) = w.handoff("L-1") else { return }
        h.version = 7
        expectNotFound { try w.decide(.leadHandoff(h), as: "maria") }
    }

    @Test func theVersionMustBeActiveAtTheHandoffsBusinessTime() throws {
        let w = try World.standard()
        try w.activeDefinition()
        let v1ActiveFrom = try #require(w.fold.definition("mql").activations.first?.from)
        // Before v1 was activated: refused.
        expectRefused(Rule.definitionActive) { try w.decide(w.handoff("L-1"), as: "maria", at: v1ActiveFrom.addingTimeInterval(-1)) }
        #expect(try w.decide(w.handoff("L-1"), as: "maria", at: v1ActiveFrom).count == 1)
        // v2 supersedes v1.
        let v2 = try w.propose()
        try w.run(.definitionSignOff(id: "mql", version: v2, comment: nil), as: "sofia")
        try w.run(.definitionActivate(id: "mql", version: v2, override: nil), as: "maria")
        let v2From = try #require(w.fold.definition("mql").activations.last?.from)
        // Now: v2 is chosen; v1 named explicitly is refused.
        let now = try w.decide(w.handoff("L-1"), as: "maria")
        guard case .leadHandedOff(let h)? = now.first else { Issue.record("no handoff"); return }
        #expect(h.definitionVersion == 2)
        guard case .leadHandoff(var old) = w.handoff("L-1") else { return }
        old.version = 1
        expectRefused(Rule.definitionActive) { try w.decide(.leadHandoff(old), as: "maria") }
        // Back-dated to when v1 was active: v1 is chosen, and v1 named explicitly is allowed; v2 is not.
        let backdated = v2From.addingTimeInterval(-1)
        guard case .leadHandedOff(let hb)? = try w.decide(w.handoff("L-1"), as: "maria", at: backdated).first else { Issue.record("no handoff"); return }
        #expect(hb.definitionVersion == 1)
        #expect(try w.decide(.leadHandoff(old), as: "maria", at: backdated).count == 1)
        old.version = 2
        expectRefused(Rule.definitionActive) { try w.decide(.leadHandoff(old), as: "maria", at: backdated) }
    }

    @Test func aHandoffWithoutSignalsIsRefusedWhileThePolicyRequiresContext() throws {
        let w = try World.standard()
        try w.activeDefinition()
        expectRefused(Rule.requireContext) { try w.decide(w.handoff("L-1", signals: false), as: "maria") }
        try w.setPolicy(requireContext: false)
        let events = try w.decide(w.handoff("L-1", signals: false), as: "maria")
        guard case .leadHandedOff(let h)? = events.first else { Issue.record("no handoff"); return }
        #expect(h.signals.isEmpty && h.override == nil)
    }

    @Test func aCampaignHandoffCarriesTheLatestBrief() throws {
        let w = try World.standard()
        try w.activeDefinition()
        try w.approvedCampaign()
        // Not launched yet: the campaign sources no lead (revops may force it).
        expectRefused(Rule.campaignLaunched) { try w.decide(w.handoff("L-0", campaign: "q3"), as: "maria") }
        try w.run(.campaignLaunch(id: "q3", override: nil), as: "maria")
        // No brief yet: none attached, and the handoff says so.
        guard case .leadHandedOff(let none)? = try w.run(w.handoff("L-0", campaign: "q3"), as: "maria").first else { Issue.record("no handoff"); return }
        #expect(none.campaign == "q3" && none.brief == nil && none.noBrief)
        try w.run(.campaignBrief(id: "q3", summary: "First", talkingPoints: ["a"], offer: nil), as: "maria")
        let firstBriefAt = w.now
        // A brief published after the handoff is never counted as carried by it.
        #expect(try w.fold.lead("L-0").handoff?.brief == nil)
        try w.run(.campaignBrief(id: "q3", summary: "Second", talkingPoints: ["b", "c"], offer: "audit"), as: "maria")
        let events = try w.run(w.handoff("L-1", campaign: "q3"), as: "maria")
        guard case .leadHandedOff(let h)? = events.first else { Issue.record("no handoff"); return }
        #expect(h.brief == AttachedBrief(version: 2, summary: "Second", talkingPoints: ["b", "c"], offer: "audit"))
        #expect(try w.fold.lead("L-1").handoff?.brief?.version == 2)
        // Back-dated between the two briefs: the first one (the brief in force then).
        guard case .leadHandedOff(let hb)? = try w.decide(w.handoff("L-2", campaign: "q3"), as: "maria", at: firstBriefAt.addingTimeInterval(1)).first else { Issue.record("no handoff"); return }
        #expect(hb.brief?.version == 1)
        // A lead with no campaign carries no brief; an unknown campaign is not found.
        guard case .leadHandedOff(let plain)? = try w.decide(w.handoff("L-3"), as: "maria").first else { Issue.record("no handoff"); return }
        #expect(plain.brief == nil && plain.campaign == nil)
        expectNotFound { try w.decide(w.handoff("L-4", campaign: "nope"), as: "maria") }
    }

    @Test func theOwnerMustBeActiveSales() throws {
        let w = try World.standard()
        try w.activeDefinition()
        guard case .leadHandoff(var h) = w.handoff("L-1") else { return }
        for bad in ["maria", "nobody", "vic"] {
            h.owner = bad
            expectRefused(Rule.role) { try w.decide(.leadHandoff(h), as: "maria") }
        }
        h.owner = "sam"
        guard case .leadHandedOff(let e)? = try w.decide(.leadHandoff(h), as: "maria").first else { Issue.record("no handoff"); return }
        #expect(e.owner == "sam")
    }

    @Test func acceptRejectConvertRecycleInOrder() throws {
        let w = try World.standard()
        try w.activeDefinition()
        expectNotFound { try w.decide(.leadAccept(id: "L-1"), as: "sam") }
        expectNotFound { try w.decide(.leadReject(id: "L-1", reason: .other, note: nil), as: "sam") }
        expectNotFound { try w.decide(.leadConvert(id: "L-1", opportunity: nil, amount: nil), as: "sam") }
        expectNotFound { try w.decide(.leadRecycle(id: "L-1"), as: "sam") }
        try w.run(w.handoff("L-1"), as: "maria")
        expectRefused(Rule.leadLifecycle) { try w.decide(w.handoff("L-1"), as: "maria") }
        expectRefused(Rule.leadLifecycle) { try w.decide(.leadConvert(id: "L-1", opportunity: nil, amount: nil), as: "sam") }
        expectRefused(Rule.leadLifecycle) { try w.decide(.leadRecycle(id: "L-1"), as: "sam") }
        expectRefused(Rule.role) { try w.decide(.leadAccept(id: "L-1"), as: "maria") }
        #expect(try w.run(.leadAccept(id: "L-1"), as: "sam") == [.leadAccepted(LeadAccepted(lead: "L-1"))])
        expectRefused(Rule.leadLifecycle) { try w.decide(.leadAccept(id: "L-1"), as: "sam") }
        expectRefused(Rule.leadLifecycle) { try w.decide(.leadReject(id: "L-1", reason: .notICP, note: nil), as: "sam") }
        expectInvalid { try w.decide(.leadConvert(id: "L-1", opportunity: "OPP-1", amount: -1), as: "sam") }
        #expect(try w.decide(.leadConvert(id: "L-1", opportunity: "OPP-1", amount: 48_000), as: "sam")
                == [.leadConverted(LeadConverted(lead: "L-1", opportunity: "OPP-1", amount: 48_000))])
        // Accepted -> recycled -> handed off again.
        #expect(try w.run(.leadRecycle(id: "L-1"), as: "sam") == [.leadRecycled(LeadRecycled(lead: "L-1"))])
        expectRefused(Rule.leadLifecycle) { try w.decide(.leadAccept(id: "L-1"), as: "sam") }
        #expect(try w.run(w.handoff("L-1"), as: "mark").count == 1)
        #expect(try w.fold.lead("L-1").status == .handedOff)
        try w.run(.leadAccept(id: "L-1"), as: "sam")
        try w.run(.leadConvert(id: "L-1", opportunity: nil, amount: nil), as: "sam")
        expectRefused(Rule.leadLifecycle) { try w.decide(.leadRecycle(id: "L-1"), as: "sam") }
        expectRefused(Rule.leadLifecycle) { try w.decide(.leadConvert(id: "L-1", opportunity: nil, amount: nil), as: "sam") }
    }

    @Test(arguments: RejectionReason.allCases)
    func rejectWithEachReasonCode(_ reason: RejectionReason) throws {
        let w = try World.standard()
        try w.activeDefinition()
        try w.run(w.handoff("L-1"), as: "maria")
        #expect(try w.run(.leadReject(id: "L-1", reason: reason, note: "n"), as: "sofia") == [.leadRejected(LeadRejected(lead: "L-1", reason: reason, note: "n"))])
        #expect(try w.fold.lead("L-1").rejection == reason)
        expectRefused(Rule.leadLifecycle) { try w.decide(.leadConvert(id: "L-1", opportunity: nil, amount: nil), as: "sam") }
        expectRefused(Rule.leadLifecycle) { try w.decide(.leadReject(id: "L-1", reason: reason, note: nil), as: "sam") }
        #expect(try w.decide(.leadRecycle(id: "L-1"), as: "sam").count == 1)
        // The reason code round-trips through the apply format.
        let parsed = try Command.parse("lead.reject", ["id": .string("L-1"), "reason": .string(reason.rawValue)])
        #expect(parsed == .leadReject(id: "L-1", reason: reason, note: nil))
    }
}

// MARK: - Content

@Suite("Rules: content")
struct ContentRuleTests {
    @Test func planAndRequest() throws {
        let w = try World.standard()
        #expect(try w.run(.contentPlan(asset: "roi", title: "ROI calculator", stage: .decision, persona: "CFO"), as: "maria")
                == [.contentPlanned(ContentPlanned(asset: "roi", title: "ROI calculator", stage: .decision, persona: "CFO", fromRequest: nil))])
        expectRefused(Rule.unique) { try w.decide(.contentPlan(asset: "roi", title: "again", stage: .awareness, persona: nil), as: "maria") }
        expectRefused(Rule.role) { try w.decide(.contentPlan(asset: "x", title: "X", stage: .awareness, persona: nil), as: "sam") }
        #expect(try w.run(.contentRequest(id: "REQ-1", what: "case study", stage: .decision, lead: nil, why: "CFO asked"), as: "sam")
                == [.contentRequested(ContentRequested(request: "REQ-1", what: "case study", why: "CFO asked", stage: .decision, lead: nil))])
        expectRefused(Rule.unique) { try w.decide(.contentRequest(id: "REQ-1", what: "again", stage: .decision, lead: nil, why: nil), as: "sam") }
        expectRefused(Rule.unique) { try w.decide(.contentRequest(id: "roi", what: "clash", stage: .decision, lead: nil, why: nil), as: "sam") }
        expectRefused(Rule.role) { try w.decide(.contentRequest(id: "REQ-2", what: "x", stage: .decision, lead: nil, why: nil), as: "maria") }
        expectNotFound { try w.decide(.contentRequest(id: "REQ-2", what: "x", stage: .decision, lead: "L-404", why: nil), as: "sam") }
        try w.activeDefinition()
        try w.run(w.handoff("L-1"), as: "maria")
        #expect(try w.decide(.contentRequest(id: "REQ-2", what: "x", stage: .decision, lead: "L-1", why: nil), as: "sam").count == 1)
    }

    @Test func mapToNeedsAPlannedAsset() throws {
        let w = try World.standard()
        try w.run(.contentRequest(id: "REQ-1", what: "case study", stage: .decision, lead: nil, why: nil), as: "sam")
        try w.run(.contentRequest(id: "REQ-2", what: "other", stage: .decision, lead: nil, why: nil), as: "sam")
        expectNotFound { try w.decide(.contentTriage(id: "REQ-1", outcome: .mapped, asset: "roi", reason: nil), as: "maria") }
        // A request id is not a planned asset.
        expectNotFound { try w.decide(.contentTriage(id: "REQ-1", outcome: .mapped, asset: "REQ-2", reason: nil), as: "maria") }
        try w.run(.contentPlan(asset: "roi", title: "ROI", stage: .decision, persona: nil), as: "maria")
        expectRefused(Rule.role) { try w.decide(.contentTriage(id: "REQ-1", outcome: .mapped, asset: "roi", reason: nil), as: "sam") }
        #expect(try w.run(.contentTriage(id: "REQ-1", outcome: .mapped, asset: "roi", reason: nil), as: "maria")
                == [.contentRequestTriaged(ContentRequestTriaged(request: "REQ-1", outcome: .mapped, asset: "roi", reason: nil))])
        expectRefused(Rule.contentLifecycle) { try w.decide(.contentTriage(id: "REQ-1", outcome: .declined, asset: nil, reason: "x"), as: "maria") }
        expectNotFound { try w.decide(.contentTriage(id: "REQ-404", outcome: .declined, asset: nil, reason: "x"), as: "maria") }
        // Triage applies to requests, not to planned assets.
        expectNotFound { try w.decide(.contentTriage(id: "roi", outcome: .declined, asset: nil, reason: "x"), as: "maria") }
    }

    @Test func addToPlanPlansTheAssetAndTriages() throws {
        let w = try World.standard()
        try w.run(.contentRequest(id: "REQ-1", what: "security FAQ", stage: .consideration, lead: nil, why: nil), as: "sam")
        let events = try w.run(.contentTriage(id: "REQ-1", outcome: .addedToPlan, asset: "security-faq", reason: nil), as: "maria")
        #expect(events == [
            .contentPlanned(ContentPlanned(asset: "security-faq", title: "security FAQ", stage: .consideration, persona: nil, fromRequest: "REQ-1")),
            .contentRequestTriaged(ContentRequestTriaged(request: "REQ-1", outcome: .addedToPlan, asset: "security-faq", reason: nil)),
        ])
        #expect(events.map(\.stream) == ["content/security-faq", "content/REQ-1"])
        #expect(try w.fold.content("security-faq").asset?.fromRequest == "REQ-1")
        // Adding an asset that exists already is refused: map to it instead.
        try w.run(.contentRequest(id: "REQ-2", what: "again", stage: .consideration, lead: nil, why: nil), as: "sofia")
        expectRefused(Rule.unique) { try w.decide(.contentTriage(id: "REQ-2", outcome: .addedToPlan, asset: "security-faq", reason: nil), as: "maria") }
        #expect(try w.decide(.contentTriage(id: "REQ-2", outcome: .mapped, asset: "security-faq", reason: nil), as: "maria").count == 1)
    }

    @Test func idsMustBeInComposedForm() throws {
        // "café" with a precomposed é is accepted; the same text as e + U+0301 would be another stream to the log.
        let composed = try Command.parse("lead.accept", ["id": .string("caf\u{E9}")])
        #expect(composed == .leadAccept(id: "caf\u{E9}"))
        expectInvalid("composed form") { try Command.parse("lead.accept", ["id": .string("cafe\u{301}")]) }
        expectInvalid("composed form") { try Command.parse("actor.add", ["id": .string("Ame\u{301}lie"), "name": .string("A"), "role": .string("sales")]) }
    }

    @Test func declineAndAdHocNeedAReason() throws {
        for flag in ["decline", "ad-hoc"] {
            expectInvalid("--reason") { try Command.parse("content.triage", ["id": .string("REQ-1"), flag: .bool(true)]) }
            expectInvalid("--reason") { try Command.parse("content.triage", ["id": .string("REQ-1"), flag: .bool(true), "reason": .string("")]) }
            let c = try Command.parse("content.triage", ["id": .string("REQ-1"), flag: .bool(true), "reason": .string("board meeting")])
            #expect(c == .contentTriage(id: "REQ-1", outcome: flag == "decline" ? .declined : .adHoc, asset: nil, reason: "board meeting"))
        }
        expectInvalid("exactly one") { try Command.parse("content.triage", ["id": .string("REQ-1")]) }
        expectInvalid("exactly one") { try Command.parse("content.triage", ["id": .string("REQ-1"), "map-to": .string("a"), "decline": .bool(true), "reason": .string("r")]) }
        #expect(try Command.parse("content.triage", ["id": .string("REQ-1"), "add-to-plan": .string("faq")])
                == .contentTriage(id: "REQ-1", outcome: .addedToPlan, asset: "faq", reason: nil))
    }

    @Test func fulfilAfterTriageOnly() throws {
        let w = try World.standard()
        try w.run(.contentPlan(asset: "roi", title: "ROI", stage: .decision, persona: nil), as: "maria")
        for r in ["REQ-1", "REQ-2", "REQ-3"] {
            try w.run(.contentRequest(id: r, what: "w", stage: .decision, lead: nil, why: nil), as: "sam")
        }
        expectRefused(Rule.contentLifecycle) { try w.decide(.contentFulfil(id: "REQ-1", asset: nil), as: "maria") }
        expectNotFound { try w.decide(.contentFulfil(id: "REQ-404", asset: nil), as: "maria") }
        try w.run(.contentTriage(id: "REQ-1", outcome: .mapped, asset: "roi", reason: nil), as: "maria")
        expectRefused(Rule.role) { try w.decide(.contentFulfil(id: "REQ-1", asset: nil), as: "sam") }
        // The triage's asset is the default.
        #expect(try w.run(.contentFulfil(id: "REQ-1", asset: nil), as: "maria") == [.contentRequestFulfilled(ContentRequestFulfilled(request: "REQ-1", asset: "roi"))])
        expectRefused(Rule.contentLifecycle) { try w.decide(.contentFulfil(id: "REQ-1", asset: nil), as: "maria") }
        // Declined requests are not fulfilled; ad-hoc ones are.
        try w.run(.contentTriage(id: "REQ-2", outcome: .declined, asset: nil, reason: "covered"), as: "maria")
        expectRefused(Rule.contentLifecycle) { try w.decide(.contentFulfil(id: "REQ-2", asset: nil), as: "maria") }
        try w.run(.policySet(quorum: nil, slaHours: nil, requireContext: nil, requireCampaignReview: nil, adHocContent: .allow), as: "rita")
        try w.run(.contentTriage(id: "REQ-3", outcome: .adHoc, asset: nil, reason: "board"), as: "maria")
        expectNotFound { try w.decide(.contentFulfil(id: "REQ-3", asset: "nope"), as: "maria") }
        #expect(try w.decide(.contentFulfil(id: "REQ-3", asset: "roi"), as: "maria") == [.contentRequestFulfilled(ContentRequestFulfilled(request: "REQ-3", asset: "roi"))])
        #expect(try w.decide(.contentFulfil(id: "REQ-3", asset: nil), as: "maria") == [.contentRequestFulfilled(ContentRequestFulfilled(request: "REQ-3", asset: nil))])
    }
}

// MARK: - Overrides

@Suite("Rules: overrides")
struct OverrideRuleTests {
    @Test func onlyRevopsOverrides() throws {
        let w = try World.standard()
        try w.run(.campaignDraft(id: "flash", name: "Flash", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria")
        for who in ["maria", "sam", "vic"] {
            expectRefused(Rule.override) { try w.decide(.campaignLaunch(id: "flash", override: "competitor"), as: who) }
        }
        let events = try w.run(.campaignLaunch(id: "flash", override: "competitor launch"), as: "rita")
        #expect(events == [.campaignLaunched(CampaignLaunched(campaign: "flash", revision: 1, reviewed: false,
                                                               override: Override(reason: "competitor launch", rule: Rule.campaignReview)))])
    }

    @Test func anOverrideNeedsAReason() throws {
        for name in ["campaign.launch", "lead.handoff", "definition.activate"] {
            var args: [String: JSONValue] = ["id": .string("x"), "override": .bool(true)]
            if name == "lead.handoff" { args["definition"] = .string("mql") }
            if name == "definition.activate" { args["version"] = .number(1) }
            expectInvalid("--reason") { try Command.parse(name, args) }
            args["reason"] = .string("   ")
            expectInvalid("--reason") { try Command.parse(name, args) }
            // A reason without --override is a mistake too.
            args["override"] = nil
            args["reason"] = .string("why")
            expectInvalid("--override") { try Command.parse(name, args) }
        }
        #expect(try Command.parse("campaign.launch", ["id": .string("x"), "override": .bool(true), "reason": .string("why")]) == .campaignLaunch(id: "x", override: "why"))
    }

    @Test func activationOverridesRecordTheFirstRuleSetAside() throws {
        let w = try World.standard()
        let v1 = try w.propose()
        let e1 = try w.run(.definitionActivate(id: "mql", version: v1, override: "board deadline"), as: "rita")
        #expect(e1 == [.definitionActivated(LeadDefinitionActivated(definition: "mql", version: 1, signOffs: 0, quorum: 1, supersedes: nil,
                                                                   override: Override(reason: "board deadline", rule: Rule.quorum)))])
        #expect(try w.fold.definition("mql").activations.last?.override?.rule == Rule.quorum)
        let v2 = try w.propose()
        try w.run(.definitionReject(id: "mql", version: v2, reason: "no"), as: "sam")
        guard case .definitionActivated(let e2)? = try w.decide(.definitionActivate(id: "mql", version: v2, override: "ceo"), as: "rita").first else { Issue.record("no activation"); return }
        #expect(e2.override == Override(reason: "ceo", rule: Rule.noRejection))
        #expect(e2.supersedes == 1)
    }

    @Test func handoffOverridesRecordTheRule() throws {
        let w = try World.standard()
        let v = try w.propose()
        guard case .leadHandoff(var h) = w.handoff("L-1", signals: false) else { return }
        h.override = "VIP intro"
        // Revops may hand off with an override (not otherwise: handoff is for marketing).
        expectRefused(Rule.override) { try w.decide(.leadHandoff(h), as: "maria") }
        guard case .leadHandedOff(let e1)? = try w.decide(.leadHandoff(h), as: "rita").first else { Issue.record("no handoff"); return }
        #expect(e1.override == Override(reason: "VIP intro", rule: Rule.definitionActive))
        #expect(e1.definitionVersion == v)
        try w.run(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sam")
        try w.run(.definitionActivate(id: "mql", version: v, override: nil), as: "maria")
        guard case .leadHandedOff(let e2)? = try w.decide(.leadHandoff(h), as: "rita").first else { Issue.record("no handoff"); return }
        #expect(e2.override == Override(reason: "VIP intro", rule: Rule.requireContext))
    }

    @Test func anOverrideWithNothingToOverrideIsRefused() throws {
        let w = try World.standard()
        try w.activeDefinition()
        try w.approvedCampaign()
        expectRefused(Rule.override) { try w.decide(.campaignLaunch(id: "q3", override: "just because"), as: "rita") }
        guard case .leadHandoff(var h) = w.handoff("L-1") else { return }
        h.override = "just because"
        expectRefused(Rule.override) { try w.decide(.leadHandoff(h), as: "rita") }
        let v2 = try w.propose()
        try w.run(.definitionSignOff(id: "mql", version: v2, comment: nil), as: "sam")
        expectRefused(Rule.override) { try w.decide(.definitionActivate(id: "mql", version: v2, override: "just because"), as: "rita") }
        // Lifecycle rules are not overridable.
        try w.run(.campaignLaunch(id: "q3", override: nil), as: "maria")
        expectRefused(Rule.campaignLifecycle) { try w.decide(.campaignLaunch(id: "q3", override: "again"), as: "rita") }
    }
}

// MARK: - Parsing

@Suite("Command.parse, Signal.parse, Criterion.parse")
struct ParseRuleTests {
    @Test func unknownCommand() {
        expectInvalid("unknown command") { try Command.parse("definition.approve", [:]) }
        expectInvalid("unknown command") { try Command.parse("", [:]) }
    }

    @Test func unknownArgument() {
        expectInvalid("'bogus'") { try Command.parse("lead.accept", ["id": .string("L-1"), "bogus": .bool(true)]) }
        expectInvalid("'as'") { try Command.parse("lead.accept", ["id": .string("L-1"), "as": .string("sam")]) }
    }

    @Test func parsesEveryCommandFromTheApplyFormat() throws {
        #expect(try Command.parse("actor.add", ["id": .string("sam"), "name": .string("Sam"), "role": .array([.string("sales"), .string("viewer"), .string("sales")])])
                == .actorAdd(id: "sam", name: "Sam", roles: [.sales, .viewer]))
        #expect(try Command.parse("definition.sign-off", ["id": .string("mql"), "version": .number(3)]) == .definitionSignOff(id: "mql", version: 3, comment: nil))
        #expect(try Command.parse("definition.sign-off", ["id": .string("mql"), "version": .string("3")]) == .definitionSignOff(id: "mql", version: 3, comment: nil))
        #expect(try Command.parse("policy.set", ["quorum": .number(2), "require-context": .string("no")])
                == .policySet(quorum: 2, slaHours: nil, requireContext: false, requireCampaignReview: nil))
        #expect(try Command.parse("campaign.review", ["id": .string("q3"), "request-changes": .bool(true), "comment": .string("c")])
                == .campaignReview(id: "q3", approve: false, comment: "c"))
        let fit = try Command.parse("definition.propose", ["id": .string("mql"), "title": .string("T"), "fit": .string("employees>=200"),
                                                          "engagement": .array([.string("webinar.attended>=1")])])
        #expect(fit == .definitionPropose(id: "mql", title: "T", fit: [Criterion(field: "employees", op: ">=", values: ["200"])],
                                          engagement: [Criterion(field: "webinar.attended", op: ">=", values: ["1"])], rationale: nil))
        let h = try Command.parse("lead.handoff", [
            "id": .string("L-1"), "definition": .string("mql"), "campaign": .string("q3"), "owner": .string("sam"),
            "profile": .array([.string("company=Acme"), .string("employees=450")]),
            "signal": .array([.string("webinar.attended@2026-02-27T15:00:00Z:Pricing"), .object(["name": .string("page.view"), "at": .string("2026-02-28")])]),
            "score": .number(82), "version": .null,
        ])
        guard case .leadHandoff(let a) = h else { Issue.record("not a handoff"); return }
        #expect(a.profile == ["company": "Acme", "employees": "450"])
        #expect(a.signals.map(\.name) == ["webinar.attended", "page.view"])
        #expect(a.signals.first?.detail == "Pricing")
        #expect(a.score == 82 && a.version == nil && a.campaign == "q3" && a.owner == "sam")
    }

    @Test(arguments: [
        ("definition.sign-off", ["id": JSONValue.string("mql"), "version": .string("three")], "version"),
        ("definition.sign-off", ["id": .string("mql"), "version": .number(1.5)], "whole number"),
        ("definition.sign-off", ["id": .string("mql"), "version": .bool(true)], "version"),
        ("definition.sign-off", ["id": .string("mql")], "version"),
        ("definition.sign-off", ["id": .string("m q l"), "version": .number(1)], "not valid"),
        ("lead.accept", ["id": .string("")], "id"),
        ("lead.accept", ["id": .array([.string("L-1")])], "string"),
        ("lead.reject", ["id": .string("L-1"), "reason": .string("too-expensive")], "not one of"),
        ("lead.convert", ["id": .string("L-1"), "amount": .string("lots")], "number"),
        ("lead.handoff", ["id": .string("L-1")], "definition"),
        ("lead.handoff", ["id": .string("L-1"), "definition": .string("mql"), "profile": .string("no-equals")], "profile"),
        ("lead.handoff", ["id": .string("L-1"), "definition": .string("mql"), "signal": .number(3)], "signal"),
        ("lead.handoff", ["id": .string("L-1"), "definition": .string("mql"), "signal": .object(["name": .string("x")])], "\"at\""),
        ("lead.handoff", ["id": .string("L-1"), "definition": .string("mql"), "campaign": .string("bad id")], "campaign"),
        ("actor.add", ["id": .string("sam"), "name": .string("Sam")], "--role"),
        ("actor.add", ["id": .string("sam"), "name": .string("Sam"), "role": .string("chief")], "not one of"),
        ("actor.add", ["id": .string("sam"), "name": .string("Sam"), "role": .number(1)], "role"),
        ("policy.set", ["require-context": .string("maybe")], "true or false"),
        ("policy.set", ["quorum": .number(2.5)], "whole number"),
        ("campaign.review", ["id": .string("q3")], "exactly one"),
        ("campaign.review", ["id": .string("q3"), "approve": .bool(true), "request-changes": .bool(true)], "exactly one"),
        ("campaign.draft", ["id": .string("q3"), "name": .string("Q3"), "launch-date": .string("next week")], "ISO 8601"),
        ("campaign.draft", ["id": .string("q3"), "name": .string("Q3"), "channel": .array([.number(1)])], "strings"),
        ("content.plan", ["asset": .string("a"), "title": .string("A"), "stage": .string("later")], "not one of"),
        ("content.request", ["id": .string("r"), "what": .string("w"), "stage": .string("decision"), "lead": .string("bad lead")], "lead"),
        ("definition.propose", ["id": .string("mql"), "title": .string("T"), "fit": .string("employees")], "criterion"),
    ] as [(String, [String: JSONValue], String)])
    func badArgumentsAreInvalid(_ name: String, _ args: [String: JSONValue], _ mention: String) {
        expectInvalid(mention) { try Command.parse(name, args) }
    }

    @Test func signalParsesGoodText() throws {
        let t = try #require(DomainTime.parse("2026-02-27T15:00:00Z"))
        #expect(try Signal.parse("webinar.attended@2026-02-27T15:00:00Z") == Signal(name: "webinar.attended", at: t))
        #expect(try Signal.parse("webinar.attended@2026-02-27T15:00:00Z:Pricing webinar") == Signal(name: "webinar.attended", at: t, detail: "Pricing webinar"))
        #expect(try Signal.parse("page.view@2026-02-27T15:00:00Z:https://acme.example/pricing") == Signal(name: "page.view", at: t, detail: "https://acme.example/pricing"))
        #expect(try Signal.parse("page_view-2@2026-02-27T16:00:00+01:00") == Signal(name: "page_view-2", at: t))
        #expect(try Signal.parse("page.view@2026-02-27T16:00:00+01:00:a:b") == Signal(name: "page.view", at: t, detail: "a:b"))
        #expect(try Signal.parse("download@2026-02-27") == Signal(name: "download", at: try #require(DomainTime.parse("2026-02-27"))))
        #expect(try Signal.parse("download@2026-02-27:whitepaper").detail == "whitepaper")
        #expect(try Signal.parse("x@2026-02-27T15:00:00Z:").detail == nil)
    }

    @Test(arguments: ["", "webinar", "webinar.attended", "@2026-02-27T15:00:00Z", "webinar@", "webinar@yesterday",
                      "webinar@2026-13-45T00:00:00Z", "web inar@2026-02-27T15:00:00Z", "web/inar@2026-02-27T15:00:00Z",
                      "webinar@2026-02-27T15:00:00Z@x", "webinar 2026-02-27T15:00:00Z", "webinar@27/02/2026"])
    func signalRefusesMalformedText(_ text: String) {
        expectInvalid("NAME@TIME") { try Signal.parse(text) }
        // ... and so does the command that carries it.
        expectInvalid { try Command.parse("lead.handoff", ["id": .string("L-1"), "definition": .string("mql"), "signal": .string(text)]) }
    }

    @Test(arguments: [
        ("employees>=200", Criterion(field: "employees", op: ">=", values: ["200"])),
        ("employees >= 200", Criterion(field: "employees", op: ">=", values: ["200"])),
        ("employees<=5000", Criterion(field: "employees", op: "<=", values: ["5000"])),
        ("employees>10", Criterion(field: "employees", op: ">", values: ["10"])),
        ("revenue<2.5e6", Criterion(field: "revenue", op: "<", values: ["2.5e6"])),
        ("country=DE", Criterion(field: "country", op: "=", values: ["DE"])),
        ("country != US", Criterion(field: "country", op: "!=", values: ["US"])),
        ("webinar.attended>=1", Criterion(field: "webinar.attended", op: ">=", values: ["1"])),
        ("industry in [saas,fintech]", Criterion(field: "industry", op: "in", values: ["saas", "fintech"])),
        ("industry IN [ saas , fintech, ]", Criterion(field: "industry", op: "in", values: ["saas", "fintech"])),
        ("job_title-level in [vp]", Criterion(field: "job_title-level", op: "in", values: ["vp"])),
    ])
    func criterionParsesGoodExpressions(_ text: String, _ expected: Criterion) throws {
        let c = try Criterion.parse(text)
        #expect(c == expected)
        // The description parses back to the same criterion.
        #expect(try Criterion.parse(c.description) == c)
    }

    @Test(arguments: ["", "employees", "employees>=", "employees>=many", ">=200", "=DE", "industry in saas", "industry in []",
                      "industry in [ , ]", "bad field>=1", "emp/loyees>=1", "in [a]", "employees<big", "x=>5"])
    func criterionRefusesBadExpressions(_ text: String) {
        expectInvalid("criterion") { try Criterion.parse(text) }
    }
}
