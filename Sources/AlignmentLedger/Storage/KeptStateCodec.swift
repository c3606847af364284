import AlignmentDomain
import Foundation

/// The kept binary form of the domain's state types (see `BinaryWriter`, docs/FORMAT.md "Kept read models").
extension Policy: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.int(quorum); w.int(slaHours); w.bool(requireContext); w.bool(requireCampaignReview); w.int(maxBackdateHours)
        w.raw(offDefinition); w.raw(adHocContent); w.array(signals) { $0.string($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init()
        quorum = try r.int(); slaHours = try r.int(); requireContext = try r.bool(); requireCampaignReview = try r.bool()
        maxBackdateHours = try r.int()
        offDefinition = try r.raw(OffDefinitionPolicy.self); adHocContent = try r.raw(AdHocContentPolicy.self)
        signals = try r.array { try $0.string() }
    }
}

extension ActorInfo: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(id); w.string(name); w.array(roles) { $0.raw($1) }; w.bool(active)
    }
    public init(from r: inout BinaryReader) throws {
        self.init(id: try r.string(), name: try r.string(), roles: try r.array { try $0.raw(Role.self) }, active: try r.bool())
    }
}

extension KeyRecord: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(id); w.string(actor); w.string(publicKey); w.int(Int(registeredAt)); w.string(registeredBy)
        w.optional(revokedAt) { $0.int(Int($1)) }; w.optional(revokeReason) { $0.string($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(id: try r.string(), actor: try r.string(), publicKey: try r.string(), registeredAt: UInt64(clamping: try r.int()),
                  registeredBy: try r.string(), revokedAt: try r.optional { UInt64(clamping: try $0.int()) },
                  revokeReason: try r.optional { try $0.string() })
    }
}

extension LedgerState: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.bool(initialized); w.dictionary(actors) { $0.value($1) }; w.value(policy); w.value(timeline)
        w.dictionary(keys) { $0.value($1) }; w.bool(signaturesRequired)
    }
    public init(from r: inout BinaryReader) throws {
        self.init()
        initialized = try r.bool(); actors = try r.dictionary { try $0.value() }; policy = try r.value(); timeline = try r.value()
        keys = try r.dictionary { try $0.value() }; signaturesRequired = try r.bool()
    }
}

extension Criterion: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(field); w.string(op); w.array(values) { $0.string($1) }; w.optional(within) { $0.string($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(field: try r.string(), op: try r.string(), values: try r.array { try $0.string() },
                  within: try r.optional { try $0.string() })
    }
}

extension CriterionResult: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(criterion); w.raw(kind); w.raw(outcome); w.optional(observed) { $0.string($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(criterion: try r.string(), kind: try r.raw(CriterionKind.self), outcome: try r.raw(CriterionOutcome.self),
                  observed: try r.optional { try $0.string() })
    }
}

extension HandoffEvaluation: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.bool(met); w.array(criteria) { $0.value($1) }; w.optional(offDefinition) { $0.raw($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(met: try r.bool(), criteria: try r.array { try $0.value() },
                  offDefinition: try r.optional { try $0.raw(OffDefinitionPolicy.self) })
    }
}

extension Override: BinaryCodable {
    public func write(to w: inout BinaryWriter) { w.string(reason); w.string(rule) }
    public init(from r: inout BinaryReader) throws { self.init(reason: try r.string(), rule: try r.string()) }
}

extension Verdict: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(actor); w.date(at); w.optional(text) { $0.string($1) }; w.uvarint(position); w.date(recordedAt)
    }
    public init(from r: inout BinaryReader) throws {
        self.init(actor: try r.string(), at: try r.date(), text: try r.optional { try $0.string() }, position: try r.uvarint(),
                  recordedAt: try r.date())
    }
}

