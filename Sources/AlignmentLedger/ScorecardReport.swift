import AlignmentProjections

extension Scorecard {
    /// The scorecard as text: a table of the periods and the overall row, the legend, the breakdowns.
    public var reportLines: [String] {
        func pct(_ r: Ratio) -> String {
            guard let v = r.value else { return "-" }
            return "\(FixedPoint.format(v * 100, places: 0))% \(r.numerator)/\(r.denominator)"
        }
        // One unit for the whole column: hours, never `60m` above `71.0h`.
        func minutes(_ m: Int64?) -> String {
            guard let m else { return "-" }
            return FixedPoint.format(Double(m) / 60, places: 1) + "h"
        }
        let header = ["PERIOD", "1 DEF QUORUM", "2 CONTEXT", "3 BRIEF", "4 FROM PLAN", "5 REVIEWED", "MEDIAN", "P90", "IN SLA", "REJECTED"]
        func row(_ r: ScorecardRow) -> [String] {
            [r.period, pct(r.definitionsWithQuorum), pct(r.handoffsWithContext), pct(r.campaignHandoffsWithBrief), pct(r.contentFromPlan),
             pct(r.launchesReviewed), minutes(r.acceptanceMedianMinutes), minutes(r.acceptanceP90Minutes), pct(r.acceptedWithinSLA), pct(r.rejectionRate)]
        }
        var out = ["Alignment scorecard" + (since.map { " since \($0)" } ?? "") + (until.map { " until \($0)" } ?? "")]
        out += TextTable.lines(header, periods.map(row) + [row(overall)])
        out.append("1 definition versions activated with the sales quorum   2 handoffs with behavioural signals")
        out.append("3 campaign handoffs that carried the brief             4 content requests served from the plan")
        out.append("5 launches with an approving sales review              MEDIAN/P90: handoff to acceptance")
        let o = overall
        if let m = o.meanSignalsPerHandoff { out.append("mean signals per handoff \(FixedPoint.format(m, places: 2)); ad-hoc content \(pct(o.contentAdHoc)); overrides \(o.overrides)") }
        if !o.rejectionsByReason.isEmpty {
            out.append("rejections by reason: " + o.rejectionsByReason.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !byDefinitionVersion.isEmpty {
            out.append("rejection rate by definition version: " + byDefinitionVersion.map { "\($0.definition) v\($0.version) \(pct($0.rejectionRate))" }.joined(separator: ", "))
        }
        if let actors = byActor {
            out.append("")
            out += TextTable.lines(["ACTOR"] + header.dropFirst(), actors.sorted { $0.key < $1.key }.map { [$0.key] + row($0.value).dropFirst() })
        }
        return Terminal.safe(out)
    }
}
