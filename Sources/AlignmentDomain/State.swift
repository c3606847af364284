import Foundation

/// A domain event with the envelope facts a fold needs.
public struct Recorded: Equatable, Sendable {
    public var event: DomainEvent
    public var actor: String
    /// Business time.
    public var at: Date
    public var position: UInt64
    /// When the log recorded it (its `recordedAt`; `at` when not known, e.g. for an event not written yet).
    public var recordedAt: Date

    public init(event: DomainEvent, actor: String, at: Date, position: UInt64, recordedAt: Date? = nil) {
        self.event = event
        self.actor = actor
        self.at = at
        self.position = position
        self.recordedAt = recordedAt ?? at
    }
}

/// A person on the ledger: name, roles, and whether they may still act.
public struct ActorInfo: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var roles: [Role]
    public var active: Bool

    /// A value with every field given (the kept-state codec builds them).
    public init(id: String, name: String, roles: [Role], active: Bool) {
        self.id = id
        self.name = name
        self.roles = roles
        self.active = active
    }
}

/// State of the `ledger` stream: actors and policy.
public struct LedgerState: Codable, Equatable, Sendable {
    public var initialized = false
    public var actors: [String: ActorInfo] = [:]
    public var policy = Policy()
    /// Every key ever registered, by key id (revoked ones keep their record).
    public var keys: [String: KeyRecord] = [:]
    /// Whether every event must be signed by its actor's key (`SignaturesRequired`; new ledgers from their start).
    public var signaturesRequired = false
    /// The policies and actors' roles over business time, and the stream's latest business time (TimeRules.swift).
    public var timeline = LedgerTimeline()
    public init() {}

    /// The actor's keys that may sign now.
    public func activeKeys(of actor: String) -> [KeyRecord] {
        keys.values.filter { $0.actor == actor && $0.active }.sorted { $0.registeredAt < $1.registeredAt }
    }

    public mutating func evolve(_ r: Recorded) {
        timeline.evolve(r, actors: actors)
        switch r.event {
        case .ledgerInitialized(let e):
            guard !initialized else { break }  // once (`Authority` refuses a second one)
            initialized = true
            if let key = e.key, let k = try? PublicKey(text: key) {
                keys[k.id] = KeyRecord(id: k.id, actor: e.admin, publicKey: k.text, registeredAt: r.position)
            }
        case .actorKeyRegistered(let e):
            // Under the id of the key itself, and never over an earlier registration (a revoked key stays revoked).
            guard let k = try? PublicKey(text: e.publicKey), keys[k.id] == nil else { break }
            keys[k.id] = KeyRecord(id: k.id, actor: e.actor, publicKey: k.text, registeredAt: r.position, registeredBy: r.actor)
        case .actorKeyRevoked(let e):
            keys[e.keyID]?.revokedAt = r.position
            keys[e.keyID]?.revokeReason = e.reason
        case .signaturesRequired: signaturesRequired = true
        case .actorRegistered(let e): actors[e.actor] = ActorInfo(id: e.actor, name: e.name, roles: e.roles, active: true)
        case .actorRolesChanged(let e): actors[e.actor]?.roles = e.roles
        case .actorDeactivated(let e): actors[e.actor]?.active = false
        case .policyChanged(let e): policy = e.policy
        default: break
        }
    }
}

/// A sign-off, rejection or review: who, when, what.
public struct Verdict: Codable, Equatable, Sendable {
    public var actor: String
    public var at: Date
    public var text: String?
    public var position: UInt64
    /// When it was recorded.
    public var recordedAt: Date

    /// A value with every field given (the kept-state codec builds them); `recordedAt` defaults to `at`.
    public init(actor: String, at: Date, text: String? = nil, position: UInt64, recordedAt: Date? = nil) {
        self.actor = actor
        self.at = at
        self.text = text
        self.position = position
        self.recordedAt = recordedAt ?? at
    }
}

/// One version of a lead definition: its criteria and the sales verdicts on it.
public struct DefinitionVersion: Codable, Equatable, Sendable {
    public var version: Int
    public var title: String
    public var author: String
    public var proposedAt: Date
    public var fit: [Criterion]
    public var engagement: [Criterion]
    public var rationale: String?
    public var signOffs: [Verdict] = []
    public var rejections: [Verdict] = []
    /// When the proposal was recorded.
    public var proposedRecordedAt: Date

