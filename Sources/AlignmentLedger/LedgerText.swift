import AlignmentDomain
import EventLog
import Foundation

// Answers about the ledger as a whole, as text.

extension StateSummary {
    /// What was in force: active definitions, open campaigns, leads by status, the content plan.
    public var lines: [String] {
        func list(_ items: [String], _ none: String) -> String { items.isEmpty ? none : items.joined(separator: ", ") }
        let folded = at == nil ? "\(events) events through position \(position)"
            : "\(events) events dated at or before it" + (events > 0 ? ", the last at position \(position)" : "")
        return Terminal.safe(["State as of \(at.map { "business time \($0)" } ?? "position \(position)") (\(folded); head \(head))",
                "active definitions: " + list(activeDefinitions.map { "\($0.definition) v\($0.version)" }, "none"),
                "open campaigns:     " + list(openCampaigns.map { "\($0.campaign) (\($0.status))" }, "none"),
                "leads by status:    " + list(leadsByStatus.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }, "none"),
                "content plan:       " + list(contentPlan.map { "\($0.asset) (\($0.stage))" }, "empty")])
    }
}

extension ProjectionStatus {
    /// Each kept read model's version and checkpoint beside the head.
    public var tableLines: [String] {
        TextTable.lines(["PROJECTION", "VERSION", "CHECKPOINT", "HEAD"], projections.map {
            [$0.name, String($0.keptVersion), String($0.checkpoint), String(headPosition)]
        }) + (foldedInMemoryThrough.map { ["read-only ledger: answers fold the events the kept models lack in memory, through #\($0) (nothing is kept)"] } ?? [])
    }
}

extension AlignmentLedger {
    /// One line of the log view: position, business time, actor, type, stream and version.
    public static func logLine(_ e: RecordedEvent) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }  // never cuts
        return "\(pad(String(e.position), 7)) \(e.occurredAt.iso8601)  \(pad(Terminal.safe(e.actor), 10)) \(pad(Terminal.safe(e.type), 26)) \(Terminal.safe(e.stream))@\(e.version)"
    }

    /// The ledger at `path`: id, format, events, streams, size and the head checkpoint.
    public static func statsLines(_ s: LedgerStats, path: String) -> [String] {
        Terminal.safe(["ledger      \(path) (id \(s.ledgerID.uuidString.lowercased()), format \(s.formatVersion))", "events      \(s.events)",
         "streams     \(s.streams)", "size        \(ByteCountFormatter.string(fromByteCount: s.sizeOnDisk, countStyle: .file))",
         "checkpoint  \(s.head)"])
    }
}
