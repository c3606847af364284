import AlignmentLedger
import Foundation

/// `/scorecard`: the five indicators overall and week by week (a chart each), and the lead SLA (acceptance times and
/// the distribution of leads against the SLA). Read from the kept scorecard buckets, as `align scorecard` does: no
/// replay of the log per request.
enum ScorecardPage {
    /// The indicators shown, in the order of DESIGN.md: name and how to read it from a row.
    static let indicators: [(name: String, ratio: @Sendable (ScorecardRow) -> Ratio)] = [
        ("Definitions activated with sales quorum", { $0.definitionsWithQuorum }),
        ("Handoffs meeting their definition", { $0.qualifiedHandoffs }),
        ("Handoffs with behavioural context", { $0.handoffsWithContext }),
        ("Campaign handoffs carrying the brief", { $0.campaignHandoffsWithBrief }),
        ("Content requests served from the plan", { $0.contentFromPlan }),
        ("Launches reviewed by sales", { $0.launchesReviewed }),
        ("Leads accepted within the SLA", { $0.acceptedWithinSLA }),
    ]

    /// How many weeks the charts show (the most recent).
    static let weeks = 26

    static func render(_ r: WebRoutes.PageRequest) throws -> HTML {
        let card = try r.ledger.scorecard(period: .week, since: r.time("since"), until: r.time("until"), by: nil, now: r.now)
        let recent = Array(card.periods.suffix(weeks))
        let o = card.overall
        // The latest week in which anything was counted (the last weeks of a quiet ledger count nothing).
        let latest = recent.last { row in indicators.contains { $0.ratio(row).denominator > 0 } } ?? recent.last

        let rows = indicators.map { i -> HTML in
            "<tr><th scope=\"row\">\(i.name)</th><td>\(Layout.ratio(i.ratio(o)))</td><td>\(latest.map { Layout.ratio(i.ratio($0)) } ?? "–")</td></tr>"
        }
        let summary = Layout.table(caption: "Indicators, overall and in the latest week counted\(latest.map { " (\($0.period))" } ?? "")",
                                   head: ["Indicator", "Overall", "Latest week counted"], rows: rows, empty: "Nothing counted yet.")
        let charts = indicators.enumerated().map { (k, i) -> HTML in
            let points = recent.map { (label: $0.period, value: i.ratio($0).value) }
            return """
                <figure class="card"><figcaption>\(i.name), by week</figcaption>\
                \(Charts.trend(id: "trend-\(k)", title: "\(i.name), weekly share", points: points, max: 1) { "\(Int(($0 * 100).rounded())) %" })</figure>
                """
        }

        // The SLA: how long acceptance took, and where every lead stands against the SLA.
        let sla = try card.slaHours ?? r.ledger.ledgerState().policy.slaHours
        let accepted = o.acceptedWithinSLA.denominator - o.openLeads.misses
        let distribution: [(label: String, count: Int64, kind: String)] = [
            ("Accepted within SLA", o.acceptedWithinSLA.numerator, "good"),
            ("Accepted late", Swift.max(0, accepted - o.acceptedWithinSLA.numerator), "warn"),
            ("Open, within SLA", o.openLeads.withinSLA ?? 0, "neutral"),
            ("Open, past SLA", o.openLeads.pastSLA ?? 0, "warn"),
            ("Open, past twice the SLA", o.openLeads.pastTwiceSLA ?? 0, "bad"),
        ]
        let hours: (Int64?) -> Double? = { $0.map { Double($0) / 60 } }
        let slaMax = Swift.max(Double(sla) * 2, recent.compactMap { hours($0.acceptanceP90Minutes) }.max() ?? 0)
        let median = recent.map { (label: $0.period, value: hours($0.acceptanceMedianMinutes)) }
        let p90 = recent.map { (label: $0.period, value: hours($0.acceptanceP90Minutes)) }
        func h(_ m: Int64?) -> String { m.map { String(format: "%.1f h", Double($0) / 60) } ?? "–" }
        let reasons = o.rejectionsByReason.sorted { $0.key < $1.key }.map { HTML("<tr><th scope=\"row\">\($0.key)</th><td>\($0.value)</td></tr>") }

        return Layout.page(title: "Scorecard", path: "/scorecard", viewer: r.viewer, """
            <p>How aligned marketing and sales are: one indicator per failure mode, week by week\
            \(card.asOf.map { HTML(", open leads aged as of \(Layout.short($0))") } ?? "").</p>
            <form class="filters" method="get" action="/scorecard" aria-label="Scorecard period">
            \(Layout.field("Since", name: "since", type: "date", value: r.query["since"]))
            \(Layout.field("Until", name: "until", type: "date", value: r.query["until"]))
            <div class="actions"><button type="submit">Show</button></div></form>
            <section aria-labelledby="ind-h"><h2 id="ind-h">Indicators</h2>\(summary)</section>
            <section aria-labelledby="trend-h"><h2 id="trend-h">Weekly trend</h2><div class="charts">\(charts)</div></section>
            <section aria-labelledby="sla-h"><h2 id="sla-h">Lead SLA (\(sla) hours)</h2>
            <div class="charts">
            <figure class="card"><figcaption>Leads against the SLA</figcaption>\(Charts.bars(id: "sla-dist", title: "Leads against the SLA", distribution))</figure>
            <figure class="card"><figcaption>Hours to acceptance, median by week</figcaption>\
            \(Charts.trend(id: "sla-median", title: "Median hours to acceptance, by week", points: median, max: slaMax) { String(format: "%.0f h", $0) })</figure>
            <figure class="card"><figcaption>Hours to acceptance, 90th percentile by week</figcaption>\
            \(Charts.trend(id: "sla-p90", title: "90th percentile hours to acceptance, by week", points: p90, max: slaMax) { String(format: "%.0f h", $0) })</figure>
            </div>
            <dl class="facts"><dt>Median to acceptance</dt><dd>\(h(o.acceptanceMedianMinutes))</dd>
            <dt>90th percentile</dt><dd>\(h(o.acceptanceP90Minutes))</dd>
            <dt>Open leads</dt><dd>\(o.openLeads.total)</dd>
            <dt>Rejection rate</dt><dd>\(Layout.ratio(o.rejectionRate))</dd>
            <dt>Conversions</dt><dd>\(o.conversions) (\(String(format: "%.2f", o.amount)))</dd>
            <dt>Overrides</dt><dd>\(o.overrides)</dd></dl>
            \(Layout.table(caption: "Rejections by reason", head: ["Reason", "Leads"], rows: reasons, empty: "No lead rejected."))
            </section>
            """)
    }
}
