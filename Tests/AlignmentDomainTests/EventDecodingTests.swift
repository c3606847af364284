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
    static let goldens: [DomainEvent] = SchemaTests.goldens.map(\.event) + JSONCoreTests.goldens.map(\.event)

    // MARK: goldens

    @Test func goldensDecodeTheSameBothWays() {
        for e in Self.goldens {
            let payload = e.payload()
            #expect(Self.agree(e.type, payload) == .event(e), "\(e.type) does not round-trip")
        }
        #expect(Set(Self.goldens.map(\.type)) == Set(DomainEvent.types.map(\.name)))
    }

    @Test func foundationWrittenGoldensDecodeTheSameBothWays() throws {
        for g in JSONCoreTests.goldens {
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
        try w.run(.definitionPropose(id: "mql", title: "Engaged SaaS", fit: [try Criterion.parse("industry in [saas, fintech]")],
                                     engagement: [try Criterion.parse("webinar.attended>=1"), try Criterion.parse("region!=apac")],
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
        full.profile = ["company": "Initech", "employees": "1200", "city": "Zürich"]
        full.signals = [Signal(name: "webinar.attended", at: ruleT0, detail: "Pricing"),
                        Signal(name: "pricing.visited", at: ruleT0.addingTimeInterval(0.25))]
        full.score = 0.82
        full.note = "wants a pilot"
        try w.run(.leadHandoff(full), as: "maria")
        try w.run(.leadAccept(id: "L-1"), as: "sam")
        try w.run(.leadConvert(id: "L-1", opportunity: "OPP-7", amount: 48_000.5), as: "sam")
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

        // content: planned, requested, triaged every way, fulfilled
        try w.run(.contentPlan(asset: "guide", title: "Pricing guide", stage: .consideration, persona: "RevOps lead"), as: "maria")
        try w.run(.contentPlan(asset: "faq", title: "FAQ", stage: .awareness, persona: nil), as: "maria")
        try w.run(.contentRequest(id: "R-1", what: "Security answers", stage: .decision, lead: "L-1", why: "procurement asks"), as: "sam")
        try w.run(.contentRequest(id: "R-2", what: "One-pager", stage: .onboarding, lead: nil, why: nil), as: "sam")
        try w.run(.contentRequest(id: "R-3", what: "Case study", stage: .expansion, lead: nil, why: nil), as: "sofia")
        try w.run(.contentRequest(id: "R-4", what: "Deck", stage: .decision, lead: nil, why: nil), as: "sofia")
        try w.run(.contentTriage(id: "R-1", outcome: .addedToPlan, asset: "security-faq", reason: "asked by several deals"), as: "maria")
        try w.run(.contentTriage(id: "R-2", outcome: .mapped, asset: "guide", reason: nil), as: "maria")
        try w.run(.contentTriage(id: "R-3", outcome: .declined, asset: nil, reason: "covered"), as: "maria")
        try w.run(.contentTriage(id: "R-4", outcome: .adHoc, asset: nil, reason: "deal closes this week"), as: "maria")
        try w.run(.contentFulfil(id: "R-1", asset: "security-faq"), as: "maria")
        try w.run(.contentFulfil(id: "R-4", asset: nil), as: "maria")
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
        for at in ["2026-02-28 08:30", "yesterday", "2026-02-28T25:30:00Z", ""] {
            #expect(Self.payload("LeadHandedOff", handoff.replacingOccurrences(of: "AT", with: at)) == .refused, "\(at)")
        }
        #expect(Self.payload("LeadHandedOff", handoff.replacingOccurrences(of: #""AT""#, with: "1772355600")) == .refused, "a number for a date")
        // What ISOTime accepts, both paths accept (including a day past the month's end, which it rolls over).
        for at in ["2026-02-28T08:30:00Z", "2026-02-28T08:30:00.123456+01:00", "2026-02-28", "2026-02-30T08:30:00Z"] {
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
