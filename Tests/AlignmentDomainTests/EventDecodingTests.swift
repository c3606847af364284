// The hand-written payload decoders (Events+Decoding.swift, on JSONFields) against the Codable path they replaced
// (`JSONValueDecoder` over the synthesized `Decodable`s): for every event type, on golden payloads, on events the
// domain decides from real commands, and on systematically broken payloads, both paths must give the same event or
// both must refuse.
import Foundation
import Testing
@testable import AlignmentDomain
import JSONCore

/// Decodes a payload the old way: through `Codable` with `JSONValueDecoder`.
func codableDecode(type: String, payload: [UInt8]) throws -> DomainEvent {
    let d = JSONValueDecoder()
    func dec<T: Decodable>(_ t: T.Type) throws -> T { try d.decode(t, fromJSON: payload) }
    switch type {
    case "LedgerInitialized": return .ledgerInitialized(try dec(LedgerInitialized.self))
    case "ActorRegistered": return .actorRegistered(try dec(ActorRegistered.self))
    case "ActorRolesChanged": return .actorRolesChanged(try dec(ActorRolesChanged.self))
    case "ActorDeactivated": return .actorDeactivated(try dec(ActorDeactivated.self))
    case "PolicyChanged": return .policyChanged(try dec(PolicyChanged.self))
    case "ActorKeyRegistered": return .actorKeyRegistered(try dec(ActorKeyRegistered.self))
    case "ActorKeyRevoked": return .actorKeyRevoked(try dec(ActorKeyRevoked.self))
    case "SignaturesRequired": return .signaturesRequired(try dec(SignaturesRequired.self))
    case "RecordsImported": return .recordsImported(try dec(RecordsImported.self))
    case "LeadDefinitionProposed": return .definitionProposed(try dec(LeadDefinitionProposed.self))
    case "LeadDefinitionSignedOff": return .definitionSignedOff(try dec(LeadDefinitionSignedOff.self))
    case "LeadDefinitionRejected": return .definitionRejected(try dec(LeadDefinitionRejected.self))
    case "LeadDefinitionActivated": return .definitionActivated(try dec(LeadDefinitionActivated.self))
    case "LeadDefinitionRetired": return .definitionRetired(try dec(LeadDefinitionRetired.self))
    case "CampaignDrafted": return .campaignDrafted(try dec(CampaignDrafted.self))
    case "CampaignReviewRequested": return .campaignReviewRequested(try dec(CampaignReviewRequested.self))
    case "CampaignReviewed": return .campaignReviewed(try dec(CampaignReviewed.self))
    case "CampaignBriefPublished": return .campaignBriefPublished(try dec(CampaignBriefPublished.self))
    case "CampaignLaunched": return .campaignLaunched(try dec(CampaignLaunched.self))
    case "CampaignClosed": return .campaignClosed(try dec(CampaignClosed.self))
    case "LeadHandedOff": return .leadHandedOff(try dec(LeadHandedOff.self))
    case "LeadAccepted": return .leadAccepted(try dec(LeadAccepted.self))
    case "LeadRejected": return .leadRejected(try dec(LeadRejected.self))
    case "LeadConverted": return .leadConverted(try dec(LeadConverted.self))
    case "LeadRecycled": return .leadRecycled(try dec(LeadRecycled.self))
    case "ContentPlanned": return .contentPlanned(try dec(ContentPlanned.self))
    case "ContentRequested": return .contentRequested(try dec(ContentRequested.self))
    case "ContentRequestTriaged": return .contentRequestTriaged(try dec(ContentRequestTriaged.self))
    case "ContentRequestFulfilled": return .contentRequestFulfilled(try dec(ContentRequestFulfilled.self))
    default: throw DomainError.invalid("unknown event type \(type)")
    }
}

@Suite struct EventDecodingTests {
    /// What a path made of a payload: the event, or the error it threw.
    enum Outcome: Equatable, CustomStringConvertible {
        case event(DomainEvent)
        case refused

        var description: String {
            switch self {
            case .event(let e): "\(e)"
            case .refused: "refused"
            }
        }
    }

    static func new(_ type: String, _ payload: [UInt8]) -> Outcome {
        (try? DomainEvent.decode(type: type, schemaVersion: 1, payload: payload)).map(Outcome.event) ?? .refused
    }

    static func old(_ type: String, _ payload: [UInt8]) -> Outcome {
        (try? codableDecode(type: type, payload: payload)).map(Outcome.event) ?? .refused
    }

    /// Both paths agree on `payload`; returns what they made of it.
    @discardableResult
    static func agree(_ type: String, _ payload: [UInt8], _ label: @autoclosure () -> String = "",
                      sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        let n = new(type, payload), o = old(type, payload)
        #expect(n == o, "\(type) \(label()): \(String(decoding: payload, as: UTF8.self)): new \(n), old \(o)", sourceLocation: sourceLocation)
        return n
    }

    static func agree(_ type: String, _ value: JSONValue, _ label: @autoclosure () -> String = "",
                      sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        agree(type, value.serialize(), label(), sourceLocation: sourceLocation)
    }

    /// Every golden event of the schema and JSONCore tests.
    static let goldens: [DomainEvent] = SchemaTests.goldens.map(\.event) + EventPayloadJSONTests.goldens.map(\.event)

    // MARK: goldens

    @Test func goldensDecodeTheSameBothWays() {
        for e in Self.goldens {
            let payload = e.payload()
            #expect(Self.agree(e.type, payload) == .event(e), "\(e.type) does not round-trip")
        }
        #expect(Set(Self.goldens.map(\.type)) == Set(DomainEvent.types.map(\.name)))
    }

