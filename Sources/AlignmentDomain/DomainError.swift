/// Why the domain refused a command. Messages name the rule and the way forward.
public enum DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A rule refused the command (exit code 1).
    case refused(rule: String, message: String)
    /// Something named does not exist (exit code 1).
    case notFound(String)
    /// The command itself is malformed: a bad option, value or expression (exit code 2).
    case invalid(String)

    public var description: String {
        switch self {
        case .refused(let rule, let message): "refused by rule '\(rule)': \(message)"
        case .notFound(let message): message
        case .invalid(let message): message
        }
    }

    /// The rule's name, for refusals.
    public var rule: String? {
        if case .refused(let rule, _) = self { return rule }
        return nil
    }
}

/// Rule names, as they appear in refusals and overrides.
public enum Rule {
    public static let activeActor = "active-actor"
    public static let role = "role"
    public static let oneVerdictPerVersion = "one-verdict-per-version"
    public static let noSelfSignOff = "no-self-sign-off"
    public static let quorum = "sign-off-quorum"
    public static let noRejection = "no-rejection"
    public static let definitionLifecycle = "definition-lifecycle"
    public static let definitionActive = "definition-active-at-handoff"
    public static let requireContext = "handoff-requires-context"
    public static let campaignReview = "campaign-review-before-launch"
    public static let campaignLifecycle = "campaign-lifecycle"
    public static let leadLifecycle = "lead-lifecycle"
    public static let contentLifecycle = "content-lifecycle"
    public static let override = "override"
    public static let actors = "actor-management"
    public static let unique = "unique-id"
    public static let signature = "signed-by-actor"
    public static let offDefinition = "off-definition"
    public static let campaignLaunched = "campaign-launched-at-handoff"
    public static let adHocContent = "ad-hoc-content"
    public static let contentStage = "content-stage"
    public static let signalVocabulary = "signal-vocabulary"

    /// The rules a revops override may set aside (the `rule` an `Override` records).
    public static let overridable = [
        definitionActive, requireContext, signalVocabulary, campaignLaunched, offDefinition, quorum, noRejection,
        campaignReview, adHocContent, contentStage, maxBackdate,
    ]
}
