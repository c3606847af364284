import Foundation

/// Where `decide` reads the current state of the streams a command touches. Implemented by the ledger
/// service over the event log (and by tests over plain dictionaries); the domain does no I/O itself.
public protocol StateSource {
    func ledger() throws -> LedgerState
    func definition(_ id: String) throws -> DefinitionState
    func campaign(_ id: String) throws -> CampaignState
    func lead(_ id: String) throws -> LeadState
    func content(_ id: String) throws -> ContentState
    /// The ledger's policy (a fold may answer without copying the whole ledger state).
    func policy() throws -> Policy
    /// When a lead was last handed off, and under which definition version (nil fields when it never was).
    func leadHandoff(_ id: String) throws -> LeadHandoffFacts
}

/// What the scorecard needs of a lead's state to count its decision.
public struct LeadHandoffFacts: Equatable, Sendable {
    public var at: Date?
    public var definition: String?
    public var definitionVersion: Int?

    public init(at: Date?, definition: String?, definitionVersion: Int?) {
        self.at = at
        self.definition = definition
        self.definitionVersion = definitionVersion
    }

    public init(_ lead: LeadState) {
        self.init(at: lead.handedOffAt, definition: lead.handoff?.definition, definitionVersion: lead.handoff?.definitionVersion)
    }
}

extension StateSource {
    public func policy() throws -> Policy { try ledger().policy }
    public func leadHandoff(_ id: String) throws -> LeadHandoffFacts { LeadHandoffFacts(try lead(id)) }
}

/// Who acts, and when: the business time claimed, and the time the log records it (TimeRules.swift); and the key that
/// will sign the events (nil: unsigned).
public struct DecisionContext: Sendable {
    public var actor: String
    /// Business time.
    public var at: Date
    /// The log's clock: when the command's events are recorded.
    public var recordedAt: Date
    /// The command is an import of history taken on by revops in the open (its source and reason on record): it
    /// keeps its business time however far back (no `max-backdate`), and its actor's roles then count even if they
    /// have since changed or the actor was deactivated.
    public var imported: Bool
    /// The id of the key the service will sign the decided events with.
    public var keyID: String?
    /// The revops member signing the events for `actor`, whose own key is not at hand (an import, recorded by a
    /// `RecordsImported` event); nil when the actor signs.
    public var importedBy: String?
    /// The CRM record an imported step comes from (`salesforce:LeadHistory/017…`), recorded in its lead events. The
    /// CRM's history is not the ledger's rules: a handoff that breaks an overridable rule is recorded as a flagged
    /// import (an `Override` whose reason names the source) instead of refused, and people act with the roles they
    /// hold now when they were not registered yet at the business time (the CRM knew them; the ledger did not).
    public var source: String?

    public init(actor: String, at: Date, recordedAt: Date, imported: Bool = false, keyID: String? = nil, importedBy: String? = nil,
                source: String? = nil) {
        self.actor = actor
        self.at = at
        self.recordedAt = recordedAt
        self.imported = imported || importedBy != nil || source != nil
        self.keyID = keyID
        self.importedBy = importedBy
        self.source = source
    }
}

