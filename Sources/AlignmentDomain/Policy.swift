/// The rules revops keeps. Changed only through `PolicyChanged` events, so its history is audited too.
public struct Policy: Codable, Equatable, Sendable {
    /// Sales sign-offs a definition version needs before activation.
    public var quorum: Int = 1
    /// Hours sales has to accept a handed-off lead.
    public var slaHours: Int = 24
    /// Handoffs must carry at least one behavioural signal.
    public var requireContext: Bool = true
    /// Campaigns must have an approving sales review of their latest draft before launch.
    public var requireCampaignReview: Bool = true
    /// Hours a command's business time may lie before its recording without an override or an import
    /// (`max-backdate`); views mark entries backdated by more.
    public var maxBackdateHours: Int = Policy.defaultMaxBackdateHours
    /// What happens to a handoff that does not meet the definition version it names (`off-definition`).
    public var offDefinition: OffDefinitionPolicy = .refuse
    /// Whether triage may make a content request ad hoc, outside the plan (`ad-hoc-content`).
    public var adHocContent: AdHocContentPolicy = .refuse
    /// The signal names handoffs and engagement criteria may use, sorted; empty: any name.
    public var signals: [String] = []

    /// The window of `maxBackdateHours` before it was set (and in `PolicyChanged` payloads written before it existed).
    public static let defaultMaxBackdateHours = 72

    public init() {}
}

extension Policy {
    /// The synthesized decoding, except that `maxBackdateHours` may be missing (payloads written before it existed
    /// read as the default), as `init(json:)` reads it.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        quorum = try c.decode(Int.self, forKey: .quorum)
        slaHours = try c.decode(Int.self, forKey: .slaHours)
        requireContext = try c.decode(Bool.self, forKey: .requireContext)
        requireCampaignReview = try c.decode(Bool.self, forKey: .requireCampaignReview)
        maxBackdateHours = try c.decodeIfPresent(Int.self, forKey: .maxBackdateHours) ?? Policy.defaultMaxBackdateHours
        offDefinition = try c.decodeIfPresent(OffDefinitionPolicy.self, forKey: .offDefinition) ?? .refuse
        adHocContent = try c.decodeIfPresent(AdHocContentPolicy.self, forKey: .adHocContent) ?? .refuse
        signals = try c.decodeIfPresent([String].self, forKey: .signals) ?? []
    }

    /// Whether a signal name may be used: any, when the policy keeps no vocabulary.
    public func knowsSignal(_ name: String) -> Bool {
        signals.isEmpty || signals.contains(name)
    }
}

/// What happens to a handoff that does not meet its definition: refused (a revops override can force it), recorded
/// and flagged, or recorded.
public enum OffDefinitionPolicy: String, Codable, CaseIterable, Sendable {
    case refuse, flag, allow
}

/// Whether triage may make a content request ad hoc (outside the plan) without a revops override.
public enum AdHocContentPolicy: String, Codable, CaseIterable, Sendable {
    case refuse, allow
}