    /// A value with every field given (the kept-state codec builds them); `proposedRecordedAt` defaults to `proposedAt`.
    public init(version: Int, title: String, author: String, proposedAt: Date, fit: [Criterion], engagement: [Criterion], rationale: String? = nil, signOffs: [Verdict] = [], rejections: [Verdict] = [], proposedRecordedAt: Date? = nil) {
        self.version = version
        self.title = title
        self.author = author
        self.proposedAt = proposedAt
        self.fit = fit
        self.engagement = engagement
        self.rationale = rationale
        self.signOffs = signOffs
        self.rejections = rejections
        self.proposedRecordedAt = proposedRecordedAt ?? proposedAt
    }
}

/// A span of business time during which a version was the active one.
public struct Activation: Codable, Equatable, Sendable {
    public var version: Int
    public var from: Date
    public var until: Date?
    public var override: Override?
    public var signOffs: Int
    public var quorum: Int
    /// Position of the activation event.
    public var position: UInt64 = 0
    /// When the activation was recorded.
    public var recordedAt: Date

    /// A value with every field given (the kept-state codec builds them); `recordedAt` defaults to `from`.
    public init(version: Int, from: Date, until: Date? = nil, override: Override? = nil, signOffs: Int, quorum: Int, position: UInt64 = 0, recordedAt: Date? = nil) {
        self.version = version
        self.from = from
        self.until = until
        self.override = override
        self.signOffs = signOffs
        self.quorum = quorum
        self.position = position
        self.recordedAt = recordedAt ?? from
    }
}

/// State of a `definition/<id>` stream.
public struct DefinitionState: Codable, Equatable, Sendable {
    public var id: String
    public var versions: [DefinitionVersion] = []
    public var activeVersion: Int?
    public var activations: [Activation] = []
    public var retired = false
    /// The latest business time of the stream's events (`BusinessTime.streamTime`).
    public var lastAt: Date?
    public init(id: String) { self.id = id }

    public var exists: Bool { !versions.isEmpty }

    public func version(_ v: Int) -> DefinitionVersion? {
        v >= 1 && v <= versions.count ? versions[v - 1] : nil
    }

    /// The version active at a business time, if any.
    public func activeVersion(at t: Date) -> Int? {
        activations.last { $0.from <= t && ($0.until.map { t < $0 } ?? true) }?.version
    }

    public mutating func evolve(_ r: Recorded) {
        lastAt = BusinessTime.later(lastAt, BusinessTime.streamTime(r))
        switch r.event {
        case .definitionProposed(let e):
            versions.append(DefinitionVersion(version: e.version, title: e.title, author: r.actor, proposedAt: r.at,
                                              fit: e.fit, engagement: e.engagement, rationale: e.rationale, proposedRecordedAt: r.recordedAt))
        case .definitionSignedOff(let e):
            if e.version >= 1, e.version <= versions.count {
                versions[e.version - 1].signOffs.append(Verdict(actor: r.actor, at: r.at, text: e.comment, position: r.position, recordedAt: r.recordedAt))
            }
        case .definitionRejected(let e):
            if e.version >= 1, e.version <= versions.count {
                versions[e.version - 1].rejections.append(Verdict(actor: r.actor, at: r.at, text: e.reason, position: r.position, recordedAt: r.recordedAt))
            }
        case .definitionActivated(let e):
            if let last = activations.indices.last, activations[last].until == nil { activations[last].until = r.at }
            activations.append(Activation(version: e.version, from: r.at, until: nil, override: e.override, signOffs: e.signOffs, quorum: e.quorum,
                                          position: r.position, recordedAt: r.recordedAt))
            activeVersion = e.version
        case .definitionRetired:
            if let last = activations.indices.last, activations[last].until == nil { activations[last].until = r.at }
            activeVersion = nil
            retired = true
        default: break
        }
    }
}

/// A published campaign brief, as kept in the campaign's state.
public struct Brief: Codable, Equatable, Sendable {
    public var version: Int
    public var summary: String
    public var talkingPoints: [String]
    public var offer: String?
    public var at: Date
    /// When it was recorded.
    public var recordedAt: Date

    /// A value with every field given (the kept-state codec builds them); `recordedAt` defaults to `at`.
    public init(version: Int, summary: String, talkingPoints: [String], offer: String? = nil, at: Date, recordedAt: Date? = nil) {
        self.version = version
        self.summary = summary
        self.talkingPoints = talkingPoints
        self.offer = offer
        self.at = at
        self.recordedAt = recordedAt ?? at
    }
}

