import Foundation
import ISOTime

/// ISO 8601 dates for `JSONValueEncoder` / `JSONValueDecoder`: the same text as `ISOTime.format` (UTC,
/// fractional seconds only when there are any, to the microsecond) and the same acceptance as `ISOTime.parse`,
/// with fast paths for the common forms.
public enum JSONDates {
    /// Microseconds since the epoch, rounded; nil when out of range (or not finite).
    @inline(__always)
    static func microseconds(_ d: Date) -> Int64? {
        let us = (d.timeIntervalSince1970 * 1_000_000).rounded()
        // Keep well inside Int64 (about ±292,000 years).
        guard us.isFinite, us > -9.2e18, us < 9.2e18 else { return nil }
        return Int64(us)
    }

    /// `2026-03-01T09:00:00Z` (with `.ffffff` trimmed of trailing zeros when the date has a fraction of a second),
    /// exactly as `ISOTime.format(microseconds:)`; nil for dates too far out to represent.
    public static func format(_ d: Date) -> String? {
        guard let us = microseconds(d) else { return nil }
        return format(microseconds: us)
    }

    public static func format(microseconds us: Int64) -> String {
        var seconds = us / 1_000_000
        var micros = us % 1_000_000
        if micros < 0 { micros += 1_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var rem = seconds % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, d) = civil(fromDays: days)
        guard y >= 0, y <= 9999 else { return ISOTime.format(microseconds: us) }
        let hh = rem / 3600, mm = (rem % 3600) / 60, ss = rem % 60
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { b in
            @inline(__always) func two(_ v: Int64, _ at: Int) {
                b[at] = UInt8(truncatingIfNeeded: v / 10) &+ 48
                b[at + 1] = UInt8(truncatingIfNeeded: v % 10) &+ 48
            }
            two(y / 100, 0); two(y % 100, 2)
            b[4] = UInt8(ascii: "-"); two(m, 5)
            b[7] = UInt8(ascii: "-"); two(d, 8)
            b[10] = UInt8(ascii: "T"); two(hh, 11)
            b[13] = UInt8(ascii: ":"); two(mm, 14)
            b[16] = UInt8(ascii: ":"); two(ss, 17)
            var n = 19
            if micros != 0 {
                b[n] = UInt8(ascii: ".")
                n += 1
                var f = micros
                var digits = 6
                while f % 10 == 0 { f /= 10; digits -= 1 }
                var k = n + digits
                while k > n {
                    k -= 1
                    b[k] = UInt8(truncatingIfNeeded: f % 10) &+ 48
                    f /= 10
                }
                n += digits
            }
            b[n] = UInt8(ascii: "Z")
            n += 1
            return String(decoding: UnsafeBufferPointer(rebasing: b[0..<n]), as: UTF8.self)
        }
    }

    /// The date of an ISO 8601 text, accepting exactly what `ISOTime.parse` accepts.
    public static func parse(_ text: String) -> Date? {
        guard let us = parseMicroseconds(text) else { return nil }
        return Date(timeIntervalSince1970: Double(us) / 1_000_000)
    }

    /// Microseconds since the epoch, as `ISOTime.parse`; `YYYY-MM-DDTHH:MM:SSZ` is read without allocating.
    public static func parseMicroseconds(_ text: String) -> Int64? {
        let fast: Int64?? = text.utf8.withContiguousStorageIfAvailable { p -> Int64? in
            guard p.count == 20, p[4] == 45, p[7] == 45, p[10] == 84, p[13] == 58, p[16] == 58, p[19] == 90 else { return nil }
            @inline(__always) func digit(_ j: Int) -> Int64? {
                let c = p[j] &- 48
                return c < 10 ? Int64(c) : nil
            }
            @inline(__always) func two(_ j: Int) -> Int64? {
                guard let a = digit(j), let b = digit(j + 1) else { return nil }
                return a * 10 + b
            }
            guard let y1 = two(0), let y2 = two(2), let mo = two(5), let d = two(8),
                  let hh = two(11), let mm = two(14), let ss = two(17) else { return nil }
            guard (1...12).contains(mo), (1...31).contains(d), hh < 24, mm < 60, ss < 61 else { return nil }
            let secs = days(fromCivil: y1 * 100 + y2, mo, d) * 86_400 + hh * 3600 + mm * 60 + ss
            return secs * 1_000_000
        }
        if let fast, let fast { return fast }
        return ISOTime.parse(text)
    }

    // Howard Hinnant's algorithms, as in ISOTime.
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
