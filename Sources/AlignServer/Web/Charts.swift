import Foundation

/// Inline SVG charts (no script, no style attribute: colours come from the stylesheet's classes). Each chart is an
/// image with a title for screen readers; the numbers are also in the page's tables.
enum Charts {
    /// A line over periods: `points` in order (nil: nothing counted that period, a gap in the line), on a scale from 0
    /// to `max`; `format` writes a value for the axis and the points' titles.
    static func trend(id: String, title: String, points: [(label: String, value: Double?)], max: Double,
                      format: (Double) -> String) -> HTML {
        let (w, h, left, right, top, bottom) = (320.0, 140.0, 44.0, 8.0, 10.0, 112.0)
        let scale = max > 0 ? max : 1
        func x(_ i: Int) -> Double { points.count <= 1 ? (left + w - right) / 2 : left + Double(i) * (w - right - left) / Double(points.count - 1) }
        func y(_ v: Double) -> Double { bottom - Swift.min(v, scale) / scale * (bottom - top) }
        func n(_ v: Double) -> String { String(format: "%.1f", v) }
        var segments: [[(Double, Double)]] = [[]]
        var dots: [HTML] = []
        for (i, p) in points.enumerated() {
            guard let v = p.value else { if !(segments.last?.isEmpty ?? true) { segments.append([]) }; continue }
            segments[segments.count - 1].append((x(i), y(v)))
            dots.append("<circle class=\"dot\" cx=\"\(n(x(i)))\" cy=\"\(n(y(v)))\" r=\"2.5\"><title>\(p.label): \(format(v))</title></circle>")
        }
        let lines = segments.filter { $0.count > 1 }.map { seg -> HTML in
            "<polyline class=\"line\" points=\"\(seg.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " "))\"/>"
        }
        let grid = [0, 0.5, 1].map { f -> HTML in
            let yy = n(y(f * scale))
            return "<line class=\"grid\" x1=\"\(n(left))\" x2=\"\(n(w - right))\" y1=\"\(yy)\" y2=\"\(yy)\"/><text class=\"axis\" x=\"\(n(left - 4))\" y=\"\(yy)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(format(f * scale))</text>"
        }
        let labels: HTML = points.isEmpty ? "<text class=\"axis\" x=\"160\" y=\"70\" text-anchor=\"middle\">nothing counted yet</text>" : """
            <text class="axis" x="\(n(left))" y="\(n(h - 6))">\(points.first?.label ?? "")</text>\
            <text class="axis" x="\(n(w - right))" y="\(n(h - 6))" text-anchor="end">\(points.last?.label ?? "")</text>
            """
        return """
            <svg class="chart" viewBox="0 0 \(Int(w)) \(Int(h))" role="img" aria-labelledby="\(id)"><title id="\(id)">\(title)</title>\(grid)\(lines)\(dots)\(labels)</svg>
            """
    }

    /// Horizontal bars: one per `(label, count, class)`, scaled to the largest.
    static func bars(id: String, title: String, _ bars: [(label: String, count: Int64, kind: String)]) -> HTML {
        let most = Swift.max(1, bars.map(\.count).max() ?? 1)
        let rowHeight = 26.0, labelWidth = 150.0, width = 320.0
        let rows = bars.enumerated().map { (i, b) -> HTML in
            let y = Double(i) * rowHeight + 4
            let len = Double(b.count) / Double(most) * (width - labelWidth - 44)
            return """
                <text class="axis" x="0" y="\(String(format: "%.1f", y + 13))">\(b.label)</text>\
                <rect class="bar \(b.kind)" x="\(Int(labelWidth))" y="\(String(format: "%.1f", y + 2))" width="\(String(format: "%.1f", Swift.max(len, 1)))" height="16"><title>\(b.label): \(b.count)</title></rect>\
                <text class="axis" x="\(String(format: "%.1f", labelWidth + Swift.max(len, 1) + 4))" y="\(String(format: "%.1f", y + 13))">\(b.count)</text>
                """
        }
        let height = Int(Double(bars.count) * rowHeight + 8)
        return """
            <svg class="chart" viewBox="0 0 \(Int(width)) \(height)" role="img" aria-labelledby="\(id)"><title id="\(id)">\(title)</title>\(rows)</svg>
            """
    }
}