/// The rules. `decide` checks a command against the current state and returns the events to append,
/// or throws the rule that refused it. Pure: state comes from `source`, time and actor from `context`.
public enum Decider {
    /// Creates a ledger's first events: the initialisation (with the admin's key, which signs them all), its first
    /// actor, a revops admin, the default policy, and the requirement that every event be signed. Without a key (tests
    /// of the rules alone, ledgers as they were before signatures), the events of an unsigned ledger.
    public static func initialize(admin: String, name: String, key: KeyGrant? = nil, logKey: String? = nil) throws(DomainError) -> [DomainEvent] {
        try checkID(admin, "actor")
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalid("init needs --name for the first actor") }
        try SafeText.checkName(name, "init --name")
        try key?.check(actor: admin)
        return [
            .ledgerInitialized(LedgerInitialized(admin: admin, name: name, key: key?.key.text, proof: key.map { Base64URL.encode($0.proof) },
                                                 logKey: logKey)),
            .actorRegistered(ActorRegistered(actor: admin, name: name, roles: [.revops])),
            .policyChanged(PolicyChanged(policy: Policy())),
        ] + (key == nil ? [] : [.signaturesRequired(SignaturesRequired())])
    }

    public static func decide(_ command: Command, _ source: StateSource, _ ctx: DecisionContext) throws -> [DomainEvent] {
        // Every door (a typed command, an apply line, a program) gets the same input checks, the acting id included.
        try command.check()
        try checkID(ctx.actor, "actor")
        let ledger = try source.ledger()
        guard ledger.initialized else {
            throw DomainError.refused(rule: Rule.activeActor, message: "the ledger has no actors yet; run `align init --admin ID --name NAME` first")
        }
        try checkClock(ctx)
        // Only registered, active actors act, with a role the command allows, judged at the business time.
        guard let actor = ledger.actors[ctx.actor] else {
            throw DomainError.refused(rule: Rule.activeActor, message: "'\(ctx.actor)' is not a registered actor; a revops member can add them with `align actor add \(ctx.actor) --name NAME --role ROLE`")
        }
        guard actor.active || ctx.imported else {
            throw DomainError.refused(rule: Rule.activeActor, message: "actor '\(ctx.actor)' was deactivated and can no longer act")
        }
        try checkSigningKey(ledger, ctx)
        let roles = try rolesInForce(ledger, actor, ctx)
        let override = command.overrideReason
        if override != nil {
            guard roles.contains(.revops) else {
                throw DomainError.refused(rule: Rule.override, message: "only revops may override a rule; '\(ctx.actor)' has roles \(describeRoles(ledger, actor, ctx))")
            }
        } else if roles.isDisjoint(with: command.allowedRoles) {
            throw DomainError.refused(rule: Rule.role, message: "`\(command.name)` is for \(command.allowedRoles.sorted().map(\.rawValue).joined(separator: " or ")); '\(ctx.actor)' has roles \(describeRoles(ledger, actor, ctx))")
        }
        return try Rules(source: source, ledger: ledger, ctx: ctx).decide(command, override: override)
    }

    /// On a ledger that requires signatures, the events must be signed by a registered, unrevoked key of the actor.
    static func checkSigningKey(_ ledger: LedgerState, _ ctx: DecisionContext) throws {
        guard let keyID = ctx.keyID else {
            guard !ledger.signaturesRequired else {
                throw DomainError.refused(rule: Rule.signature, message: "this ledger requires every action to be signed, and there is no key for '\(ctx.actor)' at hand; run `align key generate --as \(ctx.actor)` and ask a revops member to register the public key it prints")
            }
            return
        }
        if let importer = ctx.importedBy {
            guard let k = ledger.keys[keyID], k.actor == importer, k.active else {
                throw DomainError.refused(rule: Rule.signature, message: "key \(keyID) is not an active key of '\(importer)', who imports")
            }
            guard let a = ledger.actors[importer], a.active, a.roles.contains(.revops) else {
                throw DomainError.refused(rule: Rule.signature, message: "only an active revops member imports commands for others; '\(importer)' is not one")
            }
            return
        }
        guard let k = ledger.keys[keyID], k.actor == ctx.actor else {
            throw DomainError.refused(rule: Rule.signature, message: "key \(keyID) is not registered for '\(ctx.actor)'; a revops member registers it with `align actor key add \(ctx.actor) --key PUBLIC --proof PROOF` (both printed by `align key generate`)")
        }
        guard k.active else {
            throw DomainError.refused(rule: Rule.signature, message: "key \(keyID) of '\(ctx.actor)' was revoked\(k.revokeReason.map { " (\($0))" } ?? ""); generate a new one with `align key generate --as \(ctx.actor) --replace` and have it registered")
        }
    }
}

/// Runs a check that an override may set aside: without an override a failed check refuses; with one, the
/// first failed check becomes the recorded `Override`; with an override but no failed check, the override is refused.
struct Overridable {
    let reason: String?
    /// An import's source: a failed check is recorded as a flagged import (an `Override` naming the source), not refused.
    var flagging: String? = nil
    var failed: (rule: String, message: String)?
    /// A failed check judged after the step's own (backdating past the window): recorded only when it is the only one.
    var last: (rule: String, message: String)?

    mutating func require(_ ok: Bool, _ rule: String, _ message: @autoclosure () -> String) throws {
        guard !ok else { return }
        if reason == nil, flagging == nil { throw DomainError.refused(rule: rule, message: message()) }
        if failed == nil { failed = (rule, message()) }
    }

