import Foundation
import Testing
@testable import AlignmentDomain

/// The JSON Schema contract in schemas/: every event payload the Swift code writes validates against its
/// schema, every event type has exactly one schema file (and every schema file an event type), and the
/// enums and command names in the schemas are the ones the code knows. Validation uses the small
/// validator in Support/MiniSchemaValidator.swift; tools/check-schemas.sh repeats the check on a whole
/// ledger with Python's jsonschema.
@Suite struct SchemaTests {
    // MARK: locations

    /// The package root, found from this file (Tests/AlignmentDomainTests/SchemaTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schemasDir = root.appendingPathComponent("schemas")
    static let base = "https://alignment-ledger.example/schemas/"
    static let common = base + "common.schema.json"

    static func eventSchemaID(_ type: String, _ version: Int) -> String { base + "events/\(type).v\(version).schema.json" }

    /// The validator over every schema in schemas/, loaded once.
    static let shared = Result { MiniSchemaValidator(registry: try SchemaRegistry(directory: schemasDir)) }

    static func loadValidator() throws -> MiniSchemaValidator { try shared.get() }

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

    static func payload(_ e: DomainEvent) throws -> JSONNode { try JSONNode.parse(e.payload()) }

    // MARK: (a) every golden payload matches its schema

    @Test(arguments: SchemaTests.goldens)
    func goldenPayloadValidates(_ g: Golden) throws {
        let v = try Self.loadValidator()
        let id = Self.eventSchemaID(g.event.type, g.event.schemaVersion)
        let problems = try v.validate(try Self.payload(g.event), against: id)
        #expect(problems.isEmpty, "\(g.label): \(String(decoding: g.event.payload(), as: UTF8.self)) does not match \(id): \(problems)")
    }

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
        #expect(text("PolicyChanged default") == #"{"policy":{"quorum":1,"requireCampaignReview":true,"requireContext":true,"slaHours":24}}"#)
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
        let registry = try SchemaRegistry(directory: Self.schemasDir)
        #expect(registry.documents.count == DomainEvent.types.count + 3)
        let rootPath = Self.schemasDir.standardizedFileURL.path
        for (id, doc) in registry.documents {
            #expect(doc["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"), "\(id)")
            let file = registry.files[id]!.standardizedFileURL.path
            #expect(file.hasPrefix(rootPath + "/"))
            let relative = String(file.dropFirst(rootPath.count + 1))
            #expect(id == Self.base + relative, "$id \(id) does not mirror its path schemas/\(relative)")
            if relative.hasPrefix("events/") {
                #expect(doc["additionalProperties"] == .bool(false), "\(id) must be closed")
                #expect(doc["type"] == .string("object"))
                #expect(doc["title"]?.string?.isEmpty == false)
            }
        }
    }

    @Test func schemaEnumsAreTheSwiftEnums() throws {
        let registry = try SchemaRegistry(directory: Self.schemasDir)
        let defs = try #require(registry.documents[Self.common]?["$defs"])
        func values(_ name: String) -> [String] { defs[name]?["enum"]?.array?.compactMap(\.string) ?? [] }
        #expect(values("role") == Role.allCases.map(\.rawValue))
        #expect(values("stage") == Stage.allCases.map(\.rawValue))
        #expect(values("rejectionReason") == RejectionReason.allCases.map(\.rawValue))
        #expect(values("triageOutcome") == TriageOutcome.allCases.map(\.rawValue))
        let ops = defs["criterion"]?["properties"]?["op"]?["enum"]?.array?.compactMap(\.string) ?? []
        for expr in ["a>=1", "a<=1", "a>1", "a<1", "a=x", "a!=x", "a in [x]"] {
            #expect(ops.contains(try Criterion.parse(expr).op), "\(expr)")
        }
    }

    // MARK: (c) the schemas refuse payloads that differ from what the code writes

    @Test func extraPropertyOrMissingRequiredFieldFails() throws {
        let v = try Self.loadValidator()
        let g = Self.goldens.first { $0.label == "LeadHandedOff full" }!
        let id = Self.eventSchemaID(g.event.type, 1)
        let good = try Self.payload(g.event)
        try #require(try v.isValid(good, against: id))

        let extra = good.setting("priority", .string("high"))
        #expect(try v.validate(extra, against: id).contains { $0.message.contains("'priority' is not allowed") })
        let missing = good.setting("signals", nil)
        #expect(try v.validate(missing, against: id).contains { $0.message.contains("'signals' is missing") })
        // nil optionals are omitted by the encoder, never written as null
        #expect(try !v.isValid(good.setting("note", .null), against: id))
        // the wrong type
        #expect(try !v.isValid(good.setting("definitionVersion", .string("2")), against: id))
        #expect(try !v.isValid(good.setting("definitionVersion", .number(0)), against: id))
        // nested closed types: a signal with an extra field, a brief without its summary, a bad date
        var signal = good["signals"]!.array![0]
        signal = signal.setting("source", .string("web"))
        #expect(try !v.isValid(good.setting("signals", .array([signal])), against: id))
        #expect(try !v.isValid(good.setting("brief", good["brief"]!.setting("summary", nil)), against: id))
        let badDate = good["signals"]!.array![1].setting("at", .string("2026-02-28 08:30"))
        #expect(try !v.isValid(good.setting("signals", .array([badDate])), against: id))
        // profile is open, but its values are strings
        #expect(try v.isValid(good.setting("profile", .object(["anything": .string("goes")])), against: id))
        #expect(try !v.isValid(good.setting("profile", .object(["employees": .number(1200)])), against: id))
        // ids follow checkID
        #expect(try !v.isValid(good.setting("lead", .string("L 1")), against: id))
        #expect(try !v.isValid(good.setting("lead", .string("")), against: id))
    }

    @Test func enumsAndCrossFieldRulesAreEnforced() throws {
        let v = try Self.loadValidator()
        let rejected = try Self.payload(.leadRejected(LeadRejected(lead: "L-1", reason: .duplicate, note: nil)))
        #expect(try v.isValid(rejected, against: Self.eventSchemaID("LeadRejected", 1)))
        #expect(try !v.isValid(rejected.setting("reason", .string("notICP")), against: Self.eventSchemaID("LeadRejected", 1)))

        let triaged = Self.eventSchemaID("ContentRequestTriaged", 1)
        #expect(try !v.isValid(.object(["request": .string("R-1"), "outcome": .string("mapped")]), against: triaged), "mapped needs an asset")
        #expect(try !v.isValid(.object(["request": .string("R-1"), "outcome": .string("declined")]), against: triaged), "declined needs a reason")
        #expect(try !v.isValid(.object(["request": .string("R-1"), "outcome": .string("adHoc"), "reason": .string("x")]), against: triaged))

        let proposed = Self.eventSchemaID("LeadDefinitionProposed", 1)
        let p = try Self.payload(Self.goldens.first { $0.label == "LeadDefinitionProposed full" }!.event)
        let twoValues = JSONNode.object(["field": .string("employees"), "op": .string(">="), "values": .array([.string("1"), .string("2")])])
        #expect(try !v.isValid(p.setting("fit", .array([twoValues])), against: proposed), "a comparison has one value")
        let badOp = JSONNode.object(["field": .string("employees"), "op": .string("=>"), "values": .array([.string("1")])])
        #expect(try !v.isValid(p.setting("fit", .array([badOp])), against: proposed))

        let policy = Self.eventSchemaID("PolicyChanged", 1)
        let pol = try Self.payload(.policyChanged(PolicyChanged(policy: Policy())))
        #expect(try !v.isValid(.object(["policy": pol["policy"]!.setting("slaHours", nil)]), against: policy))
        #expect(try !v.isValid(.object(["policy": pol["policy"]!.setting("quorum", .number(0))]), against: policy))
        #expect(try !v.isValid(.object(["policy": pol["policy"]!.setting("requireContext", .number(1))]), against: policy))

        let roles = Self.eventSchemaID("ActorRolesChanged", 1)
        #expect(try !v.isValid(.object(["actor": .string("sam"), "roles": .array([])]), against: roles))
        #expect(try !v.isValid(.object(["actor": .string("sam"), "roles": .array([.string("sales"), .string("sales")])]), against: roles))
        #expect(try !v.isValid(.object(["actor": .string("sam"), "roles": .array([.string("admin")])]), against: roles))
    }

    // MARK: envelope and apply lines

    static let envelopeLine = #"{"actor":"maria","causationId":null,"correlationId":"01a21a14-83fc-7db6-9c31-3caf458a0810","hash":"451c6e0ad9be74eaf3808e395a85f39686945f988eb4cab8dda9292e9b0aad1d","id":"01a21a14-83fd-7f74-aa66-c8aea83f37c8","occurredAt":"2026-07-07T09:00:00Z","payload":{"lead":"L-90001"},"position":741,"recordedAt":"2026-07-07T09:00:00.850783Z","schemaVersion":1,"stream":"lead/L-90001","type":"LeadAccepted","version":2}"#

    @Test func envelopeSchema() throws {
        let v = try Self.loadValidator()
        let id = Self.base + "envelope.schema.json"
        let env = try JSONNode.parse(Self.envelopeLine)
        #expect(try v.validate(env, against: id).isEmpty)
        #expect(try v.isValid(env.setting("causationId", env["correlationId"]), against: id))
        #expect(try !v.isValid(env.setting("hash", .string("ABC")), against: id))
        #expect(try !v.isValid(env.setting("position", .number(0)), against: id))
        #expect(try !v.isValid(env.setting("id", .string("not-a-uuid")), against: id))
        #expect(try !v.isValid(env.setting("stream", .string("deal/1")), against: id))
        #expect(try !v.isValid(env.setting("signature", .string("")), against: id))
        #expect(try !v.isValid(env.setting("payload", nil), against: id))
    }

    @Test func applyLineSchemaKnowsEveryCommand() throws {
        let registry = try SchemaRegistry(directory: Self.schemasDir)
        let doc = try #require(registry.documents[Self.base + "apply-line.schema.json"])
        let names = doc["properties"]?["command"]?["enum"]?.array?.compactMap(\.string) ?? []
        #expect(names == Command.names)
        let argDefs = doc["$defs"]?["args"]?.object?.keys.sorted() ?? []
        #expect(argDefs == Command.names.sorted())
    }

    /// The apply file tools/check-schemas.sh uses: every line matches the schema and parses as a command.
    @Test func sampleApplyFileMatchesSchemaAndParses() throws {
        let v = try Self.loadValidator()
        let id = Self.base + "apply-line.schema.json"
        let text = try String(contentsOf: Self.root.appendingPathComponent("tools/schema-check-commands.jsonl"), encoding: .utf8)
        var lines = 0
        var seen: Set<String> = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            lines += 1
            let node = try JSONNode.parse(String(line))
            #expect(try v.validate(node, against: id).isEmpty, "\(line)")
            #expect(throws: Never.self, "\(line)") { try Self.command(from: Data(line.utf8), parse: Command.parse) }
            if let name = node["command"]?.string { seen.insert(name) }
        }
        #expect(lines >= Command.names.count)
        #expect(seen == Set(Command.names), "commands the sample file does not use: \(Set(Command.names).subtracting(seen).sorted())")
    }

    /// Decodes an apply line the way `align apply` does and builds its command. Generic over the argument type,
    /// so the test does not name the JSON value type `Command.parse` takes.
    static func command<Args: Decodable & ExpressibleByDictionaryLiteral>(
        from data: Data, parse: (String, Args) throws -> Command
    ) throws -> Command {
        let l = try JSONDecoder().decode(ApplyLine<Args>.self, from: data)
        return try parse(l.command, l.args ?? [:])
    }

    @Test func applyLineSchemaRefusesWhatAlignRefuses() throws {
        let v = try Self.loadValidator()
        let id = Self.base + "apply-line.schema.json"
        func line(_ s: String) throws -> JSONNode { try JSONNode.parse(s) }
        #expect(try v.isValid(line(#"{"command":"lead.accept","as":"sam","at":"2026-03-01","args":{"id":"L-1"}}"#), against: id))
        #expect(try v.isValid(line(#"{"command":"policy.set"}"#), against: id))
        #expect(try !v.isValid(line(#"{"command":"lead.accept"}"#), against: id), "lead.accept needs args.id")
        #expect(try !v.isValid(line(#"{"command":"lead.acept","args":{"id":"L-1"}}"#), against: id))
        #expect(try !v.isValid(line(#"{"command":"lead.accept","args":{"id":"L-1","owner":"sam"}}"#), against: id), "unknown argument")
        #expect(try !v.isValid(line(#"{"command":"lead.accept","arg":{"id":"L-1"}}"#), against: id), "typo in a top-level key")
        #expect(try !v.isValid(line(#"{"command":"lead.reject","args":{"id":"L-1","reason":"meh"}}"#), against: id))
        #expect(try !v.isValid(line(#"{"command":"definition.sign-off","args":{"id":"mql","version":"two"}}"#), against: id))
        #expect(try !v.isValid(line(#"{"command":"lead.accept","at":"yesterday","args":{"id":"L-1"}}"#), against: id))
        // and what the schema refuses, Command.parse refuses too
        #expect(throws: DomainError.self) { try Self.command(from: Data(#"{"command":"lead.accept","args":{"id":"L-1","owner":"sam"}}"#.utf8), parse: Command.parse) }
        #expect(throws: DomainError.self) { try Self.command(from: Data(#"{"command":"lead.reject","args":{"id":"L-1","reason":"meh"}}"#.utf8), parse: Command.parse) }
    }

    // MARK: the validator itself

    /// Proves the mini validator rejects bad documents, so a passing schema test means something.
    @Suite struct Validator {
        static let personID = "https://test.example/person.json"
        static let person = """
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://test.example/person.json",
         "type": "object", "additionalProperties": false, "required": ["name", "age"],
         "properties": {
           "name": {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^[a-z]+$"},
           "age": {"type": "integer", "minimum": 0, "maximum": 150},
           "role": {"$ref": "defs.json#/$defs/role"},
           "email": {"type": ["string", "null"]},
           "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2, "uniqueItems": true},
           "at": {"type": "string", "format": "date-time"},
           "id": {"type": "string", "format": "uuid"},
           "kind": {"const": "person"},
           "extra": {"type": "object", "additionalProperties": {"type": "boolean"}},
           "either": {"anyOf": [{"type": "boolean"}, {"$ref": "#/$defs/small"}]},
           "one": {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]}
         },
         "$defs": {"small": {"type": "number", "maximum": 3}}}
        """
        static let defs = """
        {"$id": "https://test.example/defs.json", "$defs": {"role": {"enum": ["marketing", "sales"]}}}
        """

        static func validator(extra: [String] = []) throws -> MiniSchemaValidator {
            var r = SchemaRegistry()
            for s in [person, defs] + extra { try r.add(JSONNode.parse(s)) }
            return MiniSchemaValidator(registry: r)
        }

        func errors(_ json: String) throws -> [SchemaViolation] {
            try Self.validator().validate(JSONNode.parse(json), against: Self.personID)
        }

        @Test func acceptsAGoodDocument() throws {
            #expect(try errors(#"{"name":"ann","age":30,"role":"sales","email":null,"tags":["a","b"],"at":"2026-02-28T08:30:00.5Z","id":"01a21a14-83fd-7f74-aa66-c8aea83f37c8","kind":"person","extra":{"x":true},"either":2,"one":3}"#) == [])
        }

        @Test func rejectsAMissingRequiredProperty() throws {
            let e = try errors(#"{"name":"ann"}"#)
            #expect(e.count == 1)
            #expect(e.first?.message == "required property 'age' is missing")
        }

        @Test func rejectsAnExtraProperty() throws {
            let e = try errors(#"{"name":"ann","age":3,"nickname":"a"}"#)
            #expect(e.map(\.message) == ["property 'nickname' is not allowed"])
            #expect(try !errors(#"{"name":"ann","age":3,"extra":{"x":1}}"#).isEmpty)
        }

        @Test func rejectsTheWrongType() throws {
            #expect(try errors(#"{"name":"ann","age":"3"}"#).map(\.instancePath) == ["/age"])
            #expect(try !errors(#"{"name":"ann","age":3.5}"#).isEmpty, "3.5 is not an integer")
            #expect(try errors(#"{"name":"ann","age":3.0}"#).isEmpty, "3.0 is an integer")
            #expect(try !errors(#"{"name":"ann","age":true}"#).isEmpty, "true is not a number")
            #expect(try !errors(#"{"name":1,"age":1}"#).isEmpty)
            #expect(try !errors(#"{"name":"ann","age":1,"email":5}"#).isEmpty)
            #expect(try !errors(#"[]"#).isEmpty)
        }

        @Test func rejectsABadEnumOrConst() throws {
            let e = try errors(#"{"name":"ann","age":3,"role":"revops"}"#)
            #expect(e.map(\.instancePath) == ["/role"])
            #expect(try !errors(#"{"name":"ann","age":3,"kind":"robot"}"#).isEmpty)
        }

        @Test func checksLimitsPatternsFormatsAndArrays() throws {
            for bad in [
                #"{"name":"","age":3}"#, #"{"name":"toolong","age":3}"#, #"{"name":"Ann","age":3}"#,
                #"{"name":"ann","age":-1}"#, #"{"name":"ann","age":151}"#,
                #"{"name":"ann","age":3,"tags":[]}"#, #"{"name":"ann","age":3,"tags":["a","b","c"]}"#,
                #"{"name":"ann","age":3,"tags":["a","a"]}"#, #"{"name":"ann","age":3,"tags":[1]}"#,
                #"{"name":"ann","age":3,"at":"2026-02-30T08:30:00Z"}"#, #"{"name":"ann","age":3,"at":"2026-02-28"}"#,
                #"{"name":"ann","age":3,"id":"01a21a14"}"#,
                #"{"name":"ann","age":3,"either":"x"}"#, #"{"name":"ann","age":3,"either":4}"#,
                #"{"name":"ann","age":3,"one":12}"#, #"{"name":"ann","age":3,"one":"x"}"#,
            ] {
                #expect(try !errors(bad).isEmpty, "\(bad) should fail")
            }
            #expect(try errors(#"{"name":"ann","age":3,"either":true,"one":12.5}"#).isEmpty)
        }

        @Test func refusesKeywordsItDoesNotImplementAndUnresolvableRefs() throws {
            let unknown = #"{"$id": "https://test.example/u.json", "type": "string", "contentEncoding": "base64"}"#
            #expect(throws: SchemaProblem.self) { try Self.validator(extra: [unknown]).validate(.string("x"), against: "https://test.example/u.json") }
            let format = #"{"$id": "https://test.example/f.json", "format": "email"}"#
            #expect(throws: SchemaProblem.self) { try Self.validator(extra: [format]).validate(.string("x"), against: "https://test.example/f.json") }
            let dangling = #"{"$id": "https://test.example/d.json", "$ref": "defs.json#/$defs/nope"}"#
            #expect(throws: SchemaProblem.self) { try Self.validator(extra: [dangling]).validate(.string("x"), against: "https://test.example/d.json") }
            #expect(throws: SchemaProblem.self) { try Self.validator().validate(.string("x"), against: "https://test.example/missing.json") }
        }

        @Test func ifThenElseAndNot() throws {
            let s = #"{"$id": "https://test.example/c.json", "if": {"properties": {"k": {"const": "a"}}}, "then": {"required": ["a"]}, "else": {"not": {"required": ["a"]}}}"#
            let v = try Self.validator(extra: [s])
            let id = "https://test.example/c.json"
            #expect(try v.isValid(JSONNode.parse(#"{"k":"a","a":1}"#), against: id))
            #expect(try !v.isValid(JSONNode.parse(#"{"k":"a"}"#), against: id))
            #expect(try v.isValid(JSONNode.parse(#"{"k":"b"}"#), against: id))
            #expect(try !v.isValid(JSONNode.parse(#"{"k":"b","a":1}"#), against: id))
        }

        @Test func keepsBooleansAndNumbersApart() throws {
            #expect(try JSONNode.parse("true") == .bool(true))
            #expect(try JSONNode.parse("1") == .number(1))
            #expect(try JSONNode.parse("0") == .number(0))
            #expect(try JSONNode.parse(#"{"a":[false,null,"x"]}"#) == .object(["a": .array([.bool(false), .null, .string("x")])]))
        }
    }
}

/// The fields of an `align apply` line that build the command (`Apply.Line` in Commands+Log.swift).
private struct ApplyLine<Args: Decodable>: Decodable {
    var command: String
    var args: Args?
}