    @Test func foundationWrittenGoldensDecodeTheSameBothWays() throws {
        for g in EventPayloadJSONTests.goldens {
            #expect(Self.agree(g.event.type, Array(try g.foundation()), g.label) == .event(g.event))
        }
    }

    // MARK: events the domain decides

    /// A ledger run through every kind of command, so that every event type is recorded, with optional fields
    /// both set and not.
    static func scriptedEvents() throws -> [DomainEvent] {
        let w = try World.standard()
        try w.run(.actorAdd(id: "mo", name: "Mo", roles: [.marketing, .sales]), as: "rita")
        try w.run(.actorRoles(id: "mark", roles: [.marketing, .revops]), as: "rita")
        try w.run(.actorDeactivate(id: "vic"), as: "rita")
        try w.run(.policySet(quorum: 2, slaHours: 48, requireContext: false, requireCampaignReview: false), as: "rita")
        try w.setPolicy(quorum: 1, requireContext: true, requireCampaignReview: true)

        // definitions: rejected, signed off and activated, superseded by override, retired
        let v1 = try w.propose("mql")
        try w.run(.definitionReject(id: "mql", version: v1, reason: "too broad"), as: "sam")
        let v2 = try w.propose("mql")
        try w.run(.definitionSignOff(id: "mql", version: v2, comment: "fits our ICP"), as: "sam")
        try w.run(.definitionSignOff(id: "mql", version: v2, comment: nil), as: "sofia")
        try w.run(.definitionActivate(id: "mql", version: v2, override: nil), as: "maria")
        try w.run(.definitionPropose(id: "mql", title: "Engaged SaaS", fit: [try Criterion.parse("industry in [saas, fintech]"), try Criterion.parse("region!=apac")],
                                     engagement: [try Criterion.parse("webinar.attended>=1 within 30d")],
                                     rationale: nil), as: "maria")
        try w.run(.definitionActivate(id: "mql", version: v2 + 1, override: "board asked"), as: "rita")
        try w.activeDefinition("sql")
        try w.run(.definitionRetire(id: "sql"), as: "maria")
        _ = try w.propose("draft")
        try w.run(.definitionRetire(id: "draft"), as: "maria")

        // campaigns: reviewed and launched with a brief; launched by override; closed
        try w.run(.campaignDraft(id: "q3", name: "Q3 webinar", audience: "RevOps leaders", offer: "free audit",
                                 channels: ["email", "linkedin"], launchDate: "2026-04-15"), as: "maria")
        try w.run(.campaignRequestReview(id: "q3"), as: "maria")
        try w.run(.campaignReview(id: "q3", approve: false, comment: "offer is weak"), as: "sam")
        try w.run(.campaignDraft(id: "q3", name: "Q3 webinar", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria")
        try w.run(.campaignRequestReview(id: "q3"), as: "maria")
        try w.run(.campaignReview(id: "q3", approve: true, comment: nil), as: "sofia")
        try w.run(.campaignBrief(id: "q3", summary: "Pricing webinar", talkingPoints: ["ask how they price", "offer the audit"],
                                 offer: "free audit"), as: "maria")
        try w.run(.campaignLaunch(id: "q3", override: nil), as: "maria")
        try w.run(.campaignDraft(id: "flash", name: "Flash sale", audience: nil, offer: nil, channels: ["ads"], launchDate: nil), as: "mark")
        try w.run(.campaignBrief(id: "flash", summary: "Flash", talkingPoints: [], offer: nil), as: "mark")
        try w.run(.campaignLaunch(id: "flash", override: "competitor launch"), as: "rita")
        try w.run(.campaignClose(id: "flash"), as: "mark")

        // leads: handed off in full, accepted, converted; rejected; recycled and handed off again by override
        var full = HandoffArgs(id: "L-1", definition: "mql")
        full.campaign = "q3"
        full.owner = "sam"
        full.profile = ["company": "Initech", "employees": "1200", "city": "Zürich", "industry": "SaaS", "region": "emea"]
        full.signals = [Signal(name: "webinar.attended", at: ruleT0, detail: "Pricing"),
                        Signal(name: "pricing.visited", at: ruleT0.addingTimeInterval(0.25))]
        full.score = 0.82
        full.note = "wants a pilot"
        try w.run(.leadHandoff(full), as: "maria")
        try w.run(.leadAccept(id: "L-1"), as: "sam")
        try w.run(.leadConvert(id: "L-1", opportunity: "OPP-7", amount: 48_000.5), as: "sam")
        // Off the definition: flagged while the policy says so.
        try w.run(.policySet(quorum: nil, slaHours: nil, requireContext: nil, requireCampaignReview: nil, offDefinition: .flag), as: "rita")
        try w.run(w.handoff("L-2", campaign: "q3"), as: "maria")
        try w.run(.leadReject(id: "L-2", reason: .insufficientContext, note: "no budget talk"), as: "sofia")
        try w.run(.leadRecycle(id: "L-2"), as: "sofia")
        try w.run(w.handoff("L-3"), as: "maria")
        try w.run(.leadReject(id: "L-3", reason: .notICP, note: nil), as: "sam")
        var bare = HandoffArgs(id: "L-4", definition: "mql")
        bare.override = "CEO referral"
        try w.run(.leadHandoff(bare), as: "rita")
        try w.run(.leadAccept(id: "L-4"), as: "sam")
        try w.run(.leadConvert(id: "L-4", opportunity: nil, amount: nil), as: "sam")
        try w.run(.policySet(quorum: nil, slaHours: nil, requireContext: nil, requireCampaignReview: nil, offDefinition: .refuse,
                             adHocContent: .refuse, addSignals: ["webinar.attended", "pricing.visited"]), as: "rita")

        // content: planned, requested, triaged every way, fulfilled
        try w.run(.contentPlan(asset: "guide", title: "Pricing guide", stage: .consideration, persona: "RevOps lead"), as: "maria")
        try w.run(.contentPlan(asset: "faq", title: "FAQ", stage: .awareness, persona: nil), as: "maria")
        try w.run(.contentRequest(id: "R-1", what: "Security answers", stage: .decision, lead: "L-1", why: "procurement asks"), as: "sam")
        try w.run(.contentRequest(id: "R-2", what: "One-pager", stage: .consideration, lead: nil, why: nil), as: "sam")
        try w.run(.contentRequest(id: "R-3", what: "Case study", stage: .expansion, lead: nil, why: nil), as: "sofia")
        try w.run(.contentRequest(id: "R-4", what: "Deck", stage: .decision, lead: nil, why: nil), as: "sofia")
        try w.run(.contentTriage(id: "R-1", outcome: .addedToPlan, asset: "security-faq", reason: "asked by several deals"), as: "maria")
        try w.run(.contentTriage(id: "R-2", outcome: .mapped, asset: "guide", reason: nil), as: "maria")
        try w.run(.contentTriage(id: "R-3", outcome: .declined, asset: nil, reason: "covered"), as: "maria")
        try w.run(.contentTriage(id: "R-4", outcome: .adHoc, asset: nil, reason: "deal closes this week", override: "deal closes this week"), as: "rita")
        try w.run(.contentFulfil(id: "R-1", asset: "security-faq"), as: "maria")
        try w.run(.contentFulfil(id: "R-4", asset: nil), as: "maria")
        // Keys: registered, rotated (the old one revoked), then signatures required, signed by the new key.
        try w.run(.importRecords(source: "crm-export.csv", reason: "weekly CRM sync", commands: 3), as: "rita")
        try w.run(.actorKeyAdd(actor: "rita", key: ritaKeys[0]), as: "rita")
        try w.run(.actorKeyRotate(actor: "rita", key: ritaKeys[1]), as: "rita")
        try w.run(.policyRequireSignatures, as: "rita", keyID: ritaKeys[1].key.id)
        return w.recorded.map(\.event)
    }

    @Test func scriptedLedgerEventsDecodeTheSameBothWays() throws {
        let events = try Self.scriptedEvents()
        #expect(Set(events.map(\.type)) == Set(DomainEvent.types.map(\.name)), "the script misses event types")
        for e in events {
            #expect(Self.agree(e.type, e.payload()) == .event(e))
        }
    }

    @Test func randomlyDecidedEventsDecodeTheSameBothWays() throws {
        var rng = StepRandom(7)
        var types: Set<String> = []
        for _ in 0..<60 {
            let seeds = (0..<60).map { _ in Int(rng.next() % UInt64(Int32.max)) }
            for r in try runSteps(seeds).world.recorded {
                types.insert(r.event.type)
                #expect(Self.agree(r.event.type, r.event.payload()) == .event(r.event))
            }
        }
        #expect(types.count >= 20, "the generator reached only \(types.sorted())")
    }

    // MARK: broken payloads

    /// Values that break (or, by chance, fit) a member of any type.
    static let replacements: [JSONValue] = [
        .null, .string("x"), .string(""), .string("2026-02-27T15:00:00Z"), .string("2026-02-27"), .string("2026-02-30T15:00:00Z"),
        .string("sales"), .string("decision"), .string("added-to-plan"), .string("not-icp"),
        .number(0), .number(-0.0), .number(1), .number(1.5), .number(-3), .number(1e300), .number(9.3e18), .number(-9.3e18),
        .number(9_007_199_254_740_992), .bool(true), .bool(false), .array([]), .array([.string("x")]), .array([.null]),
        .object([:]), .object(["reason": .string("r"), "rule": .string("q")]), .object(["k": .number(1)]),
    ]

    /// Every variant of `value` with one node changed: a member removed, set to null or to another value, an unknown
    /// member added, an array element removed or replaced.
    static func variants(of value: JSONValue, label: String = "") -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        switch value {
        case .object(let o):
            var extra = o
            extra["zzUnknown"] = .number(1)
            out.append(("\(label).zzUnknown added", .object(extra)))
            for (k, v) in o.sorted(by: { $0.key < $1.key }) {
                var removed = o
                removed[k] = nil
                out.append(("\(label).\(k) removed", .object(removed)))
                for r in replacements {
                    var changed = o
                    changed[k] = r
                    out.append(("\(label).\(k) = \(r)", .object(changed)))
                }
                for (l, inner) in variants(of: v, label: "\(label).\(k)") {
                    var changed = o
                    changed[k] = inner
                    out.append((l, .object(changed)))
                }
            }
        case .array(let a):
            for i in a.indices {
                var removed = a
                removed.remove(at: i)
                out.append(("\(label)[\(i)] removed", .array(removed)))
                for r in replacements {
                    var changed = a
                    changed[i] = r
                    out.append(("\(label)[\(i)] = \(r)", .array(changed)))
                }
                for (l, inner) in variants(of: a[i], label: "\(label)[\(i)]") {
                    var changed = a
                    changed[i] = inner
                    out.append((l, .array(changed)))
                }
            }
        default:
            break
        }
        return out
    }

    @Test func brokenPayloadsAreRefusedOrAcceptedTheSameBothWays() throws {
        var refused = 0, accepted = 0
        for e in Self.goldens + (try Self.scriptedEvents()) {
            let value = try JSONValue.parse(e.payload())
            for (label, variant) in Self.variants(of: value) {
                switch Self.agree(e.type, variant, label) {
                case .refused: refused += 1
                case .event: accepted += 1
                }
            }
        }
        // Both kinds occur plenty (unknown keys, nulls for optionals and fitting values are accepted).
        #expect(refused > 1000 && accepted > 1000, "refused \(refused), accepted \(accepted)")
    }

    @Test func notAnObjectOrNotJSONIsRefusedBothWays() {
        for type in DomainEvent.types.map(\.name) {
            for text in ["", "{", "[]", "null", "1", "\"x\"", "{}", #"{"lead":"L"} x"#, #"{"lead":"L","lead":"M"}"#, "[{}]"] {
                #expect(Self.agree(type, Array(text.utf8)) == .refused, "\(type): \(text)")
            }
        }
    }

    // MARK: named cases

    static func payload(_ type: String, _ json: String) -> Outcome { agree(type, Array(json.utf8)) }

    @Test func missingRequiredKeysAreRefused() {
        #expect(Self.payload("LeadAccepted", "{}") == .refused)
        #expect(Self.payload("LeadHandedOff", #"{"lead":"L","definition":"mql","definitionVersion":1,"profile":{}}"#) == .refused, "no signals")
        #expect(Self.payload("LeadHandedOff", #"{"lead":"L","definition":"mql","definitionVersion":1,"signals":[]}"#) == .refused, "no profile")
        #expect(Self.payload("LeadHandedOff", #"{"lead":"L","definition":"mql","definitionVersion":1,"profile":{},"signals":[{"name":"x"}]}"#) == .refused, "a signal without at")
        // Policy's properties have defaults, but the synthesized Decodable still requires every key.
        #expect(Self.payload("PolicyChanged", #"{"policy":{"quorum":1,"slaHours":24,"requireContext":true}}"#) == .refused)
        #expect(Self.payload("PolicyChanged", #"{"policy":{}}"#) == .refused)
        #expect(Self.payload("CampaignLaunched", #"{"campaign":"c","revision":1,"reviewed":false,"override":{"reason":"r"}}"#) == .refused)
    }

    @Test func requiredKeysMayNotBeNull() {
        #expect(Self.payload("LeadAccepted", #"{"lead":null}"#) == .refused)
        #expect(Self.payload("CampaignReviewed", #"{"campaign":"c","revision":1,"approved":null}"#) == .refused)
        #expect(Self.payload("ActorRegistered", #"{"actor":"a","name":"A","roles":null}"#) == .refused)
    }

    @Test func wrongTypesAreRefused() {
        #expect(Self.payload("LeadDefinitionSignedOff", #"{"definition":"mql","version":"2"}"#) == .refused, "a string for an int")
        #expect(Self.payload("LeadDefinitionSignedOff", #"{"definition":"mql","version":1.5}"#) == .refused, "1.5 for an int")
        #expect(Self.payload("LeadDefinitionSignedOff", #"{"definition":"mql","version":1e19}"#) == .refused, "an int out of range")
        #expect(Self.payload("LeadDefinitionSignedOff", #"{"definition":"mql","version":true}"#) == .refused, "a bool for an int")
        #expect(Self.payload("LeadAccepted", #"{"lead":1}"#) == .refused, "a number for a string")
        #expect(Self.payload("LeadConverted", #"{"lead":"L","amount":"12"}"#) == .refused, "a string for a double")
        #expect(Self.payload("CampaignReviewed", #"{"campaign":"c","revision":1,"approved":1}"#) == .refused, "a number for a bool")
        #expect(Self.payload("CampaignDrafted", #"{"campaign":"c","revision":1,"name":"n","channels":"email"}"#) == .refused, "a string for an array")
        #expect(Self.payload("CampaignDrafted", #"{"campaign":"c","revision":1,"name":"n","channels":[1]}"#) == .refused, "a number in a string array")
        #expect(Self.payload("LeadHandedOff", #"{"lead":"L","definition":"mql","definitionVersion":1,"profile":{"a":1},"signals":[]}"#) == .refused, "a number in the profile")
        #expect(Self.payload("LeadDefinitionRetired", #"{"definition":"mql","version":"3"}"#) == .refused, "a wrong type for an optional")
    }

    @Test func badDatesAndUnknownEnumValuesAreRefused() {
        let handoff = #"{"lead":"L","definition":"mql","definitionVersion":1,"profile":{},"signals":[{"name":"x","at":"AT"}]}"#
        // A day past the month's end is refused (ISOTime rolled it over before issue 10).
        for at in ["2026-02-28 08:30", "yesterday", "2026-02-28T25:30:00Z", "", "2026-02-30T08:30:00Z"] {
            #expect(Self.payload("LeadHandedOff", handoff.replacingOccurrences(of: "AT", with: at)) == .refused, "\(at)")
        }
        #expect(Self.payload("LeadHandedOff", handoff.replacingOccurrences(of: #""AT""#, with: "1772355600")) == .refused, "a number for a date")
        // What ISOTime accepts, both paths accept.
        for at in ["2026-02-28T08:30:00Z", "2026-02-28T08:30:00.123456+01:00", "2026-02-28", "2024-02-29T08:30:00Z"] {
            #expect(Self.payload("LeadHandedOff", handoff.replacingOccurrences(of: "AT", with: at)) != .refused, "\(at)")
        }
        #expect(Self.payload("LeadRejected", #"{"lead":"L","reason":"notICP"}"#) == .refused)
        #expect(Self.payload("ActorRegistered", #"{"actor":"a","name":"A","roles":["sales","boss"]}"#) == .refused)
        #expect(Self.payload("ContentPlanned", #"{"asset":"a","title":"t","stage":"Decision"}"#) == .refused)
        #expect(Self.payload("ContentRequestTriaged", #"{"request":"r","outcome":"adHoc"}"#) == .refused)
    }

    @Test func optionalKeysMissingOrNullAreNil() {
        let missing = Self.payload("LeadHandedOff", #"{"lead":"L","definition":"mql","definitionVersion":1,"profile":{},"signals":[{"name":"x","at":"2026-02-28T08:30:00Z"}]}"#)
        let null = Self.payload("LeadHandedOff", #"{"lead":"L","definition":"mql","definitionVersion":1,"profile":{},"signals":[{"name":"x","at":"2026-02-28T08:30:00Z","detail":null}],"campaign":null,"brief":null,"owner":null,"score":null,"note":null,"override":null}"#)
        let expected = LeadHandedOff(lead: "L", definition: "mql", definitionVersion: 1, campaign: nil, brief: nil, owner: nil, profile: [:],
                                     signals: [Signal(name: "x", at: ruleT0.addingTimeInterval(-88_200))], score: nil, note: nil, override: nil)
        #expect(missing == .event(.leadHandedOff(expected)))
        #expect(null == .event(.leadHandedOff(expected)))
        #expect(Self.payload("LeadDefinitionRetired", #"{"definition":"mql","version":null}"#) == .event(.definitionRetired(LeadDefinitionRetired(definition: "mql", version: nil))))
        #expect(Self.payload("LeadConverted", #"{"lead":"L","opportunity":null}"#) == .event(.leadConverted(LeadConverted(lead: "L", opportunity: nil, amount: nil))))
        // Whole numbers read as Doubles and integral Doubles as Ints.
        #expect(Self.payload("LeadConverted", #"{"lead":"L","amount":12}"#) == .event(.leadConverted(LeadConverted(lead: "L", opportunity: nil, amount: 12))))
        #expect(Self.payload("LeadDefinitionRetired", #"{"definition":"mql","version":3.0}"#) == .event(.definitionRetired(LeadDefinitionRetired(definition: "mql", version: 3))))
    }

    @Test func unknownTypesAndSchemaVersionsAreRefusedAsBefore() {
        #expect(throws: DomainError.invalid("unknown event type Nope")) { try DomainEvent.decode(type: "Nope", schemaVersion: 1, payload: Array("{".utf8)) }
        #expect(throws: DomainError.invalid("event type LeadAccepted has schema version 2, which this build does not know")) {
            try DomainEvent.decode(type: "LeadAccepted", schemaVersion: 2, payload: Array(#"{"lead":"L"}"#.utf8))
        }
    }

    @Test func errorsNameTheOffendingKey() {
        func message(_ type: String, _ json: String) -> String {
            do {
                _ = try DomainEvent.decode(type: type, schemaVersion: 1, payload: Array(json.utf8))
                return "decoded"
            } catch {
                return "\(error)"
            }
        }
        #expect(message("LeadAccepted", "{}").contains("lead: required key is missing"))
        #expect(message("LeadHandedOff", #"{"lead":"L","definition":"mql","definitionVersion":1,"profile":{},"signals":[{"name":"x","at":"2026-02-28T08:30:00Z"},{"name":"y","at":"soon"}]}"#)
            .contains("signals[1].at"))
        #expect(message("LeadHandedOff", #"{"lead":"L","definition":"mql","definitionVersion":1,"profile":{"employees":1200},"signals":[]}"#)
            .contains("profile.employees"))
        #expect(message("LeadRejected", #"{"lead":"L","reason":"meh"}"#).contains("reason"))
        #expect(message("LeadAccepted", "{").contains("LeadAccepted"))
    }
}

// MARK: - malformed JSON

// The new path reads payloads lazily (JSONFields records where values are, without building a JSONValue): it must
// refuse every text JSONValue.parse refuses, with the same error, and find the same members.
extension EventDecodingTests {
    /// `text` with `bytes` in place of its first `@`.
    static func splice(_ text: String, _ bytes: [UInt8]) -> [UInt8] {
        let t = Array(text.utf8)
        let at = t.firstIndex(of: UInt8(ascii: "@"))!
        return Array(t[..<at]) + bytes + Array(t[(at + 1)...])
    }

    @Test func truncatedPayloadsAreRefusedBothWays() throws {
        for e in Self.goldens + (try Self.scriptedEvents()) {
            let payload = e.payload()
            for n in 0..<payload.count {
                #expect(Self.agree(e.type, Array(payload[..<n]), "cut at \(n)") == .refused)
            }
        }
    }

    @Test func duplicateKeysAreRefusedBothWaysAtAnyDepth() {
        let duplicated = [
            #"{"lead":"L","lead":"L"}"#, #"{"lead":"L","zz":1,"lead":"M"}"#, #"{"zz":1,"lead":"L","zz":2}"#,
            #"{"lead":"L","x":{"a":1,"a":1}}"#, #"{"lead":"L","x":[{"b":1,"a":1,"b":2}]}"#, #"{"lead":"L","x":[[{"a":{},"a":[]}]]}"#,
            // Spelt differently: escaped, or canonically equivalent Unicode (as Swift strings, they are equal).
            #"{"le\u0061d":"L","lead":"L"}"#, #"{"lead":"L","\u00e9":1,"e\u0301":2}"#, #"{"lead":"L","é":1,"\u00e9":2}"#,
            #"{"lead":"L","x":{"e\u0301":1,"é":2}}"#,
            // More keys than the pairwise check looks at, out of order.
            "{" + (0..<20).map { #""k\#(19 - $0)":\#($0)"# }.joined(separator: ",") + #","lead":"L","k7":0}"#,
            "{" + (0..<20).map { #""k\#($0)":\#($0)"# }.joined(separator: ",") + #","lead":"L","k7":0}"#,
        ]
        for text in duplicated {
            #expect(Self.payload("LeadAccepted", text) == .refused, "\(text)")
        }
        let handoff = #"{"lead":"L","definition":"mql","definitionVersion":1,"profile":@,"signals":[{"name":"x","at":"2026-02-28T08:30:00Z"}]}"#
        #expect(Self.agree("LeadHandedOff", Self.splice(handoff, Array(#"{"a":"1","b":"2"}"#.utf8))) != .refused)
        #expect(Self.agree("LeadHandedOff", Self.splice(handoff, Array(#"{"a":"1","b":"2","a":"1"}"#.utf8))) == .refused)
        #expect(Self.agree("LeadHandedOff", Self.splice(handoff, Array(#"{"b":"1","a":"2","b":"1"}"#.utf8))) == .refused)
        let signal = #"{"lead":"L","definition":"mql","definitionVersion":1,"profile":{},"signals":[{"name":"x","at":"2026-02-28T08:30:00Z"@}]}"#
        #expect(Self.agree("LeadHandedOff", Self.splice(signal, Array(#","name":"y""#.utf8))) == .refused)
        #expect(Self.agree("LeadHandedOff", Self.splice(signal, Array(#","detail":"y""#.utf8))) != .refused)
    }

    @Test func badStringsNumbersLiteralsAndStructureAreRefusedBothWays() {
        let bad = [
            // escapes and control characters
            #"{"lead":"L\x"}"#, #"{"lead":"L\u12"}"#, #"{"lead":"L\u12G4"}"#, #"{"lead":"\ud800"}"#, #"{"lead":"\udc00"}"#,
            #"{"lead":"\ud800\u0041"}"#, #"{"lead":"L","zz":"\q"}"#, #"{"lead":"L","z\z":1}"#, #"{"lead":"L\"#,
            "{\"lead\":\"L\tab\"}", "{\"lead\":\"L\",\"zz\":\"\u{01}\"}", "{\"lead\":\"L\",\"z\nz\":1}",
            // numbers
            #"{"lead":"L","zz":01}"#, #"{"lead":"L","zz":1.}"#, #"{"lead":"L","zz":-}"#, #"{"lead":"L","zz":1e400}"#,
            #"{"lead":"L","zz":.5}"#, #"{"lead":"L","zz":+1}"#, #"{"lead":"L","zz":1e}"#, #"{"lead":"L","zz":0x10}"#,
            #"{"lead":"L","zz":-1e999}"#, #"{"lead":"L","zz":NaN}"#,
            // literals
            #"{"lead":"L","zz":tru}"#, #"{"lead":"L","zz":nul}"#, #"{"lead":"L","zz":falsy}"#, #"{"lead":"L","zz":True}"#,
            // structure and trailing bytes
            #"{"lead":"L"} {}"#, #"{"lead":"L"}x"#, #"{"lead":"L"},"#, #"{"lead":"L"}}"#, #"{"lead":"L",}"#,
            #"{"lead":"L" "x":1}"#, #"{"lead" "L"}"#, #"{lead:"L"}"#, #"{"lead":"L","x":[1,]}"#, #"{"lead":"L","x":[1 2]}"#,
            #"{"lead":"L","x":[}"#, #"{"lead":"L","x":{]}"#, #"{"lead":"L","x":{"a"}}"#, #"{"lead":"L","x":{1:2}}"#,
            "{\"lead\":\"L\"}\0", "\u{FEFF}{\"lead\":\"L\"}",
        ]
        for text in bad {
            #expect(Self.payload("LeadAccepted", text) == .refused, "\(text)")
        }
        // Invalid UTF-8 in a value, a key or a member nobody asks for.
        let invalid: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
                                  [0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98]]
        for b in invalid {
            for text in [#"{"lead":"L@"}"#, #"{"le@ad":"L","lead":"L"}"#, #"{"lead":"L","zz":["@"]}"#, #"{"lead":"L","@":1}"#] {
                #expect(Self.agree("LeadAccepted", Self.splice(text, b), "\(b)") == .refused, "\(text) with \(b)")
            }
        }
        // What is valid there reads the same both ways.
        for b: [UInt8] in [[0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xEF, 0xBF, 0xBF]] {
            #expect(Self.agree("LeadAccepted", Self.splice(#"{"lead":"L@","zz":{"@":"@"}}"#, b)) != .refused)
        }
    }

    @Test func nestingIsLimitedAsBefore() {
        // The payload object is at depth 0, so a member can hold 255 more levels.
        for (levels, outcome) in [(255, false), (256, true)] {
            let text = #"{"lead":"L","zz":"# + String(repeating: "[", count: levels) + String(repeating: "]", count: levels) + "}"
            #expect((Self.payload("LeadAccepted", text) == .refused) == outcome, "\(levels)")
            let objects = #"{"lead":"L","zz":"# + String(repeating: #"{"a":"#, count: levels) + "1" + String(repeating: "}", count: levels + 1)
            #expect((Self.payload("LeadAccepted", objects) == .refused) == outcome, "\(levels)")
        }
        let deep = #"{"lead":"L","zz":"# + String(repeating: "[", count: 100_000)
        #expect(Self.payload("LeadAccepted", deep) == .refused)
    }

    @Test func membersAreFoundWhateverTheirOrderSpellingAndSpacing() {
        let lead = Outcome.event(.leadAccepted(LeadAccepted(lead: "L")))
        #expect(Self.payload("LeadAccepted", #"{"zz":1,"le\u0061d":"L"}"#) == lead)
        #expect(Self.payload("LeadAccepted", #"{"\u006c\u0065\u0061\u0064":"\u004c"}"#) == lead)
        #expect(Self.payload("LeadAccepted", " \n\t{ \"lead\" :\r\"L\" , \"a\" : [ 1 , { } , [ ] ] }\n ") == lead)
        #expect(Self.payload("LeadAccepted", #"{"leads":"M","lea":"N","Lead":"O","lead":"L","lead ":"P"}"#) == lead)
        #expect(Self.payload("LeadAccepted", #"{"lead":"\u00e9\ud83d\ude00\n\"\\\/\b\f\r\t"}"#) == .event(.leadAccepted(LeadAccepted(lead: "é😀\n\"\\/\u{8}\u{c}\r\t"))))
        // Keys in reverse order, with escapes and unknown members everywhere.
        let reversed = #"{"zz":{"lead":1},"signals":[{"zz":[],"name":"x","detail":"\u0064","at":"2026-02-28T08:30:00Z"}],"profile":{"c\u00e9":"v","a":"b"},"\u006eote":"n","lead":"L","definitionVersion":2.0,"definition":"mql"}"#
        #expect(Self.payload("LeadHandedOff", reversed) == .event(.leadHandedOff(LeadHandedOff(
            lead: "L", definition: "mql", definitionVersion: 2, campaign: nil, brief: nil, owner: nil, profile: ["cé": "v", "a": "b"],
            signals: [Signal(name: "x", at: ruleT0.addingTimeInterval(-88_200), detail: "d")], score: nil, note: "n", override: nil))))
        // A date spelt with escapes.
        #expect(Self.payload("LeadHandedOff", #"{"lead":"L","definition":"mql","definitionVersion":1,"profile":{},"signals":[{"name":"x","at":"2026-02-28T08:30:00\u005a"}]}"#) != .refused)
    }

    @Test func numbersReadAsTheyDidThroughDoubles() {
        // Integers are whole Doubles in Int's range; what the Double of a long literal rounds to is what is read.
        for (text, version) in [("1e2", 100), ("2.0", 2), ("-0", 0), ("-0.0", 0), ("1E+1", 10), ("100e-2", 1), ("0.5e1", 5),
                                ("9007199254740993", 9_007_199_254_740_992), ("-9223372036854775808", Int.min),
                                ("123456789012345678", 123_456_789_012_345_680), ("1e-400", 0), ("0.1e1", 1)] {
            #expect(Self.payload("LeadDefinitionRetired", #"{"definition":"d","version":\#(text)}"#)
                == .event(.definitionRetired(LeadDefinitionRetired(definition: "d", version: version))), "\(text)")
        }
        for text in ["1.5", "9223372036854775807", "1e19", "-9.3e18", "0.1", "1e-5"] {
            #expect(Self.payload("LeadDefinitionRetired", #"{"definition":"d","version":\#(text)}"#) == .refused, "\(text)")
        }
        for text in ["0.82", "-1.5e3", "1e300", "4.9e-324", "1e-400", "12", "-0"] {
            #expect(Self.payload("LeadConverted", #"{"lead":"L","amount":\#(text)}"#) != .refused, "\(text)")
        }
    }

    /// Random byte-level damage to real payloads: replaced, inserted and removed bytes.
    static func damagedPayloads() throws -> [(String, [UInt8])] {
        var rng = StepRandom(11)
        let alphabet = Array(#"{}[]:,"\/ntfrbu0123456789-+.eE aéLl"#.utf8) + [0x00, 0x1F, 0x80, 0xBF, 0xC3, 0xED, 0xF0, 0xFF]
        var out: [(String, [UInt8])] = []
        for e in Self.goldens + (try Self.scriptedEvents()) {
            let payload = e.payload()
            for _ in 0..<80 {
                var bytes = payload
                for _ in 0...rng.int(3) where !bytes.isEmpty {
                    let i = rng.int(bytes.count)
                    switch rng.int(4) {
                    case 0: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: bytes[i] = rng.pick(alphabet)
                    case 2: bytes.insert(rng.pick(alphabet), at: i)
                    default: bytes.remove(at: i)
                    }
                }
                out.append((e.type, bytes))
            }
        }
        return out
    }

    @Test func damagedPayloadsAreRefusedOrAcceptedTheSameBothWays() throws {
        var refused = 0, accepted = 0
        for (type, bytes) in try Self.damagedPayloads() {
            switch Self.agree(type, bytes) {
            case .refused: refused += 1
            case .event: accepted += 1
            }
        }
        #expect(refused > 1000 && accepted > 200, "refused \(refused), accepted \(accepted)")
    }

    /// The lazy scan against `JSONValue.parse` on any bytes: the same texts refused with the same error, and for
    /// the objects accepted, every member found and read back as the same value.
    @Test func theLazyScanRefusesWhatTheParserRefusesWithTheSameError() throws {
        var rng = StepRandom(23)
        var samples = try Self.damagedPayloads().map(\.1)
        let alphabet = Array(#"{}[]:,"\/ntfrbu0123456789-+.eE aé"#.utf8) + [0x00, 0x1F, 0x80, 0xBF, 0xC3, 0xED, 0xF0, 0xFF]
        for _ in 0..<5_000 {
            samples.append([UInt8(ascii: "{")] + (0..<rng.int(30)).map { _ in rng.pick(alphabet) })
        }
        samples += [#"{"a":{"b":[1,{"c":null}]},"d":"\u00e9","e\u0301":true}"#, #"{"x":1} "#, "[]", "1", "", " ", "{"].map { Array($0.utf8) }
        var objects = 0
        for bytes in samples {
            let fields = Result { () throws(JSONFieldError) -> JSONFields in try JSONFields.parse(bytes) }
            switch Result(catching: { () throws(JSONParseError) -> JSONValue in try JSONValue.parse(bytes) }) {
            case .failure(let e):
                guard case .failure(let f) = fields else {
                    Issue.record("accepted what JSONValue.parse refuses (\(e)): \(bytes)")
                    continue
                }
                #expect(f.reason == e.description && f.path.isEmpty, "\(bytes)")
            case .success(.object(let o)):
                objects += 1
                guard case .success(let f) = fields else {
                    Issue.record("refused an object: \(bytes)")
                    continue
                }
                for (k, v) in o {
                    #expect(try f.value(k) == v, "\(k) in \(bytes)")
                }
                #expect(f.valueIfPresent("no such key") == nil)
            case .success(let v):
                guard case .failure(let f) = fields else {
                    Issue.record("accepted a non-object \(v)")
                    continue
                }
                #expect(f.reason.hasPrefix("expected an object, found "), "\(f)")
            }
        }
        #expect(objects > 500, "\(objects)")
    }

    /// Lookups compare keys as Swift strings do, as the `[String: JSONValue]` of the Codable path did: canonically
    /// equivalent spellings find each other.
    @Test func keysCompareAsSwiftStrings() throws {
        struct Keys: Decodable, Equatable, JSONFieldsDecodable {
            var K: Int
            var é: Int
            init(json j: JSONFields) throws(JSONFieldError) {
                K = try j.int("K")
                é = try j.int("é")
            }
        }
        for text in [#"{"K":1,"é":2}"#, #"{"\u212A":1,"e\u0301":2}"#, "{\"\u{212A}\":1,\"e\u{301}\":2}", #"{"\u004b":1,"\u00e9":2}"#] {
            let bytes = Array(text.utf8)
            let old = try JSONValueDecoder().decode(Keys.self, fromJSON: bytes)
            #expect(try Keys(json: JSONFields.parse(bytes)) == old, "\(text)")
        }
        let f = try JSONFields.parse(Array(#"{"\u212A":1,"e\u0301":2}"#.utf8))
        #expect(try f.int("\u{212A}") == 1 && f.int("e\u{301}") == 2 && f.int("\u{E9}") == 2)
        #expect(throws: JSONFieldError.self) { try f.int("k") }
    }
}

extension EventDecodingTests {
    /// Numbers read through the parser's exact fast path are the Doubles `Double(String)` (strtod) gives, bit for
    /// bit; and whatever overflows is refused, whether or not anything asks for it.
    @Test func numbersReadAsStrtodDoes() throws {
        var rng = StepRandom(5)
        for _ in 0..<20_000 {
            var text = rng.chance(2) ? "-" : ""
            let digits = 1 + rng.int(18)
            let point = rng.int(digits + 1)
            for d in 0..<digits {
                if d == point && d > 0 { text += "." }
                text += String(d == 0 && digits > 1 && point != 1 ? 1 + rng.int(9) : rng.int(10))
            }
            if text.hasPrefix("0") || text.hasPrefix("-0"), point != 1, digits > 1 { continue }
            if rng.chance(2) { text += (rng.chance(2) ? "e" : "E") + (rng.chance(3) ? "-" : rng.chance(2) ? "+" : "") + String(rng.int(40)) }
            let expected = try #require(Double(text), "\(text)")
            guard case .number(let d) = try JSONValue.parse(Array(text.utf8)) else {
                Issue.record("\(text) is not a number")
                continue
            }
            #expect(d.bitPattern == expected.bitPattern, "\(text): \(d) but strtod \(expected)")
            let payload = Array(#"{"lead":"L","amount":\#(text)}"#.utf8)
            #expect(Self.agree("LeadConverted", payload) != .refused, "\(text)")
        }
        for text in ["1e309", "-1e309", "1.8e308", "17976931348623159" + String(repeating: "0", count: 292) + ".0",
                     "0.1e310", "10e308", "1e1000000000000"] {
            #expect(Self.payload("LeadAccepted", #"{"lead":"L","zz":\#(text)}"#) == .refused, "\(text)")
        }
        for text in ["1.7976931348623157e308", "17976931348623158" + String(repeating: "0", count: 292), "1e308", "0.1e309", "0.0e99999", "0e400", "1e-400", "1e-1000000000000", "100e306"] {
            #expect(Self.payload("LeadAccepted", #"{"lead":"L","zz":\#(text)}"#) != .refused, "\(text)")
        }
    }
}

extension EventDecodingTests {
    @Test func everyEventTypeHasADecoder() {
        #expect(Set(DomainEvent.decoders.keys) == Set(DomainEvent.types.map(\.name)))
    }
}
