import Foundation
import ISOTime
import JSONCore

/// A handoff's arguments.
public struct HandoffArgs: Equatable, Sendable {
    public var id: String
    public var definition: String
    public var version: Int?
    public var campaign: String?
    public var owner: String?
    public var profile: [String: String] = [:]
    public var signals: [Signal] = []
    public var score: Double?
    public var note: String?
    public var override: String?

    public init(id: String, definition: String) {
        self.id = id
        self.definition = definition
    }
}

/// Everything a person can ask the ledger to do. `NOUN.VERB` names match the command line.
public enum Command: Equatable, Sendable {
    /// `key`: the actor's public key with its proof of possession, registered with them.
    case actorAdd(id: String, name: String, roles: [Role], key: KeyGrant? = nil)
    case actorKeyAdd(actor: String, key: KeyGrant)
    /// Registers a new key and revokes the actor's active ones.
    case actorKeyRotate(actor: String, key: KeyGrant)
    case actorKeyRevoke(actor: String, keyID: String, reason: String?)
    case policyRequireSignatures
    /// A revops member takes on `commands` commands of `source` whose actors' keys are not at hand (an import).
    case importRecords(source: String, reason: String, commands: Int)
    case actorRoles(id: String, roles: [Role])
    case actorDeactivate(id: String)
    /// Changes the named parts of the policy; `addSignals` and `removeSignals` edit its signal vocabulary.
    case policySet(quorum: Int?, slaHours: Int?, requireContext: Bool?, requireCampaignReview: Bool?, maxBackdateHours: Int? = nil,
                   offDefinition: OffDefinitionPolicy? = nil, adHocContent: AdHocContentPolicy? = nil,
                   addSignals: [String] = [], removeSignals: [String] = [])
    case definitionPropose(id: String, title: String, fit: [Criterion], engagement: [Criterion], rationale: String?)
    case definitionSignOff(id: String, version: Int, comment: String?)
    case definitionReject(id: String, version: Int, reason: String)
    case definitionActivate(id: String, version: Int, override: String?)
    case definitionRetire(id: String)
    case campaignDraft(id: String, name: String, audience: String?, offer: String?, channels: [String], launchDate: String?)
    case campaignRequestReview(id: String)
    case campaignReview(id: String, approve: Bool, comment: String?)
    case campaignBrief(id: String, summary: String, talkingPoints: [String], offer: String?)
    case campaignLaunch(id: String, override: String?)
    case campaignClose(id: String)
    case leadHandoff(HandoffArgs)
    case leadAccept(id: String)
    case leadReject(id: String, reason: RejectionReason, note: String?)
    case leadConvert(id: String, opportunity: String?, amount: Double?)
    case leadRecycle(id: String)
    case contentPlan(asset: String, title: String, stage: Stage, persona: String?)
    case contentRequest(id: String, what: String, stage: Stage, lead: String?, why: String?)
    case contentTriage(id: String, outcome: TriageOutcome, asset: String?, reason: String?, override: String? = nil)
    case contentFulfil(id: String, asset: String?)

    /// All command names, as `NOUN.VERB`.
    public static let names = [
        "actor.add", "actor.roles", "actor.deactivate", "actor.key-add", "actor.key-rotate", "actor.key-revoke",
        "policy.set", "policy.require-signatures", "import.record",
        "definition.propose", "definition.sign-off", "definition.reject", "definition.activate", "definition.retire",
        "campaign.draft", "campaign.request-review", "campaign.review", "campaign.brief", "campaign.launch", "campaign.close",
        "lead.handoff", "lead.accept", "lead.reject", "lead.convert", "lead.recycle",
        "content.plan", "content.request", "content.triage", "content.fulfil",
    ]

