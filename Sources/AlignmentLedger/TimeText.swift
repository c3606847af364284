import AlignmentDomain
import EventLog
import Foundation

// Business time beside recorded time, as audit and show views print them: every entry says when it was recorded,
// and one backdated by more than the policy's window (`policy set --max-backdate`) says so.

/// The recorded-time note of views.
public enum TimeText {
    /// `recorded 2026-04-06T09:01:00Z`, then `, backdated 14d` when the business time `at` lies more than `hours` before it.
    public static func recorded(_ at: Date, _ recordedAt: Date, hours: Int) -> String {
        "recorded \(DomainTime.format(recordedAt))" + (BusinessTime.mark(at: at, recordedAt: recordedAt, hours: hours).map { ", " + $0 } ?? "")
    }

    /// The same for a stored event.
    public static func recorded(_ e: RecordedEvent, hours: Int) -> String {
        recorded(e.occurredAt.date, e.recordedAt.date, hours: hours)
    }
}

extension AlignmentLedger {
    /// The backdating window of the policy in force now (what views mark entries against).
    public func maxBackdateHours() throws -> Int { try ledgerState().policy.maxBackdateHours }
}
