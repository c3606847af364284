import Foundation
import JSONCore

// Hand-written decoders for the event payloads, read through `JSONFields` (a lazy view of the payload's bytes:
// validated in one pass, each member read from its bytes only when asked for) instead of through `Codable`, whose
// dynamic machinery, and then building a `JSONValue` of the whole payload, dominated the cost of decoding events.
// Each mirrors its type's synthesized `Decodable` exactly: the same keys; non-optional properties (even those with a
// default value, as in `Policy`) must be present and not null; optional ones may be missing or null; unknown keys are
// ignored. EventDecodingTests checks every type against `JSONValueDecoder`. Measured by `align-bench --only json`:
// 0.77–1.08 µs a payload against 2.3–2.9 µs through `JSONValueDecoder` and 5.5–8.4 µs through `JSONDecoder`.

// MARK: Shared types

extension Signal: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(name: try j.string("name"), at: try j.date("at"), detail: try j.stringIfPresent("detail"))
    }
}

extension Override: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(reason: try j.string("reason"), rule: try j.string("rule"))
    }
}

extension Policy: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init()
        quorum = try j.int("quorum")
        slaHours = try j.int("slaHours")
        requireContext = try j.bool("requireContext")
        requireCampaignReview = try j.bool("requireCampaignReview")
        maxBackdateHours = try j.intIfPresent("maxBackdateHours") ?? Policy.defaultMaxBackdateHours
        offDefinition = try j.rawValueIfPresent("offDefinition") ?? .refuse
        adHocContent = try j.rawValueIfPresent("adHocContent") ?? .refuse
        signals = try j.stringsIfPresent("signals") ?? []
    }
}

extension Criterion: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(field: try j.string("field"), op: try j.string("op"), values: try j.strings("values"),
                  within: try j.stringIfPresent("within"))
    }
}

extension CriterionResult: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(criterion: try j.string("criterion"), kind: try j.rawValue("kind"), outcome: try j.rawValue("outcome"),
                  observed: try j.stringIfPresent("observed"))
    }
}

extension HandoffEvaluation: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(met: try j.bool("met"), criteria: try j.array("criteria"), offDefinition: try j.rawValueIfPresent("offDefinition"))
    }
}

extension AttachedBrief: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(version: try j.int("version"), summary: try j.string("summary"),
                  talkingPoints: try j.strings("talkingPoints"), offer: try j.stringIfPresent("offer"))
    }
}

// MARK: ledger

extension LedgerInitialized: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(admin: try j.string("admin"), name: try j.string("name"), key: try j.stringIfPresent("key"),
                  proof: try j.stringIfPresent("proof"), logKey: try j.stringIfPresent("logKey"))
    }
}

extension ActorKeyRegistered: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(actor: try j.string("actor"), keyID: try j.string("keyID"), publicKey: try j.string("publicKey"),
                  proof: try j.string("proof"), replaces: try j.stringIfPresent("replaces"))
    }
}

extension ActorKeyRevoked: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(actor: try j.string("actor"), keyID: try j.string("keyID"), reason: try j.stringIfPresent("reason"))
    }
}

extension RecordsImported: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(source: try j.string("source"), reason: try j.string("reason"), commands: try j.int("commands"))
    }
}

extension SignaturesRequired: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) { self.init(scheme: try j.string("scheme")) }
}

extension ActorRegistered: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(actor: try j.string("actor"), name: try j.string("name"), roles: try j.rawValues("roles"))
    }
}

extension ActorRolesChanged: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(actor: try j.string("actor"), roles: try j.rawValues("roles"))
    }
}

extension ActorDeactivated: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(actor: try j.string("actor"))
    }
}

extension PolicyChanged: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(policy: try j.decode("policy"))
    }
}

// MARK: definition/<id>

extension LeadDefinitionProposed: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(definition: try j.string("definition"), version: try j.int("version"), title: try j.string("title"),
                  fit: try j.array("fit"), engagement: try j.array("engagement"), rationale: try j.stringIfPresent("rationale"))
    }
}

extension LeadDefinitionSignedOff: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(definition: try j.string("definition"), version: try j.int("version"), comment: try j.stringIfPresent("comment"))
    }
}