    func result() throws -> Override? {
        if let last {
            var o = self
            o.last = nil
            try o.require(false, last.rule, last.message)
            return try o.result()
        }
        if reason == nil, let flagging {
            return failed.map { Override(reason: "flagged import from \(flagging): \($0.message)", rule: $0.rule) }
        }
        guard let reason else { return nil }
        guard let failed else {
            throw DomainError.refused(rule: Rule.override, message: "nothing to override: the rules allow this step; run it without --override")
        }
        return Override(reason: reason, rule: failed.rule)
    }
}

struct Rules {
    let source: StateSource
    let ledger: LedgerState
    let ctx: DecisionContext

    /// The policy in force at the command's business time.
    var policy: Policy { ledger.policy(at: ctx.at) }

    func refuse(_ rule: String, _ message: String) -> DomainError { .refused(rule: rule, message: message) }

    func decide(_ command: Command, override: String?) throws -> [DomainEvent] {
        try checkBusinessTime(command)
        switch command {
        // MARK: actors and policy
        case .actorAdd(let id, let name, let roles, let grant):
            if ledger.actors[id] != nil { throw refuse(Rule.unique, "actor '\(id)' already exists; change their roles with `align actor roles \(id) --role ROLE`") }
            guard let grant else { return [.actorRegistered(ActorRegistered(actor: id, name: name, roles: roles))] }
            try grant.check(actor: id)
            if let k = ledger.keys[grant.key.id] {
                throw refuse(Rule.unique, "key \(grant.key.id) is already registered (to '\(k.actor)'); a key is registered once: generate a new one")
            }
            return [.actorRegistered(ActorRegistered(actor: id, name: name, roles: roles)),
                    .actorKeyRegistered(ActorKeyRegistered(actor: id, keyID: grant.key.id, publicKey: grant.key.text, proof: Base64URL.encode(grant.proof)))]
        case .actorRoles(let id, let roles):
            guard let a = ledger.actors[id] else { throw DomainError.notFound("no actor '\(id)'; see `align actor list`") }
            if a.roles.contains(.revops), !roles.contains(.revops), a.active, activeRevops() == [id] {
                throw refuse(Rule.actors, "'\(id)' is the last active revops member; give another actor revops first")
            }
            try checkNotOwnAccess(id, "change their own roles", "align actor roles \(id) --role ROLE")
            return [.actorRolesChanged(ActorRolesChanged(actor: id, roles: roles))]
        case .actorKeyAdd(let id, let grant), .actorKeyRotate(let id, let grant):
            guard let a = ledger.actors[id] else { throw DomainError.notFound("no actor '\(id)'; see `align actor list`") }
            guard a.active else { throw refuse(Rule.actors, "actor '\(id)' was deactivated; their keys can no longer change") }
            try selfOrRevops(id, "register a key of")
            try grant.check(actor: id)
            if let k = ledger.keys[grant.key.id] {
                throw refuse(Rule.unique, "key \(grant.key.id) is already registered (to '\(k.actor)'\(k.active ? "" : ", revoked")); a key is registered once: generate a new one")
            }
            let registered = ActorKeyRegistered(actor: id, keyID: grant.key.id, publicKey: grant.key.text, proof: Base64URL.encode(grant.proof))
            guard case .actorKeyRotate = command else {
                // Someone who has a key adds another themselves: revops adding one beside it could sign as them unseen.
                // (Revops replaces a lost key with `rotate`, which revokes the others, in the open.)
                if ctx.actor != id, !ledger.activeKeys(of: id).isEmpty {
                    throw refuse(Rule.actors, "'\(id)' has an active key; they add another themselves, or revops replaces theirs with `align actor key rotate \(id) --key ... --proof ...`, which revokes it")
                }
                return [.actorKeyRegistered(registered)]
            }
            let old = ledger.activeKeys(of: id)
            guard !old.isEmpty else {
                throw refuse(Rule.actors, "'\(id)' has no active key to rotate; register one with `align actor key add \(id)`")
            }
            var r = registered
            r.replaces = old.last?.id
            return [.actorKeyRegistered(r)] + old.map { .actorKeyRevoked(ActorKeyRevoked(actor: id, keyID: $0.id, reason: "rotated to \(grant.key.id)")) }
        case .actorKeyRevoke(let id, let keyID, let reason):
            guard ledger.actors[id] != nil else { throw DomainError.notFound("no actor '\(id)'; see `align actor list`") }
            try selfOrRevops(id, "revoke a key of")
            guard let k = ledger.keys[keyID], k.actor == id else {
                throw DomainError.notFound("'\(id)' has no key \(keyID); see `align actor key list \(id)`")
            }
            guard k.active else { throw refuse(Rule.actors, "key \(keyID) of '\(id)' is already revoked") }
            // Somebody must still be able to sign as revops, or nobody could ever register a key again.
            let signingRevops = activeRevops().filter { r in !ledger.activeKeys(of: r).filter { $0.id != keyID }.isEmpty }
            if ledger.signaturesRequired, signingRevops.isEmpty {
                throw refuse(Rule.actors, "key \(keyID) is the last key of an active revops member; register another revops key first, or nobody could sign as revops again")
            }
            return [.actorKeyRevoked(ActorKeyRevoked(actor: id, keyID: keyID, reason: reason))]
        case .importRecords(let source, let reason, let n):
            return [.recordsImported(RecordsImported(source: source, reason: reason, commands: n))]
        case .policyRequireSignatures:
            // Already required: nothing to record (as a policy set to what it is).
            guard !ledger.signaturesRequired else { return [] }
            // Actors without a registered key can no longer act once this holds, until theirs is registered.
            guard ctx.keyID != nil else {
                throw refuse(Rule.signature, "requiring signatures must itself be signed: run it with your key at hand (`align key generate --as \(ctx.actor)`, then have it registered)")
            }
            return [.signaturesRequired(SignaturesRequired())]
        case .actorDeactivate(let id):
            guard let a = ledger.actors[id] else { throw DomainError.notFound("no actor '\(id)'; see `align actor list`") }
            guard a.active else { throw refuse(Rule.actors, "actor '\(id)' is already deactivated") }
            if activeRevops() == [id] { throw refuse(Rule.actors, "'\(id)' is the last active revops member; give another actor revops first") }
            try checkNotOwnAccess(id, "deactivate themselves", "align actor deactivate \(id)")
            return [.actorDeactivated(ActorDeactivated(actor: id))]
        case .policySet(let quorum, let sla, let context, let review, let maxBackdate, let offDefinition, let adHocContent,
                        let addSignals, let removeSignals):
            var p = ledger.policy
            if let quorum {
                guard quorum >= 1, quorum <= 100 else { throw DomainError.invalid("--quorum must be between 1 and 100") }
                if quorum != policy.quorum { try checkQuorumWithinSales(quorum) }
                p.quorum = quorum
            }
            if let sla {
                guard sla >= 1, sla <= 10_000 else { throw DomainError.invalid("--sla-hours must be between 1 and 10000") }
                p.slaHours = sla
            }
            if let context { p.requireContext = context }
            if let review { p.requireCampaignReview = review }
            if let maxBackdate {
                guard maxBackdate >= 0, maxBackdate <= 87_600 else { throw DomainError.invalid("--max-backdate must be between 0 and 87600 hours") }
                p.maxBackdateHours = maxBackdate
            }
            if let offDefinition { p.offDefinition = offDefinition }
            if let adHocContent { p.adHocContent = adHocContent }
            if let gone = removeSignals.first(where: { !p.signals.contains($0) }) {
                throw DomainError.notFound("signal '\(gone)' is not in the policy's vocabulary\(p.signals.isEmpty ? ", which is empty" : " (\(p.signals.joined(separator: ", ")))")")
            }
            p.signals = Set(p.signals).union(addSignals).subtracting(removeSignals).sorted()
            // Setting the policy to what it is changes nothing and records nothing (`align policy set` says so).
            guard p != ledger.policy else { return [] }
            return [.policyChanged(PolicyChanged(policy: p))]

        // MARK: lead definitions
        case .definitionPropose(let id, let title, let fit, let engagement, let rationale):
            let d = try source.definition(id)
            if d.retired { throw refuse(Rule.definitionLifecycle, "definition '\(id)' is retired; propose under a new id") }
            guard !fit.isEmpty || !engagement.isEmpty else {
                throw DomainError.invalid("a definition needs at least one --fit or --engagement criterion")
            }
            if let unknown = engagement.first(where: { !policy.knowsSignal($0.field) }) {
                throw refuse(Rule.signalVocabulary, "engagement criterion \"\(unknown)\" counts signal '\(unknown.field)', which is not in the policy's vocabulary (\(policy.signals.joined(separator: ", "))); a revops member adds it with `align policy signal add \(unknown.field)`")
            }
            return [.definitionProposed(LeadDefinitionProposed(definition: id, version: d.versions.count + 1, title: title,
                                                               fit: fit, engagement: engagement, rationale: rationale))]
        case .definitionSignOff(let id, let version, let comment):
            let (d, v) = try definitionVersion(id, version)
            try checkVerdict(d, v)
            if v.author == ctx.actor {
                throw refuse(Rule.noSelfSignOff, "'\(ctx.actor)' proposed '\(id)' v\(version) and cannot sign it off; ask another sales member")
            }
            return [.definitionSignedOff(LeadDefinitionSignedOff(definition: id, version: version, comment: comment))]
        case .definitionReject(let id, let version, let reason):
            let (d, v) = try definitionVersion(id, version)
            try checkVerdict(d, v)
            // A rejection counts before activation; once the version governs handoffs, it would be recorded and ignored.
            if d.activeVersion == version {
                throw refuse(Rule.definitionLifecycle, "'\(id)' v\(version) is active, and a rejection now would change nothing; propose a version that answers it (`align definition propose \(id) ...`), or ask marketing or revops to stop it with `align definition retire \(id)`")
            }
            return [.definitionRejected(LeadDefinitionRejected(definition: id, version: version, reason: reason))]
        case .definitionActivate(let id, let version, _):
            let (d, v) = try definitionVersion(id, version)
            if d.retired { throw refuse(Rule.definitionLifecycle, "definition '\(id)' is retired; propose under a new id") }
            if d.activeVersion == version { throw refuse(Rule.definitionLifecycle, "'\(id)' v\(version) is already active") }
            var o = overridable(override)
            try o.require(v.rejections.isEmpty, Rule.noRejection,
                          "'\(id)' v\(version) was rejected by \(v.rejections.map(\.actor).joined(separator: ", ")); propose a new version that answers the rejection")
            let counted = countedSignOffs(v)
            try o.require(counted.count >= policy.quorum, Rule.quorum,
                          "lead definition '\(id)' v\(version) has \(counted.count) of \(policy.quorum) required sales sign-offs\(counted.note); ask a sales member to run `align definition sign-off \(id) \(version)`")
            return [.definitionActivated(LeadDefinitionActivated(definition: id, version: version, signOffs: counted.count,
                                                                 quorum: policy.quorum, supersedes: d.activeVersion, override: try o.result()))]
        case .definitionRetire(let id):
            let d = try source.definition(id)
            guard d.exists else { throw DomainError.notFound("no lead definition '\(id)'; see `align definition list`") }
            if d.retired { throw refuse(Rule.definitionLifecycle, "definition '\(id)' is already retired") }
            return [.definitionRetired(LeadDefinitionRetired(definition: id, version: d.activeVersion))]

        // MARK: campaigns
        case .campaignDraft(let id, let name, let audience, let offer, let channels, let launchDate):
            let c = try source.campaign(id)
            if c.status == .launched || c.status == .closed {
                throw refuse(Rule.campaignLifecycle, "campaign '\(id)' is \(c.status.rawValue); its draft can no longer change")
            }
            return [.campaignDrafted(CampaignDrafted(campaign: id, revision: c.revision + 1, name: name, audience: audience,
                                                     offer: offer, channels: channels, launchDate: launchDate))]
        case .campaignRequestReview(let id):
            let c = try campaign(id)
            guard c.status == .draft else { throw refuse(Rule.campaignLifecycle, "campaign '\(id)' is \(c.status.rawValue); only a draft can be sent for review") }
            return [.campaignReviewRequested(CampaignReviewRequested(campaign: id, revision: c.revision))]
        case .campaignReview(let id, let approve, let comment):
            let c = try campaign(id)
            guard c.status == .draft || c.status == .inReview else {
                throw refuse(Rule.campaignLifecycle, "campaign '\(id)' is \(c.status.rawValue); only a draft can be reviewed")
            }
            try checkNotDraftAuthor(c)
            return [.campaignReviewed(CampaignReviewed(campaign: id, revision: c.revision, approved: approve, comment: comment))]
        case .campaignBrief(let id, let summary, let points, let offer):
            let c = try campaign(id)
            if c.status == .closed { throw refuse(Rule.campaignLifecycle, "campaign '\(id)' is closed") }
            return [.campaignBriefPublished(CampaignBriefPublished(campaign: id, briefVersion: c.briefs.count + 1, summary: summary,
                                                                   talkingPoints: points, offer: offer))]
        case .campaignLaunch(let id, _):
            let c = try campaign(id)
            guard c.status == .draft || c.status == .inReview else {
                throw refuse(Rule.campaignLifecycle, "campaign '\(id)' is \(c.status.rawValue); only a draft can be launched")
            }
            let reviewed = c.approvedRevision == c.revision
            var o = overridable(override)
            try o.require(reviewed || !policy.requireCampaignReview, Rule.campaignReview,
                          "campaign '\(id)' revision \(c.revision) has no approving sales review since its latest draft; run `align campaign request-review \(id)` and ask sales to `align campaign review \(id) --approve`")
            return [.campaignLaunched(CampaignLaunched(campaign: id, revision: c.revision, reviewed: reviewed, override: try o.result()))]
        case .campaignClose(let id):
            let c = try campaign(id)
            guard c.status != .closed else { throw refuse(Rule.campaignLifecycle, "campaign '\(id)' is already closed") }
            return [.campaignClosed(CampaignClosed(campaign: id))]

        // MARK: leads
        case .leadHandoff(let h):
            return [try handoff(h, override: override)]
        case .leadAccept(let id):
            let l = try lead(id)
            guard l.status == .handedOff else { throw refuse(Rule.leadLifecycle, "lead '\(id)' is \(l.status.rawValue); only a handed-off lead can be accepted") }
            try checkNotHandoffAuthor(l, "accept")
            return [.leadAccepted(LeadAccepted(lead: id, source: ctx.source))]
        case .leadReject(let id, let reason, let note):
            let l = try lead(id)
            guard l.status == .handedOff else { throw refuse(Rule.leadLifecycle, "lead '\(id)' is \(l.status.rawValue); only a handed-off lead can be rejected") }
            try checkNotHandoffAuthor(l, "reject")
            return [.leadRejected(LeadRejected(lead: id, reason: reason, note: note, source: ctx.source))]
        case .leadConvert(let id, let opportunity, let amount):
            let l = try lead(id)
            guard l.status == .accepted else { throw refuse(Rule.leadLifecycle, "lead '\(id)' is \(l.status.rawValue); accept it before converting it") }
            return [.leadConverted(LeadConverted(lead: id, opportunity: opportunity, amount: amount, source: ctx.source))]
        case .leadRecycle(let id):
            let l = try lead(id)
            guard l.status == .accepted || l.status == .rejected else {
                throw refuse(Rule.leadLifecycle, "lead '\(id)' is \(l.status.rawValue); only an accepted or rejected lead can be recycled")
            }
            return [.leadRecycled(LeadRecycled(lead: id, source: ctx.source))]

        // MARK: content
        case .contentPlan(let asset, let title, let stage, let persona):
            let c = try source.content(asset)
            if c.exists { throw refuse(Rule.unique, "'\(asset)' already exists in the content plan or as a request; choose another id") }
            return [.contentPlanned(ContentPlanned(asset: asset, title: title, stage: stage, persona: persona, fromRequest: nil))]
        case .contentRequest(let id, let what, let stage, let leadID, let why):
            let c = try source.content(id)
            if c.exists { throw refuse(Rule.unique, "'\(id)' already exists as a content request or planned asset; choose another id") }
            if let leadID, try source.lead(leadID).status == .none { throw DomainError.notFound("no lead '\(leadID)'; see `align lead list`") }
            return [.contentRequested(ContentRequested(request: id, what: what, why: why, stage: stage, lead: leadID))]
        case .contentTriage(let id, let outcome, let asset, let reason, _):
            let c = try contentRequest(id)
            if let t = c.triage { throw refuse(Rule.contentLifecycle, "request '\(id)' was already triaged as \(t.outcome.rawValue)") }
            guard let r = c.request else { throw DomainError.notFound("no content request '\(id)'; see `align content list`") }
            var events: [DomainEvent] = []
            var o = overridable(override)
            switch outcome {
            case .mapped:
                let a = try source.content(asset ?? "")
                guard let planned = a.asset else {
                    throw DomainError.notFound("no planned asset '\(asset ?? "")'; plan it with `align content plan`, or use --add-to-plan")
                }
                try o.require(planned.stage == r.stage, Rule.contentStage,
                              "request '\(id)' is for the \(r.stage.rawValue) stage and '\(planned.asset)' serves \(planned.stage.rawValue); map it to a \(r.stage.rawValue) asset (`align content list`), add one with --add-to-plan, or decline it")
            case .addedToPlan:
                let a = try source.content(asset ?? "")
                if a.exists { throw refuse(Rule.unique, "'\(asset ?? "")' already exists; use --map-to \(asset ?? "") to map to a planned asset") }
                events.append(.contentPlanned(ContentPlanned(asset: asset ?? "", title: r.what, stage: r.stage, persona: nil, fromRequest: id)))
            case .adHoc:
                try o.require(policy.adHocContent == .allow, Rule.adHocContent,
                              "ad-hoc content is outside the plan and the policy refuses it; map request '\(id)' to a planned asset, add it to the plan (--add-to-plan ASSET), decline it, or ask revops to override or to `align policy set --ad-hoc-content allow`")
            case .declined:
                break
            }
            let forced = try o.result()
            events.append(.contentRequestTriaged(ContentRequestTriaged(request: id, outcome: outcome, asset: asset, reason: reason, override: forced)))
            return events
        case .contentFulfil(let id, let asset):
            let c = try contentRequest(id)
            guard let t = c.triage else { throw refuse(Rule.contentLifecycle, "request '\(id)' must be triaged before it is fulfilled; run `align content triage \(id) ...`") }
            if t.outcome == .declined { throw refuse(Rule.contentLifecycle, "request '\(id)' was declined and cannot be fulfilled") }
            if c.fulfilled != nil { throw refuse(Rule.contentLifecycle, "request '\(id)' was already fulfilled") }
            if let asset, try source.content(asset).asset == nil { throw DomainError.notFound("no planned asset '\(asset)'") }
            return [.contentRequestFulfilled(ContentRequestFulfilled(request: id, asset: asset ?? t.asset))]
        }
    }