extension DefinitionVersion: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.int(version); w.string(title); w.string(author); w.date(proposedAt)
        w.array(fit) { $0.value($1) }; w.array(engagement) { $0.value($1) }; w.optional(rationale) { $0.string($1) }
        w.array(signOffs) { $0.value($1) }; w.array(rejections) { $0.value($1) }; w.date(proposedRecordedAt)
    }
    public init(from r: inout BinaryReader) throws {
        self.init(version: try r.int(), title: try r.string(), author: try r.string(), proposedAt: try r.date(),
                  fit: try r.array { try $0.value() }, engagement: try r.array { try $0.value() },
                  rationale: try r.optional { try $0.string() },
                  signOffs: try r.array { try $0.value() }, rejections: try r.array { try $0.value() },
                  proposedRecordedAt: try r.date())
    }
}

extension Activation: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.int(version); w.date(from); w.optional(until) { $0.date($1) }; w.optional(override) { $0.value($1) }
        w.int(signOffs); w.int(quorum); w.uvarint(position); w.date(recordedAt)
    }
    public init(from r: inout BinaryReader) throws {
        self.init(version: try r.int(), from: try r.date(), until: try r.optional { try $0.date() },
                  override: try r.optional { try $0.value() }, signOffs: try r.int(), quorum: try r.int(), position: try r.uvarint(),
                  recordedAt: try r.date())
    }
}

extension DefinitionState: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(id); w.array(versions) { $0.value($1) }; w.optional(activeVersion) { $0.int($1) }
        w.array(activations) { $0.value($1) }; w.bool(retired); w.optional(lastAt) { $0.date($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(id: try r.string())
        versions = try r.array { try $0.value() }
        activeVersion = try r.optional { try $0.int() }
        activations = try r.array { try $0.value() }
        retired = try r.bool()
        lastAt = try r.optional { try $0.date() }
    }
}

extension Brief: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.int(version); w.string(summary); w.array(talkingPoints) { $0.string($1) }; w.optional(offer) { $0.string($1) }; w.date(at)
        w.date(recordedAt)
    }
    public init(from r: inout BinaryReader) throws {
        self.init(version: try r.int(), summary: try r.string(), talkingPoints: try r.array { try $0.string() },
                  offer: try r.optional { try $0.string() }, at: try r.date(), recordedAt: try r.date())
    }
}

extension CampaignState: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(id); w.raw(status); w.int(revision); w.string(name)
        w.optional(audience) { $0.string($1) }; w.optional(offer) { $0.string($1) }; w.array(channels) { $0.string($1) }
        w.optional(launchDate) { $0.string($1) }; w.array(reviews) { $0.value($1) }
        w.optional(approvedRevision) { $0.int($1) }; w.array(briefs) { $0.value($1) }; w.optional(launchedAt) { $0.date($1) }
        w.optional(draftedBy) { $0.string($1) }
        w.optional(launchedRecordedAt) { $0.date($1) }; w.optional(draftedAt) { $0.date($1) }; w.optional(lastAt) { $0.date($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(id: try r.string())
        status = try r.raw(Status.self); revision = try r.int(); name = try r.string()
        audience = try r.optional { try $0.string() }; offer = try r.optional { try $0.string() }
        channels = try r.array { try $0.string() }; launchDate = try r.optional { try $0.string() }
        reviews = try r.array { try $0.value() }; approvedRevision = try r.optional { try $0.int() }
        briefs = try r.array { try $0.value() }; launchedAt = try r.optional { try $0.date() }
        draftedBy = try r.optional { try $0.string() }
        launchedRecordedAt = try r.optional { try $0.date() }; draftedAt = try r.optional { try $0.date() }
        lastAt = try r.optional { try $0.date() }
    }
}

extension AttachedBrief: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.int(version); w.string(summary); w.array(talkingPoints) { $0.string($1) }; w.optional(offer) { $0.string($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(version: try r.int(), summary: try r.string(), talkingPoints: try r.array { try $0.string() },
                  offer: try r.optional { try $0.string() })
    }
}

extension Signal: BinaryCodable {
    public func write(to w: inout BinaryWriter) { w.string(name); w.date(at); w.optional(detail) { $0.string($1) } }
    public init(from r: inout BinaryReader) throws {
        self.init(name: try r.string(), at: try r.date(), detail: try r.optional { try $0.string() })
    }
}

