import Foundation
import JSONCore

/// The brief that went with a campaign-sourced handoff (just in time).
public struct AttachedBrief: Codable, Equatable, Sendable {
    public var version: Int
    public var summary: String
    public var talkingPoints: [String]
    public var offer: String?

    /// A value with every field given (the kept-state codec builds them).
    public init(version: Int, summary: String, talkingPoints: [String], offer: String? = nil) {
        self.version = version
        self.summary = summary
        self.talkingPoints = talkingPoints
        self.offer = offer
    }
}

/// Every event of the alignment domain. The case name is the event type; the payload is its JSON body.
public enum DomainEvent: Equatable, Sendable {
    // ledger
    case ledgerInitialized(LedgerInitialized)
    case actorRegistered(ActorRegistered)
    case actorRolesChanged(ActorRolesChanged)
    case actorDeactivated(ActorDeactivated)
    case policyChanged(PolicyChanged)
    case actorKeyRegistered(ActorKeyRegistered)
    case actorKeyRevoked(ActorKeyRevoked)
    case signaturesRequired(SignaturesRequired)
    case recordsImported(RecordsImported)
    // definition/<id>
    case definitionProposed(LeadDefinitionProposed)
    case definitionSignedOff(LeadDefinitionSignedOff)
    case definitionRejected(LeadDefinitionRejected)
    case definitionActivated(LeadDefinitionActivated)
    case definitionRetired(LeadDefinitionRetired)
    // campaign/<id>
    case campaignDrafted(CampaignDrafted)
    case campaignReviewRequested(CampaignReviewRequested)
    case campaignReviewed(CampaignReviewed)
    case campaignBriefPublished(CampaignBriefPublished)
    case campaignLaunched(CampaignLaunched)
    case campaignClosed(CampaignClosed)
    // lead/<id>
    case leadHandedOff(LeadHandedOff)
    case leadAccepted(LeadAccepted)
    case leadRejected(LeadRejected)
    case leadConverted(LeadConverted)
    case leadRecycled(LeadRecycled)
    // content/<id>
    case contentPlanned(ContentPlanned)
    case contentRequested(ContentRequested)
    case contentRequestTriaged(ContentRequestTriaged)
    case contentRequestFulfilled(ContentRequestFulfilled)
}

/// The payload of a `LedgerInitialized` event. A ledger created since signatures (issue 11) names its admin's public
/// key and its proof of possession: the key that signs this first event and the rest of the genesis.
public struct LedgerInitialized: Codable, Equatable, Sendable {
    public var admin: String
    public var name: String
    /// `ed25519:BASE64URL` (absent on ledgers created before signatures).
    public var key: String?
    /// The key's proof of possession, base64url.
    public var proof: String?
    /// The ledger's log key, which signs its checkpoints: a C2SP verifier key `ORIGIN+HASH+KEY` whose name is the
    /// origin line of every checkpoint (absent on ledgers created before checkpoints).
    public var logKey: String?

    public init(admin: String, name: String, key: String? = nil, proof: String? = nil, logKey: String? = nil) {
        self.admin = admin
        self.name = name
        self.key = key
        self.proof = proof
        self.logKey = logKey
    }
}
/// The payload of an `ActorKeyRegistered` event: a public key now speaks for `actor`.
public struct ActorKeyRegistered: Codable, Equatable, Sendable {
    public var actor: String
    public var keyID: String
    /// `ed25519:BASE64URL`.
    public var publicKey: String
    /// The key's signature of its possession message (`KeyProof`), base64url.
    public var proof: String
    /// The key this one replaces (a rotation; that key is revoked by the next event).
    public var replaces: String?

    public init(actor: String, keyID: String, publicKey: String, proof: String, replaces: String? = nil) {
        self.actor = actor
        self.keyID = keyID
        self.publicKey = publicKey
        self.proof = proof
        self.replaces = replaces
    }
}
/// The payload of an `ActorKeyRevoked` event: the key signs nothing from here on.
public struct ActorKeyRevoked: Codable, Equatable, Sendable {
    public var actor: String
    public var keyID: String
    public var reason: String?

