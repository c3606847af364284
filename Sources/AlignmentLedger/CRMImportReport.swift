import AlignmentProjections
import Foundation

extension CRMImportOutcome {
    /// The import's answer in words, then the scorecard it leaves (`align scorecard`'s lines).
    public var reportLines: [String] {
        var out: [String] = []
        out.append(dryRun ? "dry run: nothing was appended; this is what the import would record"
                          : "imported \(new) step(s) as \(events) event(s)\(head.map { " (head \($0))" } ?? "") in \(String(format: "%.1f", seconds)) s")
        out.append("read \(rows) row(s): \(leads) lead(s), \(steps) step(s): \(alreadyImported) already in the ledger, \(new) new")
        if !flagged.isEmpty {
            out.append("flagged imports (handoffs that break a rule, recorded and counted, not refused): "
                + flagged.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !refused.isEmpty {
            out.append("refused by the ledger's rules (\(refused.count)); a real import stops at the first:")
            out += refused.prefix(20).map { "  \($0.key) (\($0.source)): \($0.error)" }
            if refused.count > 20 { out.append("  ... and \(refused.count - 20) more (--json lists them all)") }
        }
        if !skippedRows.isEmpty {
            out.append("skipped \(skippedRows.count) malformed row(s):")
            out += skippedRows.prefix(20).map { "  \($0.file):\($0.line): \($0.message)" }
            if skippedRows.count > 20 { out.append("  ... and \(skippedRows.count - 20) more (--json lists them all)") }
        }
        if !notes.isEmpty {
            out.append("notes:")
            out += notes.map { "  \($0)" }
        }
        out.append("")
        out.append(dryRun ? "the scorecard after the import:" : "the scorecard:")
        return Terminal.safe(out) + scorecard.reportLines
    }
}
