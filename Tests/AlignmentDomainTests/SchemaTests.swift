import Foundation
import JSONCore
import Testing
@testable import AlignmentDomain
import AlignmentLedger

/// The JSON Schema contract in schemas/, as far as it needs no schema validator: every event type has exactly one
/// schema file (and every schema file an event type), the enums and command names in the schemas are the ones the
/// code knows, and the golden payloads are pinned byte for byte and decode back. Whether payloads, envelopes and
/// apply lines match their schemas is checked by CI with Python's jsonschema (tools/check-schemas.sh), the
/// contract's one validator.
@Suite struct SchemaTests {
    // MARK: locations

    /// The package root, found from this file (Tests/AlignmentDomainTests/SchemaTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schemasDir = root.appendingPathComponent("schemas")
    static let base = "https://alignment-ledger.example/schemas/"
    static let common = base + "common.schema.json"

    /// Every schema document under schemas/, by its `$id`, with the file it came from.
    static func schemas() throws -> [String: (document: JSONValue, file: URL)] {
        var out: [String: (document: JSONValue, file: URL)] = [:]
        let files = FileManager.default.enumerator(at: schemasDir, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        // openapi.json describes the HTTP API (OpenAPI 3.1), not a JSON Schema of its own: it has no $id.
        for url in files where url.pathExtension == "json" && url.lastPathComponent != "openapi.json" {
            let doc = try JSONValue.parse(Data(contentsOf: url))
            let id = try #require(doc["$id"]?.stringValue, "\(url.path) has no $id")
            #expect(out[id] == nil, "$id \(id) appears twice")
            out[id] = (doc, url)
        }
        return out
    }

    // MARK: golden events

    static func t(_ s: String) -> Date { DomainTime.parse(s)! }

    /// A labelled example event.
    struct Golden: Sendable, CustomTestStringConvertible {
        var label: String
        var event: DomainEvent
        var testDescription: String { label }
    }

    /// At least one realistic example of every event type; optional fields both present and absent.
    static let goldens: [Golden] = {
        var policy = Policy()
        policy.quorum = 2
        policy.slaHours = 48
        policy.requireContext = false
        let brief = AttachedBrief(version: 2, summary: "Pricing webinar with a free audit offer",
                                  talkingPoints: ["ask how they price today", "offer the audit"], offer: "free pricing audit")
        let signals = [
            Signal(name: "webinar.attended", at: t("2026-02-27T15:00:00Z"), detail: "Pricing webinar"),
            Signal(name: "pricing.visited", at: t("2026-02-28T08:30:00Z")),
        ]
        let fit = [try! Criterion.parse("employees>=200"), try! Criterion.parse("industry in [saas, fintech]")]
        let engagement = [try! Criterion.parse("webinar.attended>=1"), try! Criterion.parse("region!=apac")]
        let g: [(String, DomainEvent)] = [
            ("LedgerInitialized", .ledgerInitialized(LedgerInitialized(admin: "rita", name: "Rita Revops"))),
            ("LedgerInitialized signed", .ledgerInitialized(LedgerInitialized(admin: "dana", name: "Dana",
                                                                               key: "ed25519:QnaSgdPqqXx6eje6JoHsjvRFf24KB210DKIv0vyqQq0", proof: "28CInc9X--dossT0puv-k7vJosgUlOvQQ6E2VNC0wXW_r6oVcye5SP4F0TtlOHev8kxLJQ_6jZY29hpsmiMcCA"))),
            ("ActorKeyRegistered", .actorKeyRegistered(ActorKeyRegistered(actor: "vic", keyID: "cd716181b0d5b5fc", publicKey: "ed25519:ETQ4fDOO9vNC7hSKtwD63rgX_AqsNS4b8l1tsNcteO8",
                                                                            proof: "4EViaCjgpFPPnnkpTps9z_ZglYQLEzClizRx_QKCzb9lzoho5CoWsnK1Yfp58q6JbVv27lPGkAfK-3L0PmhSAg"))),
            ("ActorKeyRegistered rotation", .actorKeyRegistered(ActorKeyRegistered(actor: "vic", keyID: "073467b0d84a409b", publicKey: "ed25519:Mr-GTmb8WYVcOzfaXa-qtNtSky0muIoflewjBRIIJx0",
                                                                                     proof: "zBKdETnqiqVQtynCI3YZkNBDTkjuowwvOt7kjUTuD0hXqRJm49VHVJhhy5VEeWSWE4lBwubX1oRXvTDIZitkDw", replaces: "cd716181b0d5b5fc"))),
            ("ActorKeyRevoked", .actorKeyRevoked(ActorKeyRevoked(actor: "vic", keyID: "cd716181b0d5b5fc", reason: "rotated to 073467b0d84a409b"))),
            ("ActorKeyRevoked no reason", .actorKeyRevoked(ActorKeyRevoked(actor: "vic", keyID: "073467b0d84a409b"))),
            ("SignaturesRequired", .signaturesRequired(SignaturesRequired())),
            ("RecordsImported", .recordsImported(RecordsImported(source: "crm-export.csv", reason: "weekly CRM sync", commands: 12))),
            ("ActorRegistered", .actorRegistered(ActorRegistered(actor: "sam", name: "Sam Seller", roles: [.sales]))),
            ("ActorRegistered with two roles", .actorRegistered(ActorRegistered(actor: "dana@acme", name: "Dana", roles: [.marketing, .sales]))),
            ("ActorRolesChanged", .actorRolesChanged(ActorRolesChanged(actor: "sam", roles: [.revops, .sales]))),
            ("ActorDeactivated", .actorDeactivated(ActorDeactivated(actor: "sam"))),
            ("PolicyChanged default", .policyChanged(PolicyChanged(policy: Policy()))),
            ("PolicyChanged", .policyChanged(PolicyChanged(policy: policy))),
            ("LeadDefinitionProposed full", .definitionProposed(LeadDefinitionProposed(
                definition: "mql", version: 2, title: "Engaged mid-market SaaS", fit: fit, engagement: engagement, rationale: "Q1 win analysis"))),
            ("LeadDefinitionProposed minimal", .definitionProposed(LeadDefinitionProposed(
                definition: "mql", version: 1, title: "Any webinar attendee", fit: [], engagement: [engagement[0]], rationale: nil))),
            ("LeadDefinitionSignedOff", .definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 2, comment: "matches our ICP"))),
            ("LeadDefinitionSignedOff no comment", .definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 2, comment: nil))),
            ("LeadDefinitionRejected", .definitionRejected(LeadDefinitionRejected(definition: "mql", version: 1, reason: "too broad: students and agencies"))),
            ("LeadDefinitionActivated first", .definitionActivated(LeadDefinitionActivated(
                definition: "mql", version: 2, signOffs: 2, quorum: 2, supersedes: nil, override: nil))),
            ("LeadDefinitionActivated by override", .definitionActivated(LeadDefinitionActivated(
                definition: "mql", version: 3, signOffs: 1, quorum: 2, supersedes: 2,
                override: Override(reason: "board asked for pipeline by month end", rule: Rule.quorum)))),
            ("LeadDefinitionRetired", .definitionRetired(LeadDefinitionRetired(definition: "mql", version: 3))),
            ("LeadDefinitionRetired never active", .definitionRetired(LeadDefinitionRetired(definition: "draft-def", version: nil))),
            ("CampaignDrafted full", .campaignDrafted(CampaignDrafted(
                campaign: "q2-webinar", revision: 1, name: "Q2 pricing webinar", audience: "RevOps leaders", offer: "free pricing audit",
                channels: ["email", "linkedin"], launchDate: "2026-04-15"))),
            ("CampaignDrafted minimal", .campaignDrafted(CampaignDrafted(
                campaign: "flash-sale", revision: 3, name: "Flash sale", audience: nil, offer: nil, channels: [], launchDate: "2026-05-01T09:00:00+02:00"))),
            ("CampaignReviewRequested", .campaignReviewRequested(CampaignReviewRequested(campaign: "q2-webinar", revision: 1))),
            ("CampaignReviewed changes", .campaignReviewed(CampaignReviewed(campaign: "q2-webinar", revision: 1, approved: false, comment: "offer is weak"))),
            ("CampaignReviewed approved", .campaignReviewed(CampaignReviewed(campaign: "q2-webinar", revision: 2, approved: true, comment: nil))),
            ("CampaignBriefPublished", .campaignBriefPublished(CampaignBriefPublished(
                campaign: "q2-webinar", briefVersion: 1, summary: "Pricing webinar", talkingPoints: ["ask how they price today"], offer: "free audit"))),
            ("CampaignBriefPublished no points", .campaignBriefPublished(CampaignBriefPublished(
                campaign: "q2-webinar", briefVersion: 2, summary: "Pricing webinar, take two", talkingPoints: [], offer: nil))),
            ("CampaignLaunched", .campaignLaunched(CampaignLaunched(campaign: "q2-webinar", revision: 2, reviewed: true, override: nil))),
            ("CampaignLaunched by override", .campaignLaunched(CampaignLaunched(
                campaign: "flash-sale", revision: 1, reviewed: false, override: Override(reason: "competitor launch", rule: Rule.campaignReview)))),
            ("CampaignClosed", .campaignClosed(CampaignClosed(campaign: "q2-webinar"))),
            ("LeadHandedOff full", .leadHandedOff(LeadHandedOff(
                lead: "L-10042", definition: "mql", definitionVersion: 2, campaign: "q2-webinar", brief: brief, owner: "sam",
                profile: ["company": "Initech", "employees": "1200", "industry": "saas"], signals: signals, score: 0.82,
                note: "Wants a pilot before Q4", override: nil))),
            ("LeadHandedOff minimal", .leadHandedOff(LeadHandedOff(
                lead: "L-10043", definition: "mql", definitionVersion: 3, campaign: nil, brief: nil, owner: nil,
                profile: [:], signals: [], score: nil, note: nil,
                override: Override(reason: "CEO referral", rule: Rule.requireContext)))),
            ("LeadHandedOff campaign without brief", .leadHandedOff(LeadHandedOff(
                lead: "L-10044", definition: "mql", definitionVersion: 3, campaign: "flash-sale", brief: nil, owner: "sofia",
                profile: ["company": "Globex"], signals: [signals[1]], score: 12, note: nil, override: nil))),
            ("LeadAccepted", .leadAccepted(LeadAccepted(lead: "L-10042"))),
            ("LeadRejected", .leadRejected(LeadRejected(lead: "L-10043", reason: .insufficientContext, note: "no signals at all"))),
            ("LeadRejected no note", .leadRejected(LeadRejected(lead: "L-10044", reason: .notICP, note: nil))),
            ("LeadConverted", .leadConverted(LeadConverted(lead: "L-10042", opportunity: "OPP-7781", amount: 48_000.5))),
            ("LeadConverted bare", .leadConverted(LeadConverted(lead: "L-10042", opportunity: nil, amount: nil))),
            ("LeadRecycled", .leadRecycled(LeadRecycled(lead: "L-10043"))),
            ("ContentPlanned", .contentPlanned(ContentPlanned(asset: "pricing-guide", title: "Pricing guide", stage: .consideration,
                                                              persona: "RevOps lead", fromRequest: nil))),
            ("ContentPlanned from request", .contentPlanned(ContentPlanned(asset: "security-faq", title: "Security questionnaire answers",
                                                                           stage: .decision, persona: nil, fromRequest: "REQ-7"))),
            ("ContentRequested", .contentRequested(ContentRequested(request: "REQ-7", what: "Security questionnaire answers",
                                                                    why: "procurement asks", stage: .decision, lead: "L-10042"))),
            ("ContentRequested minimal", .contentRequested(ContentRequested(request: "REQ-8", what: "One-pager", why: nil, stage: .awareness, lead: nil))),
            ("ContentRequestTriaged mapped", .contentRequestTriaged(ContentRequestTriaged(request: "REQ-8", outcome: .mapped, asset: "pricing-guide", reason: nil))),
            ("ContentRequestTriaged added", .contentRequestTriaged(ContentRequestTriaged(request: "REQ-7", outcome: .addedToPlan, asset: "security-faq", reason: "asked by several deals"))),
            ("ContentRequestTriaged declined", .contentRequestTriaged(ContentRequestTriaged(request: "REQ-9", outcome: .declined, asset: nil, reason: "covered by the plan"))),
            ("ContentRequestTriaged ad hoc", .contentRequestTriaged(ContentRequestTriaged(request: "REQ-10", outcome: .adHoc, asset: nil, reason: "deal closes this week"))),
            ("ContentRequestFulfilled", .contentRequestFulfilled(ContentRequestFulfilled(request: "REQ-7", asset: "security-faq"))),
            ("ContentRequestFulfilled ad hoc", .contentRequestFulfilled(ContentRequestFulfilled(request: "REQ-10", asset: nil))),
        ]
        return g.map { Golden(label: $0.0, event: $0.1) }
    }()

    // MARK: (a) golden payloads

    @Test func goldensCoverEveryEventType() {
        let covered = Set(Self.goldens.map(\.event.type))
        let all = Set(DomainEvent.types.map(\.name))
        #expect(covered == all, "event types without a golden example: \(all.subtracting(covered).sorted())")
        for g in Self.goldens {
            #expect(DomainEvent.types.contains { $0.name == g.event.type && $0.schemaVersion == g.event.schemaVersion })
        }
    }

    @Test(arguments: SchemaTests.goldens)
    func goldenPayloadDecodesBack(_ g: Golden) throws {
        let back = try DomainEvent.decode(type: g.event.type, schemaVersion: g.event.schemaVersion, payload: g.event.payload())
        #expect(back == g.event)
    }

    /// Pins the wire format byte for byte: sorted keys, nil optionals omitted, dates as ISO 8601 in UTC.
    @Test func goldenBytes() {
        func text(_ label: String) -> String {
            String(decoding: Self.goldens.first { $0.label == label }!.event.payload(), as: UTF8.self)
        }
        #expect(text("LeadHandedOff full") == #"{"brief":{"offer":"free pricing audit","summary":"Pricing webinar with a free audit offer","talkingPoints":["ask how they price today","offer the audit"],"version":2},"campaign":"q2-webinar","definition":"mql","definitionVersion":2,"lead":"L-10042","note":"Wants a pilot before Q4","owner":"sam","profile":{"company":"Initech","employees":"1200","industry":"saas"},"score":0.82,"signals":[{"at":"2026-02-27T15:00:00Z","detail":"Pricing webinar","name":"webinar.attended"},{"at":"2026-02-28T08:30:00Z","name":"pricing.visited"}]}"#)
        #expect(text("LeadHandedOff minimal") == #"{"definition":"mql","definitionVersion":3,"lead":"L-10043","override":{"reason":"CEO referral","rule":"handoff-requires-context"},"profile":{},"signals":[]}"#)
        #expect(text("PolicyChanged default") == #"{"policy":{"adHocContent":"refuse","maxBackdateHours":72,"offDefinition":"refuse","quorum":1,"requireCampaignReview":true,"requireContext":true,"signals":[],"slaHours":24}}"#)
        #expect(text("LeadDefinitionProposed minimal") == #"{"definition":"mql","engagement":[{"field":"webinar.attended","op":">=","values":["1"]}],"fit":[],"title":"Any webinar attendee","version":1}"#)
        #expect(text("ContentRequestTriaged added") == #"{"asset":"security-faq","outcome":"added-to-plan","reason":"asked by several deals","request":"REQ-7"}"#)
    }

    // MARK: (b) schema files and event types match one to one

    @Test func everyEventTypeHasASchemaFileAndEverySchemaFileAnEventType() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.schemasDir.appendingPathComponent("events").path)
            .filter { $0.hasSuffix(".json") }
        var fromFiles: Set<String> = []
        for f in files {
            // <Type>.v<N>.schema.json
            let parts = f.split(separator: ".")
            let ok = parts.count == 4 && parts[1].hasPrefix("v") && Int(parts[1].dropFirst()) != nil && parts[2] == "schema" && parts[3] == "json"
            #expect(ok, "schema file name \(f) is not <Type>.v<N>.schema.json")
            if ok { fromFiles.insert("\(parts[0]) v\(parts[1].dropFirst())") }
        }
        let fromCode = Set(DomainEvent.types.map { "\($0.name) v\($0.schemaVersion)" })
        #expect(fromCode.subtracting(fromFiles).isEmpty, "event types without a schema file in schemas/events: \(fromCode.subtracting(fromFiles).sorted())")
        #expect(fromFiles.subtracting(fromCode).isEmpty, "schema files for no event type: \(fromFiles.subtracting(fromCode).sorted())")
        #expect(DomainEvent.types.count == Set(DomainEvent.types.map(\.name)).count, "DomainEvent.types repeats a name")
    }

    @Test func everySchemaDeclaresDraft202012AndAnIdMatchingItsPath() throws {
        let schemas = try Self.schemas()
        #expect(schemas.count == DomainEvent.types.count + 3)
        let rootPath = Self.schemasDir.standardizedFileURL.path
        for (id, (doc, url)) in schemas {
            #expect(doc["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"), "\(id)")
            let file = url.standardizedFileURL.path
            #expect(file.hasPrefix(rootPath + "/"))
            let relative = String(file.dropFirst(rootPath.count + 1))
            #expect(id == Self.base + relative, "$id \(id) does not mirror its path schemas/\(relative)")
            if relative.hasPrefix("events/") {
                #expect(doc["additionalProperties"] == .bool(false), "\(id) must be closed")
                #expect(doc["type"] == .string("object"))
                #expect(doc["title"]?.stringValue?.isEmpty == false)
            }
        }
    }

    @Test func schemaEnumsAreTheSwiftEnums() throws {
        let defs = try #require(Self.schemas()[Self.common]?.document["$defs"])
        func values(_ name: String) -> [String] { defs[name]?["enum"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        #expect(values("role") == Role.allCases.map(\.rawValue))
        #expect(values("stage") == Stage.allCases.map(\.rawValue))
        #expect(values("rejectionReason") == RejectionReason.allCases.map(\.rawValue))
        #expect(values("triageOutcome") == TriageOutcome.allCases.map(\.rawValue))
        let ops = defs["criterion"]?["properties"]?["op"]?["enum"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for expr in ["a>=1", "a<=1", "a>1", "a<1", "a=x", "a!=x", "a in [x]"] {
            #expect(ops.contains(try Criterion.parse(expr).op), "\(expr)")
        }
    }

    // MARK: apply lines

    @Test func applyLineSchemaKnowsEveryCommand() throws {
        let doc = try #require(Self.schemas()[Self.base + "apply-line.schema.json"]?.document)
        let names = doc["properties"]?["command"]?["enum"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(names == Command.names)
        let argDefs = doc["$defs"]?["args"]?.objectValue?.keys.sorted() ?? []
        #expect(argDefs == Command.names.sorted())
    }

    /// The apply file tools/check-schemas.sh validates against the schema: every line parses as a command, and
    /// every command is used.
    @Test func sampleApplyFileParses() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("tools/schema-check-commands.jsonl"), encoding: .utf8)
        var lines = 0
        var seen: Set<String> = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            lines += 1
            let node = try JSONValue.parse(Array(line.utf8))
            #expect(throws: Never.self, "\(line)") { try ApplyReader.items(of: Array(line.utf8), defaultActor: "rita", defaultAt: nil) }
            if let name = node["command"]?.stringValue { seen.insert(name) }
        }
        #expect(lines >= Command.names.count)
        #expect(seen == Set(Command.names), "commands the sample file does not use: \(Set(Command.names).subtracting(seen).sorted())")
    }
}