    /// Key management is for revops, or for the key's own actor.
    private func selfOrRevops(_ id: String, _ what: String) throws {
        guard ctx.actor == id || (ledger.actors[ctx.actor]?.roles.contains(.revops) ?? false) else {
            throw refuse(Rule.actors, "only revops or '\(id)' may \(what) '\(id)'")
        }
    }

    private func activeRevops() -> [String] {
        ledger.actors.values.filter { $0.active && $0.roles.contains(.revops) }.map(\.id).sorted()
    }

    private func definitionVersion(_ id: String, _ version: Int) throws -> (DefinitionState, DefinitionVersion) {
        let d = try source.definition(id)
        guard d.exists else { throw DomainError.notFound("no lead definition '\(id)'; propose one with `align definition propose \(id) --title T --fit EXPR`") }
        guard let v = d.version(version) else {
            throw DomainError.notFound("lead definition '\(id)' has no version \(version); its versions are 1...\(d.versions.count)")
        }
        return (d, v)
    }

    private func checkVerdict(_ d: DefinitionState, _ v: DefinitionVersion) throws {
        if d.retired { throw refuse(Rule.definitionLifecycle, "definition '\(d.id)' is retired") }
        if let prior = v.signOffs.first(where: { $0.actor == ctx.actor }) ?? v.rejections.first(where: { $0.actor == ctx.actor }) {
            let what = v.signOffs.contains(prior) ? "signed off" : "rejected"
            throw refuse(Rule.oneVerdictPerVersion, "'\(ctx.actor)' already \(what) '\(d.id)' v\(v.version) at \(DomainTime.format(prior.at)); each sales member gives one verdict per version")
        }
    }

