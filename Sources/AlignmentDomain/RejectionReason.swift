/// Why sales rejected a lead.
public enum RejectionReason: String, Codable, CaseIterable, Sendable {
    case notICP = "not-icp", badTiming = "bad-timing", noBudget = "no-budget", duplicate
    case insufficientContext = "insufficient-context", noResponse = "no-response", other
}
