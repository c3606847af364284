import AlignmentDomain
import EventLog

extension AlignmentLedger {
    /// One line saying what an event did, as audit answers print it ("signed off mql v2: matches our ICP"); its
    /// stored text is made safe for a terminal.
    public static func describe(_ e: RecordedEvent) -> String { Terminal.safe(describeRaw(e)) }

    private static func describeRaw(_ e: RecordedEvent) -> String {
        switch decoded(e) {
        case .definitionProposed(let x)?: return "proposed \(x.definition) v\(x.version) \"\(x.title)\""
        case .definitionSignedOff(let x)?: return "signed off \(x.definition) v\(x.version)\(x.comment.map { ": \($0)" } ?? "")"
        case .definitionRejected(let x)?: return "rejected \(x.definition) v\(x.version): \(x.reason)"
        case .definitionActivated(let x)?:
            return "activated \(x.definition) v\(x.version) with \(x.signOffs)/\(x.quorum) sales sign-offs"
                + (x.supersedes.map { ", superseding v\($0)" } ?? "") + (x.override.map { "; OVERRIDE of \($0.rule): \($0.reason)" } ?? "")
        case .definitionRetired(let x)?: return "retired \(x.definition)" + (x.version.map { " (v\($0) was active)" } ?? "")
        case .campaignLaunched(let x)?:
            return "launched \(x.campaign) revision \(x.revision)\(x.reviewed ? " (reviewed)" : " (NOT reviewed)")" + (x.override.map { "; OVERRIDE: \($0.reason)" } ?? "")
        case .campaignReviewed(let x)?: return "\(x.approved ? "approved" : "requested changes to") \(x.campaign) revision \(x.revision)"
        case .leadHandedOff(let x)?:
            return "handed off \(x.lead) under \(x.definition) v\(x.definitionVersion) with \(x.signals.count) signal(s)" + (x.override.map { "; OVERRIDE: \($0.reason)" } ?? "")
        case .leadRejected(let x)?: return "rejected lead \(x.lead): \(x.reason.rawValue)"
        default: return "\(e.type) on \(e.stream)"
        }
    }
}