    /// The roles allowed to run each command (revops may also run the overridable ones with an override).
    public var allowedRoles: Set<Role> {
        switch self {
        case .actorAdd, .actorRoles, .actorDeactivate, .policySet, .policyRequireSignatures, .importRecords: [.revops]
        // Revops for anyone, or the key's own actor (the rules check which).
        case .actorKeyAdd, .actorKeyRotate, .actorKeyRevoke: Set(Role.allCases)
        case .definitionPropose: [.marketing, .sales]
        case .definitionSignOff, .definitionReject: [.sales]
        case .definitionActivate: [.marketing, .revops]
        case .definitionRetire: [.marketing, .revops]
        case .campaignDraft, .campaignRequestReview, .campaignBrief, .campaignLaunch, .campaignClose: [.marketing]
        case .campaignReview: [.sales]
        case .leadHandoff: [.marketing]
        case .leadAccept, .leadReject, .leadConvert, .leadRecycle: [.sales]
        case .contentPlan, .contentTriage, .contentFulfil: [.marketing]
        case .contentRequest: [.sales]
        }
    }

    /// The override reason, for the commands that take one.
    public var overrideReason: String? {
        switch self {
        case .definitionActivate(_, _, let o), .campaignLaunch(_, let o): o
        case .leadHandoff(let a): a.override
        case .contentTriage(_, _, _, _, let o): o
        default: nil
        }
    }

    public var name: String {
        switch self {
        case .actorAdd: "actor.add"
        case .actorRoles: "actor.roles"
        case .actorDeactivate: "actor.deactivate"
        case .actorKeyAdd: "actor.key-add"
        case .actorKeyRotate: "actor.key-rotate"
        case .actorKeyRevoke: "actor.key-revoke"
        case .policyRequireSignatures: "policy.require-signatures"
        case .importRecords: "import.record"
        case .policySet: "policy.set"
        case .definitionPropose: "definition.propose"
        case .definitionSignOff: "definition.sign-off"
        case .definitionReject: "definition.reject"
        case .definitionActivate: "definition.activate"
        case .definitionRetire: "definition.retire"
        case .campaignDraft: "campaign.draft"
        case .campaignRequestReview: "campaign.request-review"
        case .campaignReview: "campaign.review"
        case .campaignBrief: "campaign.brief"
        case .campaignLaunch: "campaign.launch"
        case .campaignClose: "campaign.close"
        case .leadHandoff: "lead.handoff"
        case .leadAccept: "lead.accept"
        case .leadReject: "lead.reject"
        case .leadConvert: "lead.convert"
        case .leadRecycle: "lead.recycle"
        case .contentPlan: "content.plan"
        case .contentRequest: "content.request"
        case .contentTriage: "content.triage"
        case .contentFulfil: "content.fulfil"
        }
    }
}

