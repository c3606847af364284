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

    public init() {}
}
