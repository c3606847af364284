import AlignmentDomain
import Foundation

/// The CRMs an import reads.
public enum CRM: String, Sendable, CaseIterable {
    case salesforce, hubspot
}

/// Where a CRM status, lifecycle stage or lead status puts a lead in the ledger's lifecycle.
public enum CRMStage: String, Sendable, CaseIterable, Decodable {
    /// Not (or no longer) handed off: a recycled lead goes back here.
    case open
    /// Handed off to sales (an MQL).
    case handoff
    /// Accepted by sales (SAL, working).
    case accepted
    /// Rejected by sales.
    case rejected
    /// Converted (an opportunity, a customer).
    case converted
}

/// How to read one CRM's export: which values mean which lifecycle stage, which CRM user is which actor, which
/// activities are which signals, and what definition the handoffs claim. Loaded from a JSON file
/// (`docs/IMPORT-MAPPING.md`); everything but `definition` and `handoffActor` has a default.
public struct CRMMapping: Decodable, Equatable, Sendable {
    /// The lead definition every imported handoff claims.
    public struct Definition: Decodable, Equatable, Sendable {
        /// The definition's id (`mql`).
        public var id: String
        /// The version the handoffs claim; nil for the version active at each handoff's time.
        public var version: Int?

        /// A definition, by id and optional version.
        public init(id: String, version: Int? = nil) {
            self.id = id
            self.version = version
        }
    }

    /// The definition every handoff claims (required).
    public var definition: Definition
    /// The marketing actor recording the handoffs (required).
    public var handoffActor: String
    /// CRM user id, username, email or full name → actor id.
    public var users: [String: String]
    /// The actor for owners `users` does not name; without it they are `CRMImportError.unmapped`.
    public var defaultOwner: String?
    /// Status, lifecycle stage or lead status → stage; over the CRM's defaults (`CRMMapping.defaultStages`).
    public var stages: [String: CRMStage]
    /// Status or disqualification reason → rejection reason; anything else is `other`.
    public var rejectionReasons: [String: RejectionReason]
    /// `CampaignMember:Responded`, `CampaignMember:<Status>`, `Task:<Type>`, `Event:<Type>`, `hubspot:<property>` →
    /// signal name.
    public var signals: [String: String]
    /// CRM campaign id (or name) → ledger campaign id.
    public var campaigns: [String: String]
    /// CRM column → profile field, over the defaults (`CRMMapping.defaultProfile`); a field "" leaves a default out.
    public var profile: [String: String]
    /// Put before every CRM record id to make the ledger's lead id (e.g. "sf-"); default "".
    public var leadPrefix: String

    /// A mapping in code (`load(path:)` reads one from a file); `check()` checks it.
    public init(definition: Definition, handoffActor: String, users: [String: String] = [:], defaultOwner: String? = nil,
                stages: [String: CRMStage] = [:], rejectionReasons: [String: RejectionReason] = [:], signals: [String: String] = [:],
                campaigns: [String: String] = [:], profile: [String: String] = [:], leadPrefix: String = "") {
        self.definition = definition
        self.handoffActor = handoffActor
        self.users = users
        self.defaultOwner = defaultOwner
        self.stages = stages
        self.rejectionReasons = rejectionReasons
        self.signals = signals
        self.campaigns = campaigns
        self.profile = profile
        self.leadPrefix = leadPrefix
    }