extension Command {
    /// Builds a command from its `NOUN.VERB` name and arguments keyed by long option names (the `align apply`
    /// line format). Every problem is an `.invalid` error naming the argument.
    public static func parse(_ name: String, _ args: [String: JSONValue]) throws(DomainError) -> Command {
        var a = Args(command: name, values: args)
        let c: Command
        switch name {
        case "actor.add":
            let id = try a.id("id", "actor")
            c = .actorAdd(id: id, name: try a.string("name"), roles: try a.roles(), key: try a.keyGrant(actor: id, required: false))
        case "actor.key-add":
            let id = try a.id("actor", "actor")
            c = .actorKeyAdd(actor: id, key: try a.keyGrant(actor: id, required: true)!)
        case "actor.key-rotate":
            let id = try a.id("actor", "actor")
            c = .actorKeyRotate(actor: id, key: try a.keyGrant(actor: id, required: true)!)
        case "actor.key-revoke":
            c = .actorKeyRevoke(actor: try a.id("actor", "actor"), keyID: try a.string("key-id"), reason: try a.optionalString("reason"))
        case "policy.require-signatures":
            c = .policyRequireSignatures
        case "import.record":
            c = .importRecords(source: try a.string("source"), reason: try a.string("reason"), commands: try a.int("commands"))
        case "actor.roles":
            c = .actorRoles(id: try a.id("id", "actor"), roles: try a.roles())
        case "actor.deactivate":
            c = .actorDeactivate(id: try a.id("id", "actor"))
        case "policy.set":
            c = .policySet(quorum: try a.optionalInt("quorum"), slaHours: try a.optionalInt("sla-hours"),
                           requireContext: try a.optionalBool("require-context"),
                           requireCampaignReview: try a.optionalBool("require-campaign-review"),
                           maxBackdateHours: try a.optionalInt("max-backdate"),
                           offDefinition: try a.optionalRaw("off-definition"), adHocContent: try a.optionalRaw("ad-hoc-content"),
                           addSignals: try a.strings("add-signal"), removeSignals: try a.strings("remove-signal"))
        case "definition.propose":
            var fit: [Criterion] = [], engagement: [Criterion] = []
            // Checked here too (as `check` does for typed commands), so that an apply line with one is malformed (exit 2).
            for e in try a.strings("fit") { fit.append(try Criterion.parse(e)); try fit[fit.count - 1].checkFit() }
            for e in try a.strings("engagement") { engagement.append(try Criterion.parse(e)); try engagement[engagement.count - 1].checkEngagement() }
            c = .definitionPropose(id: try a.id("id", "definition"), title: try a.string("title"), fit: fit, engagement: engagement,
                                   rationale: try a.optionalString("rationale"))
        case "definition.sign-off":
            c = .definitionSignOff(id: try a.id("id", "definition"), version: try a.int("version"), comment: try a.optionalString("comment"))
        case "definition.reject":
            c = .definitionReject(id: try a.id("id", "definition"), version: try a.int("version"), reason: try a.string("reason"))
        case "definition.activate":
            c = .definitionActivate(id: try a.id("id", "definition"), version: try a.int("version"), override: try a.override())
        case "definition.retire":
            c = .definitionRetire(id: try a.id("id", "definition"))
        case "campaign.draft":
            c = .campaignDraft(id: try a.id("id", "campaign"), name: try a.string("name"), audience: try a.optionalString("audience"),
                               offer: try a.optionalString("offer"), channels: try a.strings("channel"),
                               launchDate: try a.optionalDate("launch-date"))
        case "campaign.request-review":
            c = .campaignRequestReview(id: try a.id("id", "campaign"))
        case "campaign.review":
            let approve = try a.optionalBool("approve") ?? false
            let changes = try a.optionalBool("request-changes") ?? false
            guard approve != changes else {
                throw .invalid("campaign.review needs exactly one of --approve or --request-changes")
            }
            c = .campaignReview(id: try a.id("id", "campaign"), approve: approve, comment: try a.optionalString("comment"))
        case "campaign.brief":
            c = .campaignBrief(id: try a.id("id", "campaign"), summary: try a.string("summary"),
                               talkingPoints: try a.strings("talking-point"), offer: try a.optionalString("offer"))
        case "campaign.launch":
            c = .campaignLaunch(id: try a.id("id", "campaign"), override: try a.override())
        case "campaign.close":
            c = .campaignClose(id: try a.id("id", "campaign"))
        case "lead.handoff":
            var h = HandoffArgs(id: try a.id("id", "lead"), definition: try a.id("definition", "definition"))
            h.version = try a.optionalInt("version")
            h.campaign = try a.optionalString("campaign")
            if let camp = h.campaign { try checkID(camp, "campaign") }
            h.owner = try a.optionalString("owner")
            h.profile = try a.profile()
            h.signals = try a.signals()
            h.score = try a.optionalDouble("score")
            h.note = try a.optionalString("note")
            h.override = try a.override()
            c = .leadHandoff(h)
        case "lead.accept":
            c = .leadAccept(id: try a.id("id", "lead"))
        case "lead.reject":
            let code = try a.string("reason")
            guard let reason = RejectionReason(rawValue: code) else {
                throw .invalid("rejection reason \(code.debugDescription) is not one of \(RejectionReason.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            c = .leadReject(id: try a.id("id", "lead"), reason: reason, note: try a.optionalString("note"))
        case "lead.convert":
            c = .leadConvert(id: try a.id("id", "lead"), opportunity: try a.optionalString("opportunity"), amount: try a.optionalDouble("amount"))
        case "lead.recycle":
            c = .leadRecycle(id: try a.id("id", "lead"))
        case "content.plan":
            c = .contentPlan(asset: try a.id("asset", "asset"), title: try a.string("title"), stage: try a.stage(), persona: try a.optionalString("persona"))
        case "content.request":
            let lead = try a.optionalString("lead")
            if let lead { try checkID(lead, "lead") }
            c = .contentRequest(id: try a.id("id", "request"), what: try a.string("what"), stage: try a.stage(), lead: lead, why: try a.optionalString("why"))
        case "content.triage":
            let mapTo = try a.optionalString("map-to"), addTo = try a.optionalString("add-to-plan")
            let decline = try a.optionalBool("decline") ?? false, adHoc = try a.optionalBool("ad-hoc") ?? false
            let chosen = [mapTo != nil, addTo != nil, decline, adHoc].filter { $0 }.count
            guard chosen == 1 else {
                throw .invalid("content.triage needs exactly one of --map-to ASSET, --add-to-plan ASSET, --decline or --ad-hoc")
            }
            // With --override, --reason says why the rule is set aside (and is the triage's reason too).
            let override = try a.optionalBool("override") ?? false
            let reason = try a.optionalString("reason")
            let outcome: TriageOutcome = mapTo != nil ? .mapped : addTo != nil ? .addedToPlan : decline ? .declined : .adHoc
            if (outcome == .declined || outcome == .adHoc || override) && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw .invalid("content.triage --\(override ? "override" : outcome == .declined ? "decline" : "ad-hoc") needs --reason TEXT")
            }
            let asset = mapTo ?? addTo
            if let asset { try checkID(asset, "asset") }
            c = .contentTriage(id: try a.id("id", "request"), outcome: outcome, asset: asset, reason: reason, override: override ? reason : nil)
        case "content.fulfil":
            let asset = try a.optionalString("asset")
            if let asset { try checkID(asset, "asset") }
            c = .contentFulfil(id: try a.id("id", "request"), asset: asset)
        default:
            throw .invalid("unknown command \(name.debugDescription); commands are \(Command.names.joined(separator: ", "))")
        }
        try a.finish()
        return c
    }
}

/// Reads typed arguments and remembers which were used, so unknown ones can be reported.
struct Args {
    let command: String
    let values: [String: JSONValue]
    var used: Set<String> = []