/// State of a `campaign/<id>` stream.
public struct CampaignState: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable { case none, draft, inReview = "in-review", launched, closed }
    public var id: String
    public var status: Status = .none
    public var revision = 0
    public var name = ""
    public var audience: String?
    public var offer: String?
    public var channels: [String] = []
    public var launchDate: String?
    public var reviews: [Verdict] = []
    /// Revision approved by the latest approving review (nil if none, or if changes were requested since).
    public var approvedRevision: Int?
    public var briefs: [Brief] = []
    public var launchedAt: Date?
    /// Who drafted the latest revision (its author, who may not review it).
    public var draftedBy: String?
    /// When the launch was recorded.
    public var launchedRecordedAt: Date?
    /// The business time of the latest draft.
    public var draftedAt: Date?
    /// The latest business time of the stream's events (`BusinessTime.streamTime`).
    public var lastAt: Date?
    public init(id: String) { self.id = id }

    public var exists: Bool { status != .none }

    public mutating func evolve(_ r: Recorded) {
        lastAt = BusinessTime.later(lastAt, BusinessTime.streamTime(r))
        switch r.event {
        case .campaignDrafted(let e):
            draftedAt = r.at
            revision = e.revision
            name = e.name
            audience = e.audience
            offer = e.offer
            channels = e.channels
            launchDate = e.launchDate
            draftedBy = r.actor
            if status == .none || status == .inReview { status = .draft }
            approvedRevision = nil
        case .campaignReviewRequested:
            if status == .draft { status = .inReview }
        case .campaignReviewed(let e):
            reviews.append(Verdict(actor: r.actor, at: r.at, text: e.approved ? "approved" : "changes requested: " + (e.comment ?? ""), position: r.position,
                                   recordedAt: r.recordedAt))
            approvedRevision = e.approved && e.revision == revision ? e.revision : nil
            if status == .inReview { status = .draft }
        case .campaignBriefPublished(let e):
            briefs.append(Brief(version: e.briefVersion, summary: e.summary, talkingPoints: e.talkingPoints, offer: e.offer, at: r.at,
                                recordedAt: r.recordedAt))
        case .campaignLaunched:
            status = .launched
            launchedAt = r.at
            launchedRecordedAt = r.recordedAt
        case .campaignClosed:
            status = .closed
        default: break
        }
    }
}

/// State of a `lead/<id>` stream.
public struct LeadState: Codable, Equatable, Sendable {
    public enum Status: String, Codable, CaseIterable, Sendable {
        case none, handedOff = "handed-off", accepted, rejected, converted, recycled
    }
    public var id: String
    public var status: Status = .none
    public var handoff: LeadHandedOff?
    public var handedOffAt: Date?
    public var handedOffBy: String?
    public var decidedAt: Date?
    public var rejection: RejectionReason?
    /// When the handoff was recorded.
    public var handedOffRecordedAt: Date?
    /// When the acceptance or rejection was recorded.
    public var decidedRecordedAt: Date?
    /// The latest business time of the stream's events (`BusinessTime.streamTime`).
    public var lastAt: Date?
    public init(id: String) { self.id = id }

    public mutating func evolve(_ r: Recorded) {
        lastAt = BusinessTime.later(lastAt, BusinessTime.streamTime(r))
        switch r.event {
        case .leadHandedOff(let e):
            status = .handedOff
            handoff = e
            handedOffAt = r.at
            handedOffRecordedAt = r.recordedAt
            handedOffBy = r.actor
            decidedAt = nil
            decidedRecordedAt = nil
            rejection = nil
        case .leadAccepted: status = .accepted; decidedAt = r.at; decidedRecordedAt = r.recordedAt
        case .leadRejected(let e): status = .rejected; decidedAt = r.at; decidedRecordedAt = r.recordedAt; rejection = e.reason
        case .leadConverted: status = .converted
        case .leadRecycled: status = .recycled
        default: break
        }
    }
}

/// State of a `content/<id>` stream: a planned asset, or a request from sales.
public struct ContentState: Codable, Equatable, Sendable {
    public var id: String
    public var asset: ContentPlanned?
    public var request: ContentRequested?
    public var requestedBy: String?
    public var triage: ContentRequestTriaged?
    public var fulfilled: ContentRequestFulfilled?
    /// The business time of the request.
    public var requestedAt: Date?
    /// The latest business time of the stream's events (`BusinessTime.streamTime`).
    public var lastAt: Date?
    public init(id: String) { self.id = id }

    public var exists: Bool { asset != nil || request != nil }

    public mutating func evolve(_ r: Recorded) {
        lastAt = BusinessTime.later(lastAt, BusinessTime.streamTime(r))
        switch r.event {
        case .contentPlanned(let e): asset = e
        case .contentRequested(let e): request = e; requestedBy = r.actor; requestedAt = r.at
        case .contentRequestTriaged(let e): triage = e
        case .contentRequestFulfilled(let e): fulfilled = e
        default: break
        }
    }
}
