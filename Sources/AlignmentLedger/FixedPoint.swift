/// Decimal text of a number with a fixed number of places, for the text views.
///
/// `String(format: "%.2f")` goes through Foundation's locale-aware formatting and the runtime's protocol conformance
/// scan (`CVarArg`); in the static binary its first use cost about 0.3 ms of a 13 ms `align scorecard` on a 1M-event
/// ledger (perf record, 2026-12-07). Values here are ratios, hours and seconds, far inside Int64.
enum FixedPoint {
    /// `v` rounded to `places` decimals (0...6) as printf rounds: from the exact binary value, ties to even.
    /// (`(v * 100).rounded()` is not enough: 267 minutes are 4.45 hours, stored a little above 4.45, which printf
    /// shows as 4.5 while the product rounds to 44.5 and then to 4.4.)
    static func format(_ v: Double, places: Int) -> String {
        let places = min(max(places, 0), 6)
        var scale: UInt64 = 1
        for _ in 0..<places { scale *= 10 }
        guard v.isFinite, v.magnitude * Double(scale) < 9e15 else { return "\(v)" }
        let n = scaledRounded(v.magnitude, scale)
        var out = v < 0 && n != 0 ? "-" : ""
        out += String(n / scale)
        guard places > 0 else { return out }
        let fraction = String(n % scale)
        return out + "." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// `v * scale` rounded to an integer, ties to even, computed exactly: `v` is `m * 2^e` with an integer `m`.
    private static func scaledRounded(_ v: Double, _ scale: UInt64) -> UInt64 {
        guard v > 0 else { return 0 }
        let m = v.significandBitPattern | (v.isNormal ? 1 << 52 : 0)
        let e = Int(v.exponent) - 52
        if e >= 0 { return (m << UInt64(e)) * scale }  // an integer already (below 9e15 by the guard above)
        let shift = -e
        let product = UInt128(m) * UInt128(scale)  // below 2^73
        guard shift < 100 else { return 0 }  // below 2^-26: rounds to 0 at six places
        let q = product >> shift
        let r = product - (q << shift)
        let half = UInt128(1) << (shift - 1)
        return UInt64(r > half || (r == half && q & 1 == 1) ? q + 1 : q)
    }
}