    init(command: String, values: [String: JSONValue]) {
        self.command = command
        self.values = values
    }

    func bad(_ key: String, _ want: String) -> DomainError {
        .invalid("\(command): argument '\(key)' must be \(want)")
    }

    mutating func value(_ key: String) -> JSONValue? {
        used.insert(key)
        guard let v = values[key] else { return nil }
        if case .null = v { return nil }
        return v
    }

    /// `s.trimmingCharacters(in: .whitespaces).isEmpty`, answered without Foundation when `s` has an ASCII
    /// character other than space or tab (the only ASCII members of `.whitespaces`).
    static func isBlank(_ s: String) -> Bool {
        if s.utf8.contains(where: { $0 < 0x80 && $0 != 0x20 && $0 != 0x09 }) { return false }
        return s.trimmingCharacters(in: .whitespaces).isEmpty
    }

    mutating func optionalString(_ key: String) throws(DomainError) -> String? {
        switch value(key) {
        case nil: return nil
        case .string(let s)?: return s
        case .number(let n)?: return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        default: throw bad(key, "a string")
        }
    }

    mutating func string(_ key: String) throws(DomainError) -> String {
        guard let s = try optionalString(key), !Args.isBlank(s) else {
            throw .invalid("\(command) needs '\(key)' (--\(key) on the command line)")
        }
        guard s.utf8.count <= 10_000 else { throw bad(key, "at most 10000 bytes") }
        return s
    }

    mutating func id(_ key: String, _ what: String) throws(DomainError) -> String {
        let s = try string(key)
        try checkID(s, what)
        return s
    }

    mutating func optionalDouble(_ key: String) throws(DomainError) -> Double? {
        switch value(key) {
        case nil: return nil
        case .number(let n)?: guard n.isFinite else { throw bad(key, "a finite number") }; return n
        case .string(let s)?: guard let n = Double(s), n.isFinite else { throw bad(key, "a number") }; return n
        default: throw bad(key, "a number")
        }
    }

    mutating func optionalInt(_ key: String) throws(DomainError) -> Int? {
        guard let d = try optionalDouble(key) else { return nil }
        guard d == d.rounded(), abs(d) < 1e15 else { throw bad(key, "a whole number") }
        return Int(d)
    }