    private enum Key: String, CodingKey, CaseIterable {
        case definition, handoffActor, users, defaultOwner, stages, rejectionReasons, signals, campaigns, profile, leadPrefix
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes the JSON form; a missing required key, an unknown key or a value that is not a stage or a reason is
    /// `CRMImportError.mapping` naming it.
    public init(from decoder: any Decoder) throws {
        let any = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(Key.allCases.map(\.rawValue))
        if let unknown = any.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw CRMImportError.mapping("unknown key \"\(unknown)\"; the keys are \(Key.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let c = try decoder.container(keyedBy: Key.self)
        guard c.contains(.definition) else {
            throw CRMImportError.mapping("\"definition\" is required: the lead definition the handoffs claim, e.g. \"definition\": {\"id\": \"mql\", \"version\": 1}")
        }
        guard c.contains(.handoffActor) else {
            throw CRMImportError.mapping("\"handoffActor\" is required: the marketing actor who records the handoffs, e.g. \"handoffActor\": \"maria\"")
        }
        definition = try c.decode(Definition.self, forKey: .definition)
        handoffActor = try c.decode(String.self, forKey: .handoffActor)
        users = try c.decodeIfPresent([String: String].self, forKey: .users) ?? [:]
        defaultOwner = try c.decodeIfPresent(String.self, forKey: .defaultOwner)
        let stageNames = try c.decodeIfPresent([String: String].self, forKey: .stages) ?? [:]
        var stages: [String: CRMStage] = [:]
        for (value, name) in stageNames {
            guard let s = CRMStage(rawValue: name) else {
                throw CRMImportError.mapping("\"stages\": \"\(value)\" maps to \"\(name)\", which is not one of \(CRMStage.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            stages[value] = s
        }
        self.stages = stages
        let reasonNames = try c.decodeIfPresent([String: String].self, forKey: .rejectionReasons) ?? [:]
        var reasons: [String: RejectionReason] = [:]
        for (value, name) in reasonNames {
            guard let r = RejectionReason(rawValue: name) else {
                throw CRMImportError.mapping("\"rejectionReasons\": \"\(value)\" maps to \"\(name)\", which is not one of \(RejectionReason.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            reasons[value] = r
        }
        rejectionReasons = reasons
        signals = try c.decodeIfPresent([String: String].self, forKey: .signals) ?? [:]
        campaigns = try c.decodeIfPresent([String: String].self, forKey: .campaigns) ?? [:]
        profile = try c.decodeIfPresent([String: String].self, forKey: .profile) ?? [:]
        leadPrefix = try c.decodeIfPresent(String.self, forKey: .leadPrefix) ?? ""
    }

    /// Loads and checks a JSON mapping file; every problem is `.mapping` naming the key.
    public static func load(path: String) throws(CRMImportError) -> CRMMapping {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .mapping("\(path): cannot read the file")
        }
        do {
            return try parse(json: data)
        } catch .mapping(let m) {
            throw .mapping("\(path): \(m)")
        } catch {
            throw error
        }
    }

    /// Reads and checks a mapping from JSON text.
    public static func parse(json: Data) throws(CRMImportError) -> CRMMapping {
        let m: CRMMapping
        do {
            m = try JSONDecoder().decode(CRMMapping.self, from: json)
        } catch let e as CRMImportError {
            throw e
        } catch let e as DecodingError {
            throw .mapping(describe(e))
        } catch {
            throw .mapping("not JSON: \(error)")
        }
        try m.check()
        return m
    }

    private static func describe(_ e: DecodingError) -> String {
        func path(_ p: [any CodingKey]) -> String { p.isEmpty ? "the file" : "\"" + p.map(\.stringValue).joined(separator: ".") + "\"" }
        switch e {
        case .typeMismatch(let type, let c):
            let want = type == String.self ? "a string" : type == Int.self ? "a whole number"
                : "\(type)".hasPrefix("Dictionary") ? "an object of strings" : "\(type)"
            return "\(path(c.codingPath)) must be \(want)"
        case .valueNotFound(_, let c): return "\(path(c.codingPath)) must not be null"
        case .keyNotFound(let k, let c): return "\(path(c.codingPath + [k])) is required"
        case .dataCorrupted(let c): return c.codingPath.isEmpty ? "not JSON (\(c.debugDescription))" : "\(path(c.codingPath)): \(c.debugDescription)"
        @unknown default: return "\(e)"
        }
    }

    /// Checks the ids, names and keys a mapping holds; `.mapping` naming the key.
    public func check() throws(CRMImportError) {
        func id(_ v: String, _ key: String) throws(CRMImportError) {
            guard CRMValue.isID(v) else {
                throw .mapping("\(key): \"\(v)\" is not an id: use 1 to 100 letters, digits, '-', '_', '.' or '@'")
            }
        }
        try id(definition.id, "\"definition\".\"id\"")
        if let v = definition.version, v < 1 { throw .mapping("\"definition\".\"version\" must be 1 or more (it is \(v))") }
        try id(handoffActor, "\"handoffActor\"")
        for (k, v) in users.sorted(by: { $0.key < $1.key }) { try id(v, "\"users\".\"\(k)\"") }
        if let d = defaultOwner { try id(d, "\"defaultOwner\"") }
        for (k, v) in campaigns.sorted(by: { $0.key < $1.key }) { try id(v, "\"campaigns\".\"\(k)\"") }
        for (k, v) in signals.sorted(by: { $0.key < $1.key }) {
            let kind = k.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
            guard k.contains(":"), ["campaignmember", "task", "event", "hubspot"].contains(kind) else {
                throw .mapping("\"signals\": \"\(k)\" is not one of \"CampaignMember:Responded\", \"CampaignMember:<Status>\", \"Task:<Type>\", \"Event:<Type>\", \"hubspot:<property>\"")
            }
            guard Signal.isName(v) else {
                throw .mapping("\"signals\".\"\(k)\": \"\(v)\" is not a signal name: 1 to 64 letters, digits, '.', '_' or '-', e.g. \"webinar.attended\"")
            }
        }
        for (k, v) in profile.sorted(by: { $0.key < $1.key }) where !v.isEmpty {
            guard Signal.isName(v) else {
                throw .mapping("\"profile\".\"\(k)\": \"\(v)\" is not a profile field: 1 to 64 letters, digits, '.', '_' or '-', e.g. \"employees\"")
            }
        }
        guard CRMValue.isIDPrefix(leadPrefix) else {
            throw .mapping("\"leadPrefix\": \"\(leadPrefix)\" may hold only letters, digits, '-', '_', '.' or '@'")
        }
    }
}

extension CRMMapping {
    /// Salesforce's default Lead Status values.
    public static let salesforceStages: [String: CRMStage] = [
        "Open - Not Contacted": .handoff, "Working - Contacted": .accepted,
        "Closed - Converted": .converted, "Closed - Not Converted": .rejected,
    ]

    /// HubSpot's default lifecycle stages and lead statuses, by internal name and by label.
    public static let hubspotStages: [String: CRMStage] = [
        "subscriber": .open, "lead": .open, "marketingqualifiedlead": .handoff, "Marketing Qualified Lead": .handoff,
        "salesqualifiedlead": .accepted, "Sales Qualified Lead": .accepted, "opportunity": .accepted,
        "customer": .converted, "evangelist": .converted, "other": .open,
        "NEW": .handoff, "OPEN": .accepted, "IN_PROGRESS": .accepted, "In Progress": .accepted,
        "ATTEMPTED_TO_CONTACT": .accepted, "Attempted to Contact": .accepted, "CONNECTED": .accepted,
        "OPEN_DEAL": .accepted, "Open Deal": .accepted,
        "UNQUALIFIED": .rejected, "BAD_TIMING": .rejected, "Bad Timing": .rejected,
    ]

    /// The default stages of `crm`.
    public static func defaultStages(_ crm: CRM) -> [String: CRMStage] {
        crm == .salesforce ? salesforceStages : hubspotStages
    }

    /// The default rejection reasons of `crm` (anything else is `other`).
    public static func defaultRejectionReasons(_ crm: CRM) -> [String: RejectionReason] {
        crm == .salesforce ? [:] : ["BAD_TIMING": .badTiming, "Bad Timing": .badTiming]
    }

    /// The default profile columns of `crm` (HubSpot's by internal name; labels are read through the alias table).
    public static func defaultProfile(_ crm: CRM) -> [String: String] {
        switch crm {
        case .salesforce: ["Company": "company", "Industry": "industry", "NumberOfEmployees": "employees", "LeadSource": "source"]
        case .hubspot: ["company": "company", "industry": "industry", "numemployees": "employees", "hs_analytics_source": "source"]
        }
    }
}

/// A mapping made ready for one CRM: defaults merged in, keys matched case-insensitively.
struct MappingTables {
    let crm: CRM
    let mapping: CRMMapping
    private let stages: [String: CRMStage]
    private let reasons: [String: RejectionReason]
    private let signals: [String: String]
    private let usersExact: [String: String]
    private let usersFolded: [String: String]
    private let campaignsExact: [String: String]
    /// (CRM column, profile field), in field order.
    let profile: [(column: String, field: String)]
    /// Answers already looked up, by the value as written (an export repeats a few statuses and users on every row).
    private let memo = Memo()

    private final class Memo {
        var stages: [String: CRMStage?] = [:]
        var reasons: [String: RejectionReason?] = [:]
        var users: [String: String?] = [:]
    }

    init(_ mapping: CRMMapping, crm: CRM) {
        self.crm = crm
        self.mapping = mapping
        func fold<V>(_ base: [String: V], _ over: [String: V]) -> [String: V] {
            var out: [String: V] = [:]
            for (k, v) in base { out[Self.key(k)] = v }
            for (k, v) in over { out[Self.key(k)] = v }
            return out
        }
        stages = fold(CRMMapping.defaultStages(crm), mapping.stages)
        reasons = fold(CRMMapping.defaultRejectionReasons(crm), mapping.rejectionReasons)
        signals = fold([:], mapping.signals)
        usersExact = mapping.users
        usersFolded = fold([:], mapping.users)
        campaignsExact = mapping.campaigns
        var columns = CRMMapping.defaultProfile(crm)
        for (k, v) in mapping.profile {
            if let existing = columns.keys.first(where: { $0.lowercased() == k.lowercased() }) { columns[existing] = nil }
            columns[k] = v
        }
        profile = columns.filter { !$0.value.isEmpty }.map { (column: $0.key, field: $0.value) }.sorted { $0.field < $1.field }
    }

    static func key(_ s: String) -> String {
        let u = s.utf8
        if let f = u.first, let l = u.last, f == 0x20 || f == 0x09 || l == 0x20 || l == 0x09 {
            return s.trimmingCharacters(in: .whitespaces).lowercased()
        }
        return u.contains(where: { ($0 >= 0x41 && $0 <= 0x5A) || $0 >= 0x80 }) ? s.lowercased() : s
    }

    /// The stage of a CRM value (any case), nil when the mapping does not say.
    func stage(_ value: String) -> CRMStage? {
        if let known = memo.stages[value] { return known }
        let s = stages[Self.key(value)]
        if memo.stages.count < 10_000 { memo.stages[value] = .some(s) }
        return s
    }

    /// The rejection reason of a CRM value, nil when the mapping does not say.
    func reason(_ value: String) -> RejectionReason? {
        if value.isEmpty { return nil }
        if let known = memo.reasons[value] { return known }
        let r = reasons[Self.key(value)]
        if memo.reasons.count < 10_000 { memo.reasons[value] = .some(r) }
        return r
    }

    /// The signal name of `Kind:Value` (any case), nil when not mapped.
    func signal(_ kind: String, _ value: String) -> String? { signals[Self.key(kind + ":" + value)] }

    /// The actor of a CRM user id, username, email or name: exactly as written, else ignoring case.
    func user(_ value: String) -> String? {
        guard !value.isEmpty else { return nil }
        if let a = usersExact[value] { return a }
        if let known = memo.users[value] { return known }
        let a = usersFolded[Self.key(value)]
        if memo.users.count < 100_000 { memo.users[value] = .some(a) }
        return a
    }

    /// The ledger campaign of a CRM campaign id or name, nil when not mapped.
    func campaign(_ id: String, name: String?) -> String? {
        if let c = campaignsExact[id] { return c }
        if let name, !name.isEmpty, let c = campaignsExact[name] { return c }
        return nil
    }

    /// The ledger id of a CRM record id.
    func leadID(_ crmID: String) -> String { mapping.leadPrefix + crmID }

    /// The mapping entry that would map `value` as a stage, for an unmapped message.
    static func stageEntry(_ value: String) -> String {
        "\"stages\": {\(json(value)): \"open\"} (or \"handoff\", \"accepted\", \"rejected\", \"converted\")"
    }

    /// A JSON string literal.
    static func json(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: if c.value < 0x20 { out += String(format: "\\u%04x", c.value) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}
