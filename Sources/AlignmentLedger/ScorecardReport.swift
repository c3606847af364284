import AlignmentProjections

extension Scorecard {
    /// The scorecard as text, within 80 columns, one unit per column: the indicators (per cent), the leads (counts,
    /// hours, per cent) and the closed loop per period, the overall details, the definition versions, the breakdown.
    public var reportLines: [String] {
        var out = ["Alignment scorecard" + (since.map { " since \($0)" } ?? "") + (until.map { " until \($0)" } ?? "")]
        let periodRows = periods + [overall]
        out.append("")
        out.append("Indicators, % of each total (the counts are in --json):")
        out += Scorecard.indicatorTable("PERIOD", periodRows.map { ($0.period, $0) })
        out += Scorecard.legend
        out.append("")
        out.append("Leads: handoff to acceptance in hours; open leads" + (asOf.map { " as of \($0)" } ?? "") + ":")
        out += Scorecard.leadTable("PERIOD", periodRows.map { ($0.period, $0) })
        out.append("IN SLA: accepted within the SLA\(slaHours.map { " (\($0) h)" } ?? "") / accepted + open past it")
        out.append("")
        out.append("Closed loop: % of decisions accepted, by whether the lead met its definition:")
        out += Scorecard.loopTable("PERIOD", periodRows.map { ($0.period, $0) })
        out.append("")
        out += overallLines
        if !byDefinitionVersion.isEmpty {
            out.append("")
            out += TextTable.lines(["DEFINITION", "HANDOFFS", "QUALIFIED %", "ACCEPTED %", "REJECTED %", "CONVERTED", "AMOUNT"],
                                   byDefinitionVersion.map { d in
                                       ["\(d.definition) v\(d.version)", "\(d.handoffs)", Scorecard.percent(d.qualifiedHandoffs),
                                        Scorecard.percent(d.acceptanceRate), Scorecard.percent(d.rejectionRate), "\(d.conversions)",
                                        Scorecard.amount(d.amount)]
                                   })
        }
        if let (by, rows) = breakdown {
            let name = by.rawValue.uppercased()
            let sorted = rows.sorted { $0.key < $1.key }.map { (by == .definition ? Scorecard.version($0.key) : $0.key, $0.value) }
            out.append("")
            out.append("By \(by.rawValue): " + Scorecard.breakdownMeaning(by))
            out += Scorecard.indicatorTable(name, sorted)
            out.append("")
            out += Scorecard.leadTable(name, sorted)
            out.append("")
            out += Scorecard.loopTable(name, sorted)
        }
        return Terminal.safe(out)
    }

    static let legend = [
        "1 QUORUM     definition versions activated with the sales quorum",
        "1 QUALIFIED  handoffs that met their definition version's criteria",
        "2 CONTEXT    handoffs with at least one behavioural signal",
        "3 BRIEF      campaign handoffs that carried the campaign's brief",
        "4 PLAN       content requests served from the plan (declines left out)",
        "5 REVIEWED   launches with an approving sales review before launch",
    ]

    static func breakdownMeaning(_ by: Breakdown) -> String {
        switch by {
        case .actor: "who acted (the marketer for handoffs, the seller for decisions)"
        case .owner: "the lead's owner (lead events only)"
        case .campaign: "the lead's campaign (and the campaign's launch)"
        case .definition: "the version a lead was handed off under"
        }
    }

    /// `57`: a ratio in whole per cent, `-` when it has no denominator.
    static func percent(_ r: Ratio) -> String {
        guard let v = r.value else { return "-" }
        return FixedPoint.format(v * 100, places: 0)
    }

    /// Minutes as hours with one decimal, `-` when none.
    static func hours(_ m: Int64?) -> String {
        guard let m else { return "-" }
        return FixedPoint.format(Double(m) / 60, places: 1)
    }

    static func amount(_ a: Double) -> String { FixedPoint.format(a, places: 2) }

    /// `mql@3` as `mql v3`.
    static func version(_ key: String) -> String {
        guard let at = key.lastIndex(of: "@") else { return key }
        return key[..<at] + " v" + key[key.index(after: at)...]
    }

