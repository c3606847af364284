/// A forced step: who may, and why. Recorded in the event; the scorecard counts it as a miss.
public struct Override: Codable, Equatable, Sendable {
    public var reason: String
    /// The rule that would have refused the step.
    public var rule: String

    public init(reason: String, rule: String) {
        self.reason = reason
        self.rule = rule
    }
}