    mutating func int(_ key: String) throws(DomainError) -> Int {
        guard let i = try optionalInt(key) else { throw .invalid("\(command) needs '\(key)'") }
        return i
    }

    mutating func optionalBool(_ key: String) throws(DomainError) -> Bool? {
        switch value(key) {
        case nil: return nil
        case .bool(let b)?: return b
        case .string(let s)?:
            switch s.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: throw bad(key, "true or false")
            }
        default: throw bad(key, "true or false")
        }
    }

    mutating func strings(_ key: String) throws(DomainError) -> [String] {
        switch value(key) {
        case nil: return []
        case .string(let s)?: return [s]
        case .array(let items)?:
            var out: [String] = []
            for i in items {
                guard case .string(let s) = i else { throw bad(key, "a list of strings") }
                out.append(s)
            }
            return out
        default: throw bad(key, "a string or a list of strings")
        }
    }

    /// `key` (`ed25519:...`) and `proof` (base64url), checked for `actor`; nil when neither is given and not `required`.
    mutating func keyGrant(actor: String, required: Bool) throws(DomainError) -> KeyGrant? {
        let key = try optionalString("key"), proof = try optionalString("proof")
        guard let key else {
            if required || proof != nil { throw .invalid("\(command) needs 'key' (the public key `align key generate` printed) and 'proof'") }
            return nil
        }
        guard let proof else { throw .invalid("\(command) needs 'proof' with 'key': the proof of possession `align key generate` printed") }
        return try KeyGrant(key: key, proof: proof, actor: actor)
    }

    mutating func optionalDate(_ key: String) throws(DomainError) -> String? {
        guard let s = try optionalString(key) else { return nil }
        guard DomainTime.parse(s) != nil else { throw bad(key, "an ISO 8601 date such as 2026-03-01") }
        return s
    }

