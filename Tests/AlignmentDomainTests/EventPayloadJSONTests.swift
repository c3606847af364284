import AlignmentProjections
import EventLog
import Foundation
import JSONCore
import Testing
@testable import AlignmentDomain
@testable import AlignmentLedger
import SplitMix

/// Event payloads and kept read-model states through JSONCore (which must stay what Foundation's JSONEncoder
/// wrote, as JSON values). JSONCore itself is tested in the JSONCoreTests target.
@Suite struct EventPayloadJSONTests {
    static func t(_ s: String) -> Date { DomainTime.parse(s)! }

    static func text(_ v: JSONValue) -> String { String(decoding: v.serialize(), as: UTF8.self) }

    static func foundationEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }

    /// The domain writes times as JSONDates does (moved from JSONCoreTests.datesFormatAsISOTime).
    @Test func domainTimeFormatsAsJSONDates() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<5_000 {
            var us = Int64.random(in: -62_135_596_800_000_000...253_402_300_799_999_999, using: &rng)
            if Bool.random(using: &rng) { us -= us % 1_000_000 }
            let d = Date(timeIntervalSince1970: Double(us) / 1_000_000)
            #expect(JSONDates.format(d) == DomainTime.format(d))
        }
    }

    // MARK: event payloads

    struct Golden: Sendable, CustomTestStringConvertible {
        var label: String
        var event: DomainEvent
        /// The payload as Foundation's JSONEncoder (sorted keys, ISO 8601 dates) wrote it before JSONCore.
        var foundation: @Sendable () throws -> Data
        var testDescription: String { label }
    }

    static func golden<T: Encodable & Sendable>(_ label: String, _ event: DomainEvent, _ payload: T) -> Golden {
        Golden(label: label, event: event, foundation: { try foundationEncoder().encode(payload) })
    }

    static let goldens: [Golden] = {
        let brief = AttachedBrief(version: 2, summary: "Pricing webinar with a free \"audit\" offer",
                                  talkingPoints: ["ask how they price today", "offer the audit / pilot"], offer: "free pricing audit")
        let signals = [
            Signal(name: "webinar.attended", at: t("2026-02-27T15:00:00Z"), detail: "Pricing webinar"),
            Signal(name: "pricing.visited", at: t("2026-02-28T08:30:00+01:00")),
        ]
        let fit = [try! Criterion.parse("employees>=200"), try! Criterion.parse("industry in [saas, fintech]")]
        var policy = Policy()
        policy.quorum = 2
        policy.requireContext = false
        let handoff = LeadHandedOff(
            lead: "L-10042", definition: "mql", definitionVersion: 2, campaign: "q2-webinar", brief: brief, owner: "sam",
            profile: ["company": "Initech GmbH", "employees": "1200", "industry": "saas", "city": "Zürich", "Notes": "tab\there"],
            signals: signals, score: 0.82, note: "Wants a pilot before Q4\nsecond line", override: nil)
        let bare = LeadHandedOff(lead: "L-10043", definition: "mql", definitionVersion: 3, campaign: nil, brief: nil, owner: nil,
                                 profile: [:], signals: [], score: 12, note: nil, override: Override(reason: "CEO referral", rule: "require-context"))
        let activated = LeadDefinitionActivated(definition: "mql", version: 3, signOffs: 1, quorum: 2, supersedes: 2,
                                                override: Override(reason: "board asked for pipeline by month end", rule: "sign-off-quorum"))
        let first = LeadDefinitionActivated(definition: "mql", version: 2, signOffs: 2, quorum: 2, supersedes: nil, override: nil)
        let proposed = LeadDefinitionProposed(definition: "mql", version: 2, title: "Engaged mid-market SaaS", fit: fit,
                                              engagement: [try! Criterion.parse("webinar.attended>=1")], rationale: "Q1 win analysis")
        let drafted = CampaignDrafted(campaign: "q2-webinar", revision: 1, name: "Q2 pricing webinar", audience: "RevOps leaders",
                                      offer: nil, channels: ["email", "linkedin"], launchDate: "2026-04-15")
        return [
            golden("LedgerInitialized", .ledgerInitialized(LedgerInitialized(admin: "rita", name: "Rita Revops")), LedgerInitialized(admin: "rita", name: "Rita Revops")),
            golden("ActorRegistered", .actorRegistered(ActorRegistered(actor: "sam", name: "Sam", roles: [.sales, .revops])), ActorRegistered(actor: "sam", name: "Sam", roles: [.sales, .revops])),
            golden("PolicyChanged", .policyChanged(PolicyChanged(policy: policy)), PolicyChanged(policy: policy)),
            golden("LeadDefinitionProposed", .definitionProposed(proposed), proposed),
            golden("LeadDefinitionActivated", .definitionActivated(first), first),
            golden("LeadDefinitionActivated with override", .definitionActivated(activated), activated),
            golden("LeadDefinitionRetired", .definitionRetired(LeadDefinitionRetired(definition: "mql", version: nil)), LeadDefinitionRetired(definition: "mql", version: nil)),
            golden("CampaignDrafted", .campaignDrafted(drafted), drafted),
            golden("CampaignReviewed", .campaignReviewed(CampaignReviewed(campaign: "q2-webinar", revision: 1, approved: false, comment: "offer is weak")),
                   CampaignReviewed(campaign: "q2-webinar", revision: 1, approved: false, comment: "offer is weak")),
            golden("LeadHandedOff with signals, profile and brief", .leadHandedOff(handoff), handoff),
            golden("LeadHandedOff bare with override", .leadHandedOff(bare), bare),
            golden("LeadAccepted", .leadAccepted(LeadAccepted(lead: "L-10042")), LeadAccepted(lead: "L-10042")),
            golden("LeadRejected", .leadRejected(LeadRejected(lead: "L-1", reason: .insufficientContext, note: nil)), LeadRejected(lead: "L-1", reason: .insufficientContext, note: nil)),
            golden("LeadConverted", .leadConverted(LeadConverted(lead: "L-1", opportunity: "OPP-7", amount: 48_000.5)), LeadConverted(lead: "L-1", opportunity: "OPP-7", amount: 48_000.5)),
            golden("LeadConverted whole amount", .leadConverted(LeadConverted(lead: "L-1", opportunity: nil, amount: 21872)), LeadConverted(lead: "L-1", opportunity: nil, amount: 21872)),
            golden("ContentRequestTriaged", .contentRequestTriaged(ContentRequestTriaged(request: "REQ-7", outcome: .addedToPlan, asset: "faq", reason: nil)),
                   ContentRequestTriaged(request: "REQ-7", outcome: .addedToPlan, asset: "faq", reason: nil)),
            golden("ContentPlanned", .contentPlanned(ContentPlanned(asset: "guide", title: "Guide", stage: .decision, persona: nil, fromRequest: "REQ-7")),
                   ContentPlanned(asset: "guide", title: "Guide", stage: .decision, persona: nil, fromRequest: "REQ-7")),
        ]
    }()

    @Test(arguments: goldens)
    func payloadIsFoundationsValueInCanonicalForm(_ g: Golden) throws {
        let payload = g.event.payload()
        let foundation = try g.foundation()
        // The same JSON value as JSONEncoder(.sortedKeys, .iso8601) wrote...
        #expect(try JSONValue.parse(payload) == JSONValue.parse(Array(foundation)),
                "\(g.label): \(String(decoding: payload, as: UTF8.self)) vs \(String(decoding: foundation, as: UTF8.self))")
        // ...already in canonical form, so the log stores exactly these bytes.
        #expect(try JSONValue.parse(payload).serialize() == payload)
        // It decodes back to the same event, and so do the bytes Foundation wrote (events already in logs).
        #expect(try DomainEvent.decode(type: g.event.type, schemaVersion: 1, payload: payload) == g.event)
        #expect(try DomainEvent.decode(type: g.event.type, schemaVersion: 1, payload: Array(foundation)) == g.event)
    }

    @Test func handoffPayloadBytes() {
        let e = Self.goldens.first { $0.label == "LeadHandedOff bare with override" }!.event
        #expect(String(decoding: e.payload(), as: UTF8.self)
            == #"{"definition":"mql","definitionVersion":3,"lead":"L-10043","override":{"reason":"CEO referral","rule":"require-context"},"profile":{},"score":12,"signals":[]}"#)
        let full = Self.goldens.first { $0.label == "LeadHandedOff with signals, profile and brief" }!.event
        let text = String(decoding: full.payload(), as: UTF8.self)
        #expect(text.contains(#""signals":[{"at":"2026-02-27T15:00:00Z","detail":"Pricing webinar","name":"webinar.attended"},{"at":"2026-02-28T07:30:00Z","name":"pricing.visited"}]"#))
        #expect(text.contains(#""profile":{"Notes":"tab\there","city":"Zürich","company":"Initech GmbH","employees":"1200","industry":"saas"}"#))
        #expect(text.contains(#""offer the audit / pilot""#))
    }

    @Test func decodeRefusesBadPayloads() {
        #expect(throws: (any Error).self) { try DomainEvent.decode(type: "LeadAccepted", schemaVersion: 1, payload: Array("{".utf8)) }
        #expect(throws: (any Error).self) { try DomainEvent.decode(type: "LeadAccepted", schemaVersion: 1, payload: Array(#"{"lead":1}"#.utf8)) }
        #expect(throws: (any Error).self) { try DomainEvent.decode(type: "LeadAccepted", schemaVersion: 2, payload: Array(#"{"lead":"L"}"#.utf8)) }
        #expect(throws: (any Error).self) { try DomainEvent.decode(type: "Nope", schemaVersion: 1, payload: Array(#"{"lead":"L"}"#.utf8)) }
    }

    // MARK: kept read-model states

    static func states() -> [EntityState] {
        func rec(_ e: DomainEvent, _ actor: String, _ at: String, _ pos: UInt64) -> Recorded { Recorded(event: e, actor: actor, at: t(at), position: pos) }
        var ledger = LedgerState()
        ledger.evolve(rec(.ledgerInitialized(LedgerInitialized(admin: "rita", name: "Rita")), "rita", "2026-01-01T00:00:00Z", 1))
        ledger.evolve(rec(.actorRegistered(ActorRegistered(actor: "rita", name: "Rita", roles: [.revops])), "rita", "2026-01-01T00:00:00Z", 2))
        ledger.evolve(rec(.actorRegistered(ActorRegistered(actor: "sam", name: "Sam", roles: [.sales])), "rita", "2026-01-01T00:00:00Z", 3))
        ledger.evolve(rec(.actorDeactivated(ActorDeactivated(actor: "sam")), "rita", "2026-01-02T00:00:00Z", 4))

        var def = DefinitionState(id: "mql")
        let g = goldens.map(\.event)
        for (i, e) in g.enumerated() where e.stream == StreamName.definition("mql") {
            def.evolve(rec(e, "maria", "2026-01-0\(i % 9 + 1)T09:30:00.25Z", UInt64(10 + i)))
        }
        var camp = CampaignState(id: "q2-webinar")
        camp.evolve(rec(.campaignDrafted(CampaignDrafted(campaign: "q2-webinar", revision: 1, name: "Q2", audience: nil, offer: "o",
                                                         channels: ["email"], launchDate: "2026-04-15")), "maria", "2026-02-01T00:00:00Z", 20))
        camp.evolve(rec(.campaignReviewed(CampaignReviewed(campaign: "q2-webinar", revision: 1, approved: true, comment: nil)), "sam", "2026-02-02T00:00:00Z", 21))
        camp.evolve(rec(.campaignBriefPublished(CampaignBriefPublished(campaign: "q2-webinar", briefVersion: 1, summary: "s", talkingPoints: ["a"], offer: nil)),
                        "maria", "2026-02-03T00:00:00Z", 22))
        camp.evolve(rec(.campaignLaunched(CampaignLaunched(campaign: "q2-webinar", revision: 1, reviewed: true, override: nil)), "maria", "2026-02-04T00:00:00Z", 23))
        var lead = LeadState(id: "L-10042")
        for e in g where e.stream == StreamName.lead("L-10042") { lead.evolve(rec(e, "maria", "2026-02-05T12:00:00.123456Z", 30)) }
        var content = ContentState(id: "REQ-7")
        content.evolve(rec(.contentRequested(ContentRequested(request: "REQ-7", what: "faq", why: nil, stage: .decision, lead: "L-10042")), "sam", "2026-02-06T00:00:00Z", 40))
        content.evolve(rec(.contentRequestTriaged(ContentRequestTriaged(request: "REQ-7", outcome: .adHoc, asset: nil, reason: "now")), "maria", "2026-02-07T00:00:00Z", 41))
        return [.ledger(ledger), .definition(def), .campaign(camp), .lead(lead), .lead(LeadState(id: "L-empty")), .content(content),
                .content(ContentState(id: "empty")), .definition(DefinitionState(id: "d"))]
    }

    /// Payloads and kept states encode to the same bytes canonically as through a `JSONValue` (moved from
    /// JSONCoreTests.canonicalEncodingMatchesTheValuePath).
    @Test func canonicalEncodingMatchesTheValuePath() throws {
        let enc = JSONValueEncoder()
        func same<T: Encodable>(_ v: T, _ label: String) throws {
            #expect(try enc.encodeCanonical(v) == enc.encode(v).serialize(), "\(label)")
        }
        for g in Self.goldens { try same(g.event.payload(), g.label) }
        for st in Self.states() { try same(st, "\(st)".prefix(40).description) }
    }

    @Test func entityStatesRoundTripThroughTheReadModelCodec() throws {
        let all = Self.states()
        #expect(all.count == 8)
        if case .lead(let l) = all[3] { #expect(l.status == .accepted && l.handoff?.signals.count == 2) } else { Issue.record("no lead") }
        for s in all {
            // Kept bytes: the binary form, exact (fractional seconds included).
            let bytes = AlignmentLedger.encodeState(s)
            #expect(try AlignmentLedger.decodeState(bytes) == s)
            #expect(AlignmentLedger.encodeState(try AlignmentLedger.decodeState(bytes)) == bytes)  // deterministic
            // Every truncation is refused (never a trap, never a different state), and so are extra bytes.
            for n in 0..<bytes.count { #expect(throws: BinaryError.self) { try AlignmentLedger.decodeState(Array(bytes[0..<n])) } }
            #expect(throws: BinaryError.self) { try AlignmentLedger.decodeState(bytes + [0]) }
            // The JSON form (what `align state --json` prints) stays canonical and round-trips.
            let json = try JSONValueEncoder().encodeCanonical(s)
            #expect(try JSONValue.parse(json).serialize() == json)
            #expect(try JSONValueDecoder().decode(EntityState.self, fromJSON: json) == s)
        }
        // Damaged bytes: random flips and random garbage throw or decode, but never trap.
        var rng = SplitMix64(seed: 0x5747E)
        for s in all {
            let bytes = AlignmentLedger.encodeState(s)
            for _ in 0..<200 {
                var b = bytes
                b[Int.random(in: 0..<b.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                _ = try? AlignmentLedger.decodeState(b)
            }
        }
        for _ in 0..<500 {
            _ = try? AlignmentLedger.decodeState((0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        // Dates that no code could format (not finite, or beyond ±10,000 years) are refused.
        for t in [Double.nan, .infinity, 1e12] {
            var lead = LeadState(id: "L-bad")
            lead.handedOffAt = Date(timeIntervalSinceReferenceDate: t)
            #expect(throws: BinaryError.self) { try AlignmentLedger.decodeState(AlignmentLedger.encodeState(.lead(lead))) }
        }
        // A layout this build does not know is refused.
        var unknown = AlignmentLedger.encodeState(all[0])
        unknown[0] = 99
        #expect(throws: BinaryError.self) { try AlignmentLedger.decodeState(unknown) }
        // The JSON enum shape is the synthesized one: one key naming the case, holding `_0`.
        let v = try JSONValue.parse(JSONValueEncoder().encodeCanonical(EntityState.lead(LeadState(id: "L-1"))))
        #expect(Self.text(v) == #"{"lead":{"_0":{"id":"L-1","status":"none"}}}"#)
    }
}

/// The hand-written payload writers (Events+Encoding.swift) against the `Codable` encoder they replace: the same bytes
/// for every optional left out or given, awkward text (escapes, non-ASCII, keys that sort by byte), fractional and
/// large numbers and dates with and without fractions.
@Suite("Hand-written payload writers")
struct HandWrittenPayloadTests {
    static let texts = ["", "L-1", "quote \" and \\ backslash", "tab\tnew\nline \u{1}", "Zürich", "日本", "emoji 🚀", "a/b", "Z", "a", "ä"]
    static let numbers: [Double] = [0, 1, -3, 0.5, 12.25, 1e20, 123_456_789.125, -0.0, 9.2e18]
    static let dates = [Date(timeIntervalSince1970: 1_772_355_600), Date(timeIntervalSince1970: 1_772_355_600.25),
                        Date(timeIntervalSince1970: 1_772_355_600.000123)]

    @Test func theyWriteWhatTheEncoderWrites() throws {
        var r = SplitMix64(seed: 13)
        func pick<T>(_ a: [T]) -> T { a[Int(r.next() % UInt64(a.count))] }
        func maybe<T>(_ v: @autoclosure () -> T) -> T? { r.next() % 2 == 0 ? v() : nil }
        var events: [DomainEvent] = []
        for _ in 0..<400 {
            var profile: [String: String] = [:]
            for _ in 0..<Int(r.next() % 5) { profile[pick(Self.texts)] = pick(Self.texts) }
            let signals = (0..<Int(r.next() % 3)).map { _ in Signal(name: pick(Self.texts), at: pick(Self.dates), detail: maybe(pick(Self.texts))) }
            let criteria = (0..<Int(r.next() % 4)).map { _ in
                CriterionResult(criterion: pick(Self.texts), kind: pick(CriterionKind.allCases), outcome: pick(CriterionOutcome.allCases),
                                observed: maybe(pick(Self.texts)))
            }
            let evaluation = maybe(HandoffEvaluation(met: r.next() % 2 == 0, criteria: criteria, offDefinition: maybe(pick(OffDefinitionPolicy.allCases))))
            let brief = maybe(AttachedBrief(version: Int(r.next() % 9), summary: pick(Self.texts), talkingPoints: [pick(Self.texts), pick(Self.texts)],
                                            offer: maybe(pick(Self.texts))))
            events.append(.leadHandedOff(LeadHandedOff(lead: pick(Self.texts), definition: pick(Self.texts), definitionVersion: Int(r.next() % 1000),
                                                       campaign: maybe(pick(Self.texts)), brief: brief, owner: maybe(pick(Self.texts)),
                                                       profile: profile, signals: signals, score: maybe(pick(Self.numbers)),
                                                       note: maybe(pick(Self.texts)),
                                                       override: maybe(Override(reason: pick(Self.texts), rule: pick(Self.texts))),
                                                       evaluation: evaluation)))
            events.append(.leadAccepted(LeadAccepted(lead: pick(Self.texts))))
            events.append(.leadRejected(LeadRejected(lead: pick(Self.texts), reason: pick(RejectionReason.allCases), note: maybe(pick(Self.texts)))))
            events.append(.leadConverted(LeadConverted(lead: pick(Self.texts), opportunity: maybe(pick(Self.texts)), amount: maybe(pick(Self.numbers)))))
        }
        let encoder = JSONValueEncoder()
        for e in events {
            let codable: [UInt8]
            switch e {
            case .leadHandedOff(let x): codable = try encoder.encodeCanonical(x)
            case .leadAccepted(let x): codable = try encoder.encodeCanonical(x)
            case .leadRejected(let x): codable = try encoder.encodeCanonical(x)
            case .leadConverted(let x): codable = try encoder.encodeCanonical(x)
            default: continue
            }
            let hand = try e.canonicalPayload()
            #expect(hand == codable, "\(String(decoding: hand, as: UTF8.self))\n\(String(decoding: codable, as: UTF8.self))")
            #expect(try DomainEvent.decode(type: e.type, schemaVersion: 1, payload: hand) == e)
        }
        // What cannot be written is refused, never written hollow.
        let bad = DomainEvent.leadConverted(LeadConverted(lead: "L", opportunity: nil, amount: .infinity))
        #expect(throws: DomainError.self) { try bad.canonicalPayload() }
    }
}