    public init(actor: String, keyID: String, reason: String? = nil) {
        self.actor = actor
        self.keyID = keyID
        self.reason = reason
    }
}
/// The payload of a `RecordsImported` event: a revops member takes on the commands of a file whose actors' keys were
/// not at hand; they sign those commands' events as imports, each caused by this event.
public struct RecordsImported: Codable, Equatable, Sendable {
    /// Where the commands came from (a file name, a CRM export).
    public var source: String
    public var reason: String
    /// How many commands the importing revops member signed.
    public var commands: Int

    public init(source: String, reason: String, commands: Int) {
        self.source = source
        self.reason = reason
        self.commands = commands
    }
}
/// The payload of a `SignaturesRequired` event: from here on every event must be signed by its actor's key.
public struct SignaturesRequired: Codable, Equatable, Sendable {
    /// The signature scheme required: `ed25519`.
    public var scheme: String
    public init(scheme: String = "ed25519") { self.scheme = scheme }
}
/// The payload of a `ActorRegistered` event.
public struct ActorRegistered: Codable, Equatable, Sendable { public var actor: String; public var name: String; public var roles: [Role] }
/// The payload of a `ActorRolesChanged` event.
public struct ActorRolesChanged: Codable, Equatable, Sendable { public var actor: String; public var roles: [Role] }
/// The payload of a `ActorDeactivated` event.
public struct ActorDeactivated: Codable, Equatable, Sendable { public var actor: String }
/// The payload of a `PolicyChanged` event.
public struct PolicyChanged: Codable, Equatable, Sendable { public var policy: Policy }

/// The payload of a `LeadDefinitionProposed` event.
public struct LeadDefinitionProposed: Codable, Equatable, Sendable {
    public var definition: String
    public var version: Int
    public var title: String
    public var fit: [Criterion]
    public var engagement: [Criterion]
    public var rationale: String?
}
/// The payload of a `LeadDefinitionSignedOff` event.
public struct LeadDefinitionSignedOff: Codable, Equatable, Sendable {
    public var definition: String; public var version: Int; public var comment: String?
}
/// The payload of a `LeadDefinitionRejected` event.
public struct LeadDefinitionRejected: Codable, Equatable, Sendable {
    public var definition: String; public var version: Int; public var reason: String
}
/// The payload of a `LeadDefinitionActivated` event.
public struct LeadDefinitionActivated: Codable, Equatable, Sendable {
    public var definition: String
    public var version: Int
    /// Sales sign-offs that counted when the version was activated (by actors then active and in sales), and the
    /// quorum then in force.
    public var signOffs: Int
    public var quorum: Int
    /// The version this one replaced, if any.
    public var supersedes: Int?
    public var override: Override?
}
/// The payload of a `LeadDefinitionRetired` event.
public struct LeadDefinitionRetired: Codable, Equatable, Sendable { public var definition: String; public var version: Int? }

/// The payload of a `CampaignDrafted` event.
public struct CampaignDrafted: Codable, Equatable, Sendable {
    public var campaign: String
    public var revision: Int
    public var name: String
    public var audience: String?
    public var offer: String?
    public var channels: [String]
    public var launchDate: String?
}
/// The payload of a `CampaignReviewRequested` event.
public struct CampaignReviewRequested: Codable, Equatable, Sendable { public var campaign: String; public var revision: Int }
/// The payload of a `CampaignReviewed` event.
public struct CampaignReviewed: Codable, Equatable, Sendable {
    public var campaign: String
    public var revision: Int
    public var approved: Bool
    public var comment: String?
}
/// The payload of a `CampaignBriefPublished` event.
public struct CampaignBriefPublished: Codable, Equatable, Sendable {
    public var campaign: String
    public var briefVersion: Int
    public var summary: String
    public var talkingPoints: [String]
    public var offer: String?
}
/// The payload of a `CampaignLaunched` event.
public struct CampaignLaunched: Codable, Equatable, Sendable {
    public var campaign: String
    public var revision: Int
    /// True when an approving sales review of this revision preceded the launch.
    public var reviewed: Bool
    public var override: Override?
}
/// The payload of a `CampaignClosed` event.
public struct CampaignClosed: Codable, Equatable, Sendable { public var campaign: String }