    static func indicatorTable(_ first: String, _ rows: [(String, ScorecardRow)]) -> [String] {
        TextTable.lines([first, "1 QUORUM", "1 QUALIFIED", "2 CONTEXT", "3 BRIEF", "4 PLAN", "5 REVIEWED"], rows.map { k, r in
            [k, percent(r.definitionsWithQuorum), percent(r.qualifiedHandoffs), percent(r.handoffsWithContext),
             percent(r.campaignHandoffsWithBrief), percent(r.contentFromPlan), percent(r.launchesReviewed)]
        })
    }

    static func leadTable(_ first: String, _ rows: [(String, ScorecardRow)]) -> [String] {
        TextTable.lines([first, "HANDOFFS", "MEDIAN H", "P90 H", "IN SLA %", "REJECTED %", "OPEN", "PAST SLA"], rows.map { k, r in
            [k, "\(r.qualifiedHandoffs.denominator)", hours(r.acceptanceMedianMinutes), hours(r.acceptanceP90Minutes),
             percent(r.acceptedWithinSLA), percent(r.rejectionRate), "\(r.openLeads.total)",
             r.openLeads.withinSLA == nil ? "-" : "\(r.openLeads.misses)"]
        })
    }

    static func loopTable(_ first: String, _ rows: [(String, ScorecardRow)]) -> [String] {
        TextTable.lines([first, "MET %", "NOT MET %", "NOT EVALUATED", "CONVERTED", "AMOUNT"], rows.map { k, r in
            [k, percent(r.acceptanceMet), percent(r.acceptanceNotMet), "\(r.decisionsNotEvaluated)", "\(r.conversions)", amount(r.amount)]
        })
    }

    /// The overall row's details, each line within 80 columns.
    var overallLines: [String] {
        let o = overall
        func share(_ r: Ratio) -> String {
            guard let v = r.value else { return "\(r.numerator) of \(r.denominator)" }
            return "\(r.numerator) of \(r.denominator) (\(FixedPoint.format(v * 100, places: 0))%)"
        }
        var out: [String] = []
        out.append("qualified handoffs: \(share(o.qualifiedHandoffs)); not evaluated: \(o.handoffsNotEvaluated)")
        out.append("off definition: \(o.offDefinitionFlagged) flagged, \(o.offDefinitionAllowed) allowed, "
                   + "\(o.offDefinitionForced) forced by override")
        out.append("under a version activated by override: \(share(o.handoffsUnderOverrideVersion))")
        if o.importedHandoffs > 0 {
            out.append("imported from a CRM: \(o.importedHandoffs) handoffs, \(o.importFlagged) flagged (a rule broken in the CRM's history)")
        }
        out.append("campaign handoffs with no brief before them: \(o.campaignHandoffsNoBrief) (misses of 3)")
        let served = o.contentFromPlan.denominator
        out.append("content: \(o.contentDeclined.denominator) triaged, \(share(o.contentDeclined)) declined; "
                   + "\(o.contentAdHoc.numerator) of \(served) served ad hoc")
        var signals = ""
        if let m = o.meanSignalsPerHandoff { signals = "mean signals per handoff \(FixedPoint.format(m, places: 2)); " }
        out.append(signals + "overrides \(o.overrides)")
        if o.openLeads.total > 0 {
            let aged = o.openLeads.withinSLA.map { w in
                ": \(w) within the SLA, \(o.openLeads.pastSLA ?? 0) past it, \(o.openLeads.pastTwiceSLA ?? 0) past twice"
            } ?? " (not aged)"
            out.append("open leads: \(o.openLeads.total)" + aged)
        }
        if !o.rejectionsByReason.isEmpty {
            // Count first, then name: ties in a fixed order.
            let reasons = o.rejectionsByReason.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }
            out += Scorecard.wrap("rejections by reason: ", reasons)
        }
        return out
    }

    /// `items` after `head`, joined by ", " and wrapped at 80 columns (continuation lines indented by two).
    static func wrap(_ head: String, _ items: [String]) -> [String] {
        var lines: [String] = []
        var line = head
        for (i, item) in items.enumerated() {
            let piece = item + (i == items.count - 1 ? "" : ",")
            if line.count + piece.count + 1 > 80 && line != head && line != "  " {
                lines.append(line)
                line = "  "
            }
            line += (line == head || line == "  " ? "" : " ") + piece
        }
        lines.append(line)
        return lines
    }
}
