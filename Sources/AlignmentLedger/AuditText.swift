import AlignmentDomain
import EventLog
import Foundation

// Audit answers as the text a person reads; each names the positions it rests on and the head. Stored text (names,
// comments, reasons) is shown through `Terminal.safe`: a comment cannot start a line of its own.

extension AuditTrail {
    /// One line per event (position, business time, recorded time and whether it was backdated past the policy's
    /// window, actor, what it did), then the head.
    public var lines: [String] {
        Terminal.safe((events.isEmpty ? ["(no events)"] : events.map { e in
            "#\(e.position)  \(e.occurredAt.iso8601) (\(TimeText.recorded(e, hours: maxBackdateHours)))  " + (imports[e.position].map { "\($0): " } ?? "")
                + "\(e.actor)  \(AlignmentLedger.describe(e))"
        })
            + ["head \(head)  (check with `align verify --checkpoint \(head)`)"])
    }
}

extension Approval {
    /// The version active at the time asked, its activation and sign-offs, then the head.
    public var answerLines: [String] {
        func date(_ d: Date) -> String { DomainTime.format(d) }
        func recorded(_ at: Date?, _ rec: Date?) -> String {
            guard let at, let rec else { return "" }
            return ", " + TimeText.recorded(at, rec, hours: maxBackdateHours)
        }
        guard let v = version else { return Terminal.safe(["No version of '\(definition)' was active at \(date(at)).", "head \(head)"]) }
        var out = ["'\(definition)' v\(v) \"\(title ?? "")\" was active at \(date(at)): from \(activeFrom.map(date) ?? "?")"
            + "\(activeUntil.map { " until \(date($0))" } ?? "") (activated at #\(activationPosition ?? 0)\(recorded(activeFrom, activationRecordedAt)))"]
        if signOffs.isEmpty { out.append("  signed off by nobody") }
        out += signOffs.map {
            "  signed off by \($0.actor) at \(date($0.at)) (#\($0.position)\(recorded($0.at, $0.recordedAt)))\($0.comment.map { ": \($0)" } ?? "")"
        }
        out += rejections.map {
            "  rejected by \($0.actor) at \(date($0.at)) (#\($0.position)\(recorded($0.at, $0.recordedAt))): \($0.reason)"
        }
        if let o = override { out.append("  activated by OVERRIDE of rule \(o.rule): \(o.reason)") }
        return Terminal.safe(out + ["head \(head)"])
    }
}

extension OverrideRecord {
    /// Every override as a table (business time, then when it was recorded and whether that was more than
    /// `maxBackdateHours` later), then the head.
    public static func tableLines(_ overrides: [OverrideRecord], head: Checkpoint,
                                  maxBackdateHours: Int = Policy.defaultMaxBackdateHours) -> [String] {
        (overrides.isEmpty ? ["(no overrides)"]
            : TextTable.lines(["POSITION", "AT", "RECORDED", "BY", "EVENT", "STREAM", "RULE", "REASON"], overrides.map {
                ["#\($0.position)", DomainTime.format($0.at), $0.recordedCell(maxBackdateHours), $0.actor, $0.type, $0.stream, $0.rule, $0.reason]
            })) + ["head \(head)"]
    }

    /// The recorded time, and `backdated 19d` past the window (`?` for a record kept without it).
    func recordedCell(_ hours: Int) -> String {
        guard let r = recordedAt else { return "?" }
        return DomainTime.format(r) + (BusinessTime.mark(at: at, recordedAt: r, hours: hours).map { " (\($0))" } ?? "")
    }
}