/// The payload of a `LeadHandedOff` event.
public struct LeadHandedOff: Codable, Equatable, Sendable {
    public var lead: String
    public var definition: String
    public var definitionVersion: Int
    public var campaign: String?
    /// The campaign's latest brief at handoff time, attached automatically.
    public var brief: AttachedBrief?
    public var owner: String?
    public var profile: [String: String]
    public var signals: [Signal]
    public var score: Double?
    public var note: String?
    public var override: Override?
    /// How the lead was judged against the definition version's criteria (nil on events recorded before evaluation).
    public var evaluation: HandoffEvaluation?
    /// The CRM record an imported handoff comes from (`salesforce:LeadHistory/017…`); nil when recorded here.
    public var source: String?

    /// A value with every field given (the kept-state codec builds them).
    public init(lead: String, definition: String, definitionVersion: Int, campaign: String? = nil, brief: AttachedBrief? = nil, owner: String? = nil, profile: [String: String], signals: [Signal], score: Double? = nil, note: String? = nil, override: Override? = nil, evaluation: HandoffEvaluation? = nil, source: String? = nil) {
        self.lead = lead
        self.definition = definition
        self.definitionVersion = definitionVersion
        self.campaign = campaign
        self.brief = brief
        self.owner = owner
        self.profile = profile
        self.signals = signals
        self.score = score
        self.note = note
        self.override = override
        self.evaluation = evaluation
        self.source = source
    }

    /// A campaign lead handed off with no brief published before it (counted against qualification).
    public var noBrief: Bool { campaign != nil && brief == nil }
}
/// The payload of a `LeadAccepted` event.
/// `source` on the lead events: the CRM record an imported step comes from; nil when recorded here.
public struct LeadAccepted: Codable, Equatable, Sendable { public var lead: String; public var source: String? = nil }
/// The payload of a `LeadRejected` event.
public struct LeadRejected: Codable, Equatable, Sendable {
    public var lead: String; public var reason: RejectionReason; public var note: String?; public var source: String? = nil
}
/// The payload of a `LeadConverted` event.
public struct LeadConverted: Codable, Equatable, Sendable {
    public var lead: String; public var opportunity: String?; public var amount: Double?; public var source: String? = nil
}
/// The payload of a `LeadRecycled` event.
public struct LeadRecycled: Codable, Equatable, Sendable { public var lead: String; public var source: String? = nil }

/// The payload of a `ContentPlanned` event.
public struct ContentPlanned: Codable, Equatable, Sendable {
    public var asset: String
    public var title: String
    public var stage: Stage
    public var persona: String?
    /// Set when the asset was added to the plan by triaging a request.
    public var fromRequest: String?

    /// A value with every field given (the kept-state codec builds them).
    public init(asset: String, title: String, stage: Stage, persona: String? = nil, fromRequest: String? = nil) {
        self.asset = asset
        self.title = title
        self.stage = stage
        self.persona = persona
        self.fromRequest = fromRequest
    }
}
/// The payload of a `ContentRequested` event.
public struct ContentRequested: Codable, Equatable, Sendable {
    public var request: String
    public var what: String
    public var why: String?
    public var stage: Stage
    public var lead: String?

    /// A value with every field given (the kept-state codec builds them).
    public init(request: String, what: String, why: String? = nil, stage: Stage, lead: String? = nil) {
        self.request = request
        self.what = what
        self.why = why
        self.stage = stage
        self.lead = lead
    }
}
/// What triage decided for a content request: served from the plan, added to it, declined or made ad hoc.
public enum TriageOutcome: String, Codable, CaseIterable, Sendable {
    case mapped, addedToPlan = "added-to-plan", declined, adHoc = "ad-hoc"
}
/// The payload of a `ContentRequestTriaged` event.
public struct ContentRequestTriaged: Codable, Equatable, Sendable {
    public var request: String
    public var outcome: TriageOutcome
    public var asset: String?
    public var reason: String?
    /// A revops override of the content rules (ad hoc content the policy refuses, an asset of another stage).
    public var override: Override?

    /// A value with every field given (the kept-state codec builds them).
    public init(request: String, outcome: TriageOutcome, asset: String? = nil, reason: String? = nil, override: Override? = nil) {
        self.request = request
        self.outcome = outcome
        self.asset = asset
        self.reason = reason
        self.override = override
    }
}
/// The payload of a `ContentRequestFulfilled` event.
public struct ContentRequestFulfilled: Codable, Equatable, Sendable {
    public var request: String
    public var asset: String?