    private func campaign(_ id: String) throws -> CampaignState {
        let c = try source.campaign(id)
        guard c.exists else { throw DomainError.notFound("no campaign '\(id)'; draft one with `align campaign draft \(id) --name T`") }
        return c
    }

    private func lead(_ id: String) throws -> LeadState {
        let l = try source.lead(id)
        guard l.status != .none else { throw DomainError.notFound("no lead '\(id)'; see `align lead list`") }
        return l
    }

    private func contentRequest(_ id: String) throws -> ContentState {
        let c = try source.content(id)
        guard c.request != nil else { throw DomainError.notFound("no content request '\(id)'; see `align content list`") }
        return c
    }

    private func handoff(_ h: HandoffArgs, override: String?) throws -> DomainEvent {
        let existing = try source.lead(h.id)
        guard existing.status == .none || existing.status == .recycled else {
            throw refuse(Rule.leadLifecycle, "lead '\(h.id)' is already \(existing.status.rawValue); only a new or recycled lead can be handed off")
        }
        let d = try source.definition(h.definition)
        guard d.exists else { throw DomainError.notFound("no lead definition '\(h.definition)'; see `align definition list`") }
        if let owner = h.owner {
            // An imported step's owner may not have been registered yet then (the CRM knew them; the ledger did not).
            let then = ledger.status(of: owner, at: ctx.at)
            guard let o = ledger.actors[owner], o.active, o.roles.contains(.sales),
                  then.map({ $0.active && $0.roles.contains(.sales) }) ?? (ctx.source != nil) else {
                throw refuse(Rule.role, "owner '\(owner)' must be an active sales member, now and at \(DomainTime.format(ctx.at))")
            }
        }
        var o = overridable(override)
        let activeNow = d.activeVersion(at: ctx.at)
        let version = h.version ?? activeNow ?? d.activeVersion ?? d.versions.count
        if h.version != nil, d.version(version) == nil {
            throw DomainError.notFound("lead definition '\(h.definition)' has no version \(version)")
        }
        try o.require(!d.retired, Rule.definitionActive, "lead definition '\(h.definition)' is retired and takes no handoffs")
        try o.require(activeNow == version, Rule.definitionActive,
                      activeNow == nil
                        ? "lead definition '\(h.definition)' had no active version at \(DomainTime.format(ctx.at)); activate one with `align definition activate \(h.definition) VERSION`"
                        : "lead definition '\(h.definition)' v\(version) was not active at \(DomainTime.format(ctx.at)) (v\(activeNow!) was)")
        try o.require(!h.signals.isEmpty || !policy.requireContext, Rule.requireContext,
                      "a handoff needs at least one behavioural signal (--signal \"NAME@TIME[:DETAIL]\", e.g. \"webinar.attended@2026-02-27T15:00:00Z\"); the policy requires context")
        if let unknown = h.signals.first(where: { !policy.knowsSignal($0.name) }) {
            try o.require(false, Rule.signalVocabulary,
                          "signal '\(unknown.name)' is not in the policy's vocabulary (\(policy.signals.joined(separator: ", "))); use one of those names, or ask revops to `align policy signal add \(unknown.name)`")
        }
        var brief: AttachedBrief?
        if let cid = h.campaign {
            let c = try source.campaign(cid)
            guard c.exists else { throw DomainError.notFound("no campaign '\(cid)'; see `align campaign list`") }
            let launched = c.status == .launched && (c.launchedAt.map { $0 <= ctx.at } ?? false)
            try o.require(launched, Rule.campaignLaunched,
                          c.status == .closed ? "campaign '\(cid)' is closed and sources no more leads"
                            : c.status == .launched ? "campaign '\(cid)' was not launched yet at \(DomainTime.format(ctx.at))"
                            : "campaign '\(cid)' is \(c.status.rawValue), not launched; a handoff names only a launched campaign")
            if let b = c.briefs.last(where: { $0.at <= ctx.at }) {
                brief = AttachedBrief(version: b.version, summary: b.summary, talkingPoints: b.talkingPoints, offer: b.offer)
            }
        }
        // The criteria of the version the handoff names decide whether the lead qualifies; the policy says what
        // happens to one that does not.
        var evaluation: HandoffEvaluation?
        if let v = d.version(version) {
            var e = Criteria.evaluate(fit: v.fit, engagement: v.engagement, profile: h.profile, signals: h.signals, at: ctx.at)
            if !e.met {
                let offDefinition = policy.offDefinition
                try o.require(offDefinition != .refuse, Rule.offDefinition,
                              "lead '\(h.id)' does not meet '\(h.definition)' v\(version): \(e.unmet.map(\.summary).joined(separator: "; ")); hand off a lead that qualifies, or ask revops to force it (--override --reason TEXT)")
                if offDefinition != .refuse { e.offDefinition = offDefinition }
            }
            evaluation = e
        }
        return .leadHandedOff(LeadHandedOff(lead: h.id, definition: h.definition, definitionVersion: version, campaign: h.campaign,
                                            brief: brief, owner: h.owner, profile: h.profile, signals: h.signals, score: h.score,
                                            note: h.note, override: try o.result(), evaluation: evaluation, source: ctx.source))
    }
}
