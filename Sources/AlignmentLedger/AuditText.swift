import AlignmentDomain
import EventLog
import Foundation

// Audit answers as the text a person reads; each names the positions it rests on and the head. Stored text (names,
// comments, reasons) is shown through `Terminal.safe`: a comment cannot start a line of its own.

extension AuditTrail {
    /// One line per event (position, business time, actor, what it did), then the head.
    public var lines: [String] {
        Terminal.safe((events.isEmpty ? ["(no events)"] : events.map { e in
            "#\(e.position)  \(e.occurredAt.iso8601)  " + (imports[e.position].map { "\($0): " } ?? "") + "\(e.actor)  \(AlignmentLedger.describe(e))"
        })
            + ["head \(head)  (check with `align verify --checkpoint \(head)`)"])
    }
}

extension Approval {
    /// The version active at the time asked, its activation and sign-offs, then the head.
    public var answerLines: [String] {
        func date(_ d: Date) -> String { DomainTime.format(d) }
        guard let v = version else { return Terminal.safe(["No version of '\(definition)' was active at \(date(at)).", "head \(head)"]) }
        var out = ["'\(definition)' v\(v) \"\(title ?? "")\" was active at \(date(at)): from \(activeFrom.map(date) ?? "?")"
            + "\(activeUntil.map { " until \(date($0))" } ?? "") (activated at #\(activationPosition ?? 0))"]
        if signOffs.isEmpty { out.append("  signed off by nobody") }
        out += signOffs.map { "  signed off by \($0.actor) at \(date($0.at)) (#\($0.position))\($0.comment.map { ": \($0)" } ?? "")" }
        if let o = override { out.append("  activated by OVERRIDE of rule \(o.rule): \(o.reason)") }
        return Terminal.safe(out + ["head \(head)"])
    }
}

extension OverrideRecord {
    /// Every override as a table, then the head.
    public static func tableLines(_ overrides: [OverrideRecord], head: Checkpoint) -> [String] {
        (overrides.isEmpty ? ["(no overrides)"]
            : TextTable.lines(["POSITION", "AT", "BY", "EVENT", "STREAM", "RULE", "REASON"], overrides.map {
                ["#\($0.position)", DomainTime.format($0.at), $0.actor, $0.type, $0.stream, $0.rule, $0.reason]
            })) + ["head \(head)"]
    }
}