    /// A value with every field given (the kept-state codec builds them).
    public init(request: String, asset: String? = nil) {
        self.request = request
        self.asset = asset
    }
}

extension DomainEvent {
    /// Every event type name with its current schema version.
    public static let types: [(name: String, schemaVersion: Int)] = [
        "LedgerInitialized", "ActorRegistered", "ActorRolesChanged", "ActorDeactivated", "PolicyChanged",
        "ActorKeyRegistered", "ActorKeyRevoked", "SignaturesRequired", "RecordsImported",
        "LeadDefinitionProposed", "LeadDefinitionSignedOff", "LeadDefinitionRejected", "LeadDefinitionActivated",
        "LeadDefinitionRetired", "CampaignDrafted", "CampaignReviewRequested", "CampaignReviewed",
        "CampaignBriefPublished", "CampaignLaunched", "CampaignClosed", "LeadHandedOff", "LeadAccepted",
        "LeadRejected", "LeadConverted", "LeadRecycled", "ContentPlanned", "ContentRequested",
        "ContentRequestTriaged", "ContentRequestFulfilled",
    ].map { ($0, 1) }

    /// The event type name stored in the envelope.
    public var type: String {
        switch self {
        case .ledgerInitialized: "LedgerInitialized"
        case .actorRegistered: "ActorRegistered"
        case .actorRolesChanged: "ActorRolesChanged"
        case .actorDeactivated: "ActorDeactivated"
        case .policyChanged: "PolicyChanged"
        case .actorKeyRegistered: "ActorKeyRegistered"
        case .actorKeyRevoked: "ActorKeyRevoked"
        case .signaturesRequired: "SignaturesRequired"
        case .recordsImported: "RecordsImported"
        case .definitionProposed: "LeadDefinitionProposed"
        case .definitionSignedOff: "LeadDefinitionSignedOff"
        case .definitionRejected: "LeadDefinitionRejected"
        case .definitionActivated: "LeadDefinitionActivated"
        case .definitionRetired: "LeadDefinitionRetired"
        case .campaignDrafted: "CampaignDrafted"
        case .campaignReviewRequested: "CampaignReviewRequested"
        case .campaignReviewed: "CampaignReviewed"
        case .campaignBriefPublished: "CampaignBriefPublished"
        case .campaignLaunched: "CampaignLaunched"
        case .campaignClosed: "CampaignClosed"
        case .leadHandedOff: "LeadHandedOff"
        case .leadAccepted: "LeadAccepted"
        case .leadRejected: "LeadRejected"
        case .leadConverted: "LeadConverted"
        case .leadRecycled: "LeadRecycled"
        case .contentPlanned: "ContentPlanned"
        case .contentRequested: "ContentRequested"
        case .contentRequestTriaged: "ContentRequestTriaged"
        case .contentRequestFulfilled: "ContentRequestFulfilled"
        }
    }

    /// Schema version of the payload as written now.
    public var schemaVersion: Int { 1 }

    /// The stream the event belongs to.
    public var stream: String {
        switch self {
        case .ledgerInitialized, .actorRegistered, .actorRolesChanged, .actorDeactivated, .policyChanged,
             .actorKeyRegistered, .actorKeyRevoked, .signaturesRequired, .recordsImported: StreamName.ledger
        case .definitionProposed(let e): StreamName.definition(e.definition)
        case .definitionSignedOff(let e): StreamName.definition(e.definition)
        case .definitionRejected(let e): StreamName.definition(e.definition)
        case .definitionActivated(let e): StreamName.definition(e.definition)
        case .definitionRetired(let e): StreamName.definition(e.definition)
        case .campaignDrafted(let e): StreamName.campaign(e.campaign)
        case .campaignReviewRequested(let e): StreamName.campaign(e.campaign)
        case .campaignReviewed(let e): StreamName.campaign(e.campaign)
        case .campaignBriefPublished(let e): StreamName.campaign(e.campaign)
        case .campaignLaunched(let e): StreamName.campaign(e.campaign)
        case .campaignClosed(let e): StreamName.campaign(e.campaign)
        case .leadHandedOff(let e): StreamName.lead(e.lead)
        case .leadAccepted(let e): StreamName.lead(e.lead)
        case .leadRejected(let e): StreamName.lead(e.lead)
        case .leadConverted(let e): StreamName.lead(e.lead)
        case .leadRecycled(let e): StreamName.lead(e.lead)
        case .contentPlanned(let e): StreamName.content(e.asset)
        case .contentRequested(let e): StreamName.content(e.request)
        case .contentRequestTriaged(let e): StreamName.content(e.request)
        case .contentRequestFulfilled(let e): StreamName.content(e.request)
        }
    }