extension LeadDefinitionRejected: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(definition: try j.string("definition"), version: try j.int("version"), reason: try j.string("reason"))
    }
}

extension LeadDefinitionActivated: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(definition: try j.string("definition"), version: try j.int("version"), signOffs: try j.int("signOffs"),
                  quorum: try j.int("quorum"), supersedes: try j.intIfPresent("supersedes"), override: try j.decodeIfPresent("override"))
    }
}

extension LeadDefinitionRetired: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(definition: try j.string("definition"), version: try j.intIfPresent("version"))
    }
}

// MARK: campaign/<id>

extension CampaignDrafted: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(campaign: try j.string("campaign"), revision: try j.int("revision"), name: try j.string("name"),
                  audience: try j.stringIfPresent("audience"), offer: try j.stringIfPresent("offer"),
                  channels: try j.strings("channels"), launchDate: try j.stringIfPresent("launchDate"))
    }
}

extension CampaignReviewRequested: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(campaign: try j.string("campaign"), revision: try j.int("revision"))
    }
}

extension CampaignReviewed: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(campaign: try j.string("campaign"), revision: try j.int("revision"), approved: try j.bool("approved"),
                  comment: try j.stringIfPresent("comment"))
    }
}

extension CampaignBriefPublished: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(campaign: try j.string("campaign"), briefVersion: try j.int("briefVersion"), summary: try j.string("summary"),
                  talkingPoints: try j.strings("talkingPoints"), offer: try j.stringIfPresent("offer"))
    }
}

extension CampaignLaunched: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(campaign: try j.string("campaign"), revision: try j.int("revision"), reviewed: try j.bool("reviewed"),
                  override: try j.decodeIfPresent("override"))
    }
}

extension CampaignClosed: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(campaign: try j.string("campaign"))
    }
}

// MARK: lead/<id>

extension LeadHandedOff: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(lead: try j.string("lead"), definition: try j.string("definition"), definitionVersion: try j.int("definitionVersion"),
                  campaign: try j.stringIfPresent("campaign"), brief: try j.decodeIfPresent("brief"), owner: try j.stringIfPresent("owner"),
                  profile: try j.stringMap("profile"), signals: try j.array("signals"), score: try j.doubleIfPresent("score"),
                  note: try j.stringIfPresent("note"), override: try j.decodeIfPresent("override"),
                  evaluation: try j.decodeIfPresent("evaluation"), source: try j.stringIfPresent("source"))
    }
}

extension LeadAccepted: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(lead: try j.string("lead"), source: try j.stringIfPresent("source"))
    }
}

extension LeadRejected: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(lead: try j.string("lead"), reason: try j.rawValue("reason"), note: try j.stringIfPresent("note"), source: try j.stringIfPresent("source"))
    }
}

extension LeadConverted: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(lead: try j.string("lead"), opportunity: try j.stringIfPresent("opportunity"), amount: try j.doubleIfPresent("amount"),
                  source: try j.stringIfPresent("source"))
    }
}

extension LeadRecycled: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(lead: try j.string("lead"), source: try j.stringIfPresent("source"))
    }
}

// MARK: content/<id>

extension ContentPlanned: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(asset: try j.string("asset"), title: try j.string("title"), stage: try j.rawValue("stage"),
                  persona: try j.stringIfPresent("persona"), fromRequest: try j.stringIfPresent("fromRequest"))
    }
}

extension ContentRequested: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(request: try j.string("request"), what: try j.string("what"), why: try j.stringIfPresent("why"),
                  stage: try j.rawValue("stage"), lead: try j.stringIfPresent("lead"))
    }
}

extension ContentRequestTriaged: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(request: try j.string("request"), outcome: try j.rawValue("outcome"), asset: try j.stringIfPresent("asset"),
                  reason: try j.stringIfPresent("reason"), override: try j.decodeIfPresent("override"))
    }
}

extension ContentRequestFulfilled: JSONFieldsDecodable {
    public init(json j: JSONFields) throws(JSONFieldError) {
        self.init(request: try j.string("request"), asset: try j.stringIfPresent("asset"))
    }
}
