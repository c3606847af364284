/// Buy-cycle stages that content is planned for.
public enum Stage: String, Codable, CaseIterable, Sendable {
    case awareness, consideration, decision, onboarding, expansion
}