extension LeadHandedOff: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(lead); w.string(definition); w.int(definitionVersion); w.optional(campaign) { $0.string($1) }
        w.optional(brief) { $0.value($1) }; w.optional(owner) { $0.string($1) }; w.dictionary(profile) { $0.string($1) }
        w.array(signals) { $0.value($1) }; w.optional(score) { $0.double($1) }; w.optional(note) { $0.string($1) }
        w.optional(override) { $0.value($1) }; w.optional(evaluation) { $0.value($1) }; w.optional(source) { $0.string($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(lead: try r.string(), definition: try r.string(), definitionVersion: try r.int(),
                  campaign: try r.optional { try $0.string() }, brief: try r.optional { try $0.value() },
                  owner: try r.optional { try $0.string() }, profile: try r.dictionary { try $0.string() },
                  signals: try r.array { try $0.value() }, score: try r.optional { try $0.double() },
                  note: try r.optional { try $0.string() }, override: try r.optional { try $0.value() },
                  evaluation: try r.optional { try $0.value() }, source: try r.optional { try $0.string() })
    }
}

extension LeadState: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(id); w.raw(status); w.optional(handoff) { $0.value($1) }; w.optional(handedOffAt) { $0.date($1) }
        w.optional(handedOffBy) { $0.string($1) }; w.optional(decidedAt) { $0.date($1) }; w.optional(rejection) { $0.raw($1) }
        w.optional(handedOffRecordedAt) { $0.date($1) }; w.optional(decidedRecordedAt) { $0.date($1) }; w.optional(lastAt) { $0.date($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(id: try r.string())
        status = try r.raw(Status.self); handoff = try r.optional { try $0.value() }
        handedOffAt = try r.optional { try $0.date() }; handedOffBy = try r.optional { try $0.string() }
        decidedAt = try r.optional { try $0.date() }; rejection = try r.optional { try $0.raw(RejectionReason.self) }
        handedOffRecordedAt = try r.optional { try $0.date() }; decidedRecordedAt = try r.optional { try $0.date() }
        lastAt = try r.optional { try $0.date() }
    }
}

extension ContentPlanned: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(asset); w.string(title); w.raw(stage); w.optional(persona) { $0.string($1) }; w.optional(fromRequest) { $0.string($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(asset: try r.string(), title: try r.string(), stage: try r.raw(Stage.self),
                  persona: try r.optional { try $0.string() }, fromRequest: try r.optional { try $0.string() })
    }
}

extension ContentRequested: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(request); w.string(what); w.optional(why) { $0.string($1) }; w.raw(stage); w.optional(lead) { $0.string($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(request: try r.string(), what: try r.string(), why: try r.optional { try $0.string() },
                  stage: try r.raw(Stage.self), lead: try r.optional { try $0.string() })
    }
}

extension ContentRequestTriaged: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(request); w.raw(outcome); w.optional(asset) { $0.string($1) }; w.optional(reason) { $0.string($1) }
        w.optional(override) { $0.value($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(request: try r.string(), outcome: try r.raw(TriageOutcome.self),
                  asset: try r.optional { try $0.string() }, reason: try r.optional { try $0.string() },
                  override: try r.optional { try $0.value() })
    }
}

extension ContentRequestFulfilled: BinaryCodable {
    public func write(to w: inout BinaryWriter) { w.string(request); w.optional(asset) { $0.string($1) } }
    public init(from r: inout BinaryReader) throws {
        self.init(request: try r.string(), asset: try r.optional { try $0.string() })
    }
}

extension ContentState: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(id); w.optional(asset) { $0.value($1) }; w.optional(request) { $0.value($1) }
        w.optional(requestedBy) { $0.string($1) }; w.optional(triage) { $0.value($1) }; w.optional(fulfilled) { $0.value($1) }
        w.optional(requestedAt) { $0.date($1) }; w.optional(lastAt) { $0.date($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(id: try r.string())
        asset = try r.optional { try $0.value() }; request = try r.optional { try $0.value() }
        requestedBy = try r.optional { try $0.string() }; triage = try r.optional { try $0.value() }
        fulfilled = try r.optional { try $0.value() }
        requestedAt = try r.optional { try $0.date() }; lastAt = try r.optional { try $0.date() }
    }
}