    /// An optional enum given by its name; a name it does not have lists the ones it does.
    mutating func optionalRaw<E: RawRepresentable & CaseIterable>(_ key: String, as type: E.Type = E.self) throws(DomainError) -> E? where E.RawValue == String {
        guard let s = try optionalString(key) else { return nil }
        guard let e = E(rawValue: s) else {
            throw bad(key, "one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return e
    }

    mutating func roles() throws(DomainError) -> [Role] {
        let names = try strings("role")
        guard !names.isEmpty else { throw .invalid("\(command) needs at least one --role (\(Role.allCases.map(\.rawValue).joined(separator: ", ")))") }
        var roles: [Role] = []
        for n in names {
            guard let r = Role(rawValue: n) else {
                throw .invalid("role \(n.debugDescription) is not one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !roles.contains(r) { roles.append(r) }
        }
        return roles.sorted()
    }

    mutating func stage() throws(DomainError) -> Stage {
        let s = try string("stage")
        guard let stage = Stage(rawValue: s) else {
            throw .invalid("stage \(s.debugDescription) is not one of \(Stage.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return stage
    }

    mutating func override() throws(DomainError) -> String? {
        let flag = try optionalBool("override") ?? false
        let reason = try optionalString("reason")
        if flag {
            guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .invalid("\(command) --override needs --reason TEXT saying why the rule is set aside")
            }
            return reason
        }
        if reason != nil { throw .invalid("\(command): --reason is only taken with --override") }
        return nil
    }

    mutating func profile() throws(DomainError) -> [String: String] {
        switch value("profile") {
        case nil: return [:]
        case .object(let o)?:
            var out: [String: String] = [:]
            for (k, v) in o {
                switch v {
                case .string(let s): out[k] = s
                case .number(let n): out[k] = n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
                case .bool(let b): out[k] = String(b)
                default: throw bad("profile", "an object of strings")
                }
            }
            return out
        case .array(let items)?:
            var out: [String: String] = [:]
            for i in items {
                guard case .string(let s) = i, let eq = s.firstIndex(of: "="), eq != s.startIndex else {
                    throw bad("profile", "KEY=VALUE pairs")
                }
                out[String(s[..<eq])] = String(s[s.index(after: eq)...])
            }
            return out
        case .string(let s)?:
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else { throw bad("profile", "KEY=VALUE") }
            return [String(s[..<eq]): String(s[s.index(after: eq)...])]
        default: throw bad("profile", "an object of strings")
        }
    }

    mutating func signals() throws(DomainError) -> [Signal] {
        let items: [JSONValue]
        switch value("signal") {
        case nil: return []
        case .array(let a)?: items = a
        case let v?: items = [v]
        }
        var out: [Signal] = []
        for i in items {
            switch i {
            case .string(let s): out.append(try Signal.parse(s))
            case .object(let o):
                guard case .string(let name)? = o["name"], !name.isEmpty, case .string(let at)? = o["at"], let t = DomainTime.parse(at) else {
                    throw .invalid("a signal object needs \"name\" and \"at\" (ISO 8601), e.g. {\"name\": \"webinar.attended\", \"at\": \"2026-02-27T15:00:00Z\"}")
                }
                var detail: String?
                if case .string(let d)? = o["detail"] { detail = d }
                out.append(Signal(name: name, at: t, detail: detail))
            default: throw bad("signal", "\"NAME@TIME[:DETAIL]\" or an object")
            }
        }
        return out
    }

    func finish() throws(DomainError) {
        if values.count <= used.count, values.keys.allSatisfy({ used.contains($0) }) { return }
        let unknown = Set(values.keys).subtracting(used).sorted()
        if !unknown.isEmpty {
            throw .invalid("\(command) does not take \(unknown.map { "'\($0)'" }.joined(separator: ", "))")
        }
    }
}

extension Signal {
    /// Parses `NAME@TIME[:DETAIL]`, e.g. `webinar.attended@2026-02-27T15:00:00Z:Pricing webinar`.
    public static func parse(_ text: String) throws(DomainError) -> Signal {
        func bad() -> DomainError {
            .invalid("signal \(text.debugDescription) is not NAME@TIME[:DETAIL], e.g. \"webinar.attended@2026-02-27T15:00:00Z:Pricing webinar\"")
        }
        guard let atSign = text.firstIndex(of: "@"), atSign != text.startIndex else { throw bad() }
        let name = String(text[..<atSign])
        let rest = String(text[text.index(after: atSign)...])
        // The time is the longest prefix of `rest` that parses; a detail follows after ':'.
        var time: Date?
        var detail: String?
        if let t = DomainTime.parse(rest) {
            time = t
        } else {
            var idx = rest.endIndex
            while let colon = rest[..<idx].lastIndex(of: ":") {
                if let t = DomainTime.parse(String(rest[..<colon])) {
                    time = t
                    detail = String(rest[rest.index(after: colon)...])
                    break
                }
                idx = colon
            }
        }
        guard let time else {
            // A time that names no real instant (2026-02-30, year 0001, second 60) says so.
            var candidates = [rest]
            var end = rest.endIndex
            while let colon = rest[..<end].lastIndex(of: ":") { candidates.append(String(rest[..<colon])); end = colon }
            if let why = candidates.lazy.compactMap({ DomainTime.problem($0) }).first(where: { !$0.contains("is not an ISO 8601 time") }) {
                throw .invalid("signal \(text.debugDescription): \(why) (a signal is NAME@TIME[:DETAIL])")
            }
            throw bad()
        }
        guard Signal.isName(name) else { throw bad() }
        return Signal(name: name, at: time, detail: detail?.isEmpty == true ? nil : detail)
    }
}

/// ISO 8601 parsing for the domain (dates and date-times, UTC or with offsets).
public enum DomainTime {
    /// The time of an ISO 8601 text, nil unless it is a real calendar time in the years 1970–9999 that reads back
    /// identically (`problem` says why not).
    public static func parse(_ s: String) -> Date? {
        guard let us = ISOTime.parse(s), !isLeapSecond(s) else { return nil }
        let d = Date(timeIntervalSince1970: Double(us) / 1_000_000)
        guard BusinessTime.inRange(d), Int64((d.timeIntervalSince1970 * 1_000_000).rounded()) == us else { return nil }
        return d
    }

    public static func format(_ d: Date) -> String {
        ISOTime.format(microseconds: Int64((d.timeIntervalSince1970 * 1_000_000).rounded()))
    }
}