    static let encoder = JSONValueEncoder()

    /// The payload as canonical JSON (keys sorted by UTF-8 bytes, compact, minimal escaping, ISO 8601 dates),
    /// exactly the bytes the event log stores.
    /// Throws `DomainError.invalid` when the payload cannot be written (a number that is not finite): the service
    /// appends only what this returns, so no hollow payload reaches the log.
    public func canonicalPayload() throws(DomainError) -> [UInt8] {
        do { return try encodedPayload() } catch {
            throw .invalid("\(type) cannot be recorded: a number in it is not finite, or a date is out of range (\(error))")
        }
    }

    /// The payload as `canonicalPayload()` writes it, for payloads known to be encodable (tests, fixtures):
    /// `{}` when it is not.
    public func payload() -> [UInt8] { (try? encodedPayload()) ?? Array("{}".utf8) }

    private func encodedPayload() throws -> [UInt8] {
        func enc<T: Encodable>(_ v: T) throws -> [UInt8] { try DomainEvent.encoder.encodeCanonical(v) }
        switch self {
        case .ledgerInitialized(let e): return try enc(e)
        case .actorRegistered(let e): return try enc(e)
        case .actorRolesChanged(let e): return try enc(e)
        case .actorDeactivated(let e): return try enc(e)
        case .policyChanged(let e): return try enc(e)
        case .actorKeyRegistered(let e): return try enc(e)
        case .actorKeyRevoked(let e): return try enc(e)
        case .signaturesRequired(let e): return try enc(e)
        case .recordsImported(let e): return try enc(e)
        case .definitionProposed(let e): return try enc(e)
        case .definitionSignedOff(let e): return try enc(e)
        case .definitionRejected(let e): return try enc(e)
        case .definitionActivated(let e): return try enc(e)
        case .definitionRetired(let e): return try enc(e)
        case .campaignDrafted(let e): return try enc(e)
        case .campaignReviewRequested(let e): return try enc(e)
        case .campaignReviewed(let e): return try enc(e)
        case .campaignBriefPublished(let e): return try enc(e)
        case .campaignLaunched(let e): return try enc(e)
        case .campaignClosed(let e): return try enc(e)
        case .leadHandedOff(let e): return try e.canonicalBytes()  // hand-written (Events+Encoding.swift)
        case .leadAccepted(let e): return try e.canonicalBytes()  // hand-written (Events+Encoding.swift)
        case .leadRejected(let e): return try e.canonicalBytes()  // hand-written (Events+Encoding.swift)
        case .leadConverted(let e): return try e.canonicalBytes()  // hand-written (Events+Encoding.swift)
        case .leadRecycled(let e): return try enc(e)
        case .contentPlanned(let e): return try enc(e)
        case .contentRequested(let e): return try enc(e)
        case .contentRequestTriaged(let e): return try enc(e)
        case .contentRequestFulfilled(let e): return try enc(e)
        }
    }

    /// Decodes a stored event, upcasting older schema versions first (there are none yet: version 1 is current).
    ///
    /// The payload is read by the payload type's hand-written `init(json:)` (Events+Decoding.swift) from a lazy
    /// `JSONFields` view of its bytes, which validates the whole text as strictly as `JSONValue.parse` but builds
    /// nothing beyond what the type asks for; it accepts and refuses exactly what decoding it through `Codable`
    /// with `JSONValueDecoder` does, several times faster. A payload that is not valid JSON or does not fit its
    /// type throws `DomainError.invalid` naming the type and the offending key.
    public static func decode(type: String, schemaVersion: Int, payload: [UInt8]) throws -> DomainEvent {
        try payload.withUnsafeBytes { try decode(type: type, schemaVersion: schemaVersion, payload: $0) }
    }

    /// The same, for a payload read in place (a stored record's bytes: see `EventLog.replayViews`).
    public static func decode(type: String, schemaVersion: Int, payload: UnsafeRawBufferPointer) throws -> DomainEvent {
        guard schemaVersion == 1 else {
            throw DomainError.invalid("event type \(type) has schema version \(schemaVersion), which this build does not know")
        }
        guard let decode = decoders[type] else { throw DomainError.invalid("unknown event type \(type)") }
        do throws(JSONFieldError) {
            return try decode(JSONFields.parse(payload))
        } catch {
            throw DomainError.invalid("the \(type) payload is not valid: \(error)")
        }
    }

    /// Whether this build decodes events of `type` at `schemaVersion` (events of other types are skipped by folds).
    public static func knows(type: String, schemaVersion: Int) -> Bool { schemaVersion == 1 && decoders[type] != nil }

    typealias PayloadDecoder = @Sendable (JSONFields) throws(JSONFieldError) -> DomainEvent

    /// The payload decoders by event type name (one hash lookup instead of comparing the name with each).
    static let decoders: [String: PayloadDecoder] = {
        func d<T: JSONFieldsDecodable & Sendable>(_ t: T.Type, _ event: @escaping @Sendable (T) -> DomainEvent) -> PayloadDecoder {
            { fields throws(JSONFieldError) in event(try T(json: fields)) }
        }
        return [
            "LedgerInitialized": d(LedgerInitialized.self) { .ledgerInitialized($0) },
            "ActorRegistered": d(ActorRegistered.self) { .actorRegistered($0) },
            "ActorRolesChanged": d(ActorRolesChanged.self) { .actorRolesChanged($0) },
            "ActorDeactivated": d(ActorDeactivated.self) { .actorDeactivated($0) },
            "PolicyChanged": d(PolicyChanged.self) { .policyChanged($0) },
            "ActorKeyRegistered": d(ActorKeyRegistered.self) { .actorKeyRegistered($0) },
            "ActorKeyRevoked": d(ActorKeyRevoked.self) { .actorKeyRevoked($0) },
            "SignaturesRequired": d(SignaturesRequired.self) { .signaturesRequired($0) },
            "RecordsImported": d(RecordsImported.self) { .recordsImported($0) },
            "LeadDefinitionProposed": d(LeadDefinitionProposed.self) { .definitionProposed($0) },
            "LeadDefinitionSignedOff": d(LeadDefinitionSignedOff.self) { .definitionSignedOff($0) },
            "LeadDefinitionRejected": d(LeadDefinitionRejected.self) { .definitionRejected($0) },
            "LeadDefinitionActivated": d(LeadDefinitionActivated.self) { .definitionActivated($0) },
            "LeadDefinitionRetired": d(LeadDefinitionRetired.self) { .definitionRetired($0) },
            "CampaignDrafted": d(CampaignDrafted.self) { .campaignDrafted($0) },
            "CampaignReviewRequested": d(CampaignReviewRequested.self) { .campaignReviewRequested($0) },
            "CampaignReviewed": d(CampaignReviewed.self) { .campaignReviewed($0) },
            "CampaignBriefPublished": d(CampaignBriefPublished.self) { .campaignBriefPublished($0) },
            "CampaignLaunched": d(CampaignLaunched.self) { .campaignLaunched($0) },
            "CampaignClosed": d(CampaignClosed.self) { .campaignClosed($0) },
            "LeadHandedOff": d(LeadHandedOff.self) { .leadHandedOff($0) },
            "LeadAccepted": d(LeadAccepted.self) { .leadAccepted($0) },
            "LeadRejected": d(LeadRejected.self) { .leadRejected($0) },
            "LeadConverted": d(LeadConverted.self) { .leadConverted($0) },
            "LeadRecycled": d(LeadRecycled.self) { .leadRecycled($0) },
            "ContentPlanned": d(ContentPlanned.self) { .contentPlanned($0) },
            "ContentRequested": d(ContentRequested.self) { .contentRequested($0) },
            "ContentRequestTriaged": d(ContentRequestTriaged.self) { .contentRequestTriaged($0) },
            "ContentRequestFulfilled": d(ContentRequestFulfilled.self) { .contentRequestFulfilled($0) },
        ]
    }()
}
