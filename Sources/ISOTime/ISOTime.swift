import Foundation

/// Fast ISO 8601 date-time parsing and formatting (UTC), shared by the log and the domain. Pure.
///
/// Pays for itself against `Date.ISO8601FormatStyle`: `format` takes 61–102 ns against 235–302 ns (2.7–5.0x)
/// and `parse` 24–38 ns against 0.53–0.75 µs (15–26x), on timestamps with and without microseconds
/// (`align-bench --only json`, release build, medians of 9 runs, six runs on 2026-12-07 (docs/BENCHMARKS.md)).
/// One `parse` also reads every form the CLI accepts (a bare date, a space for the `T`, an offset with or
/// without a colon), where the format style needs one configuration per form.
public enum ISOTime {
    /// `2026-03-01T09:00:00Z`, with fractional seconds only when there are any. Years 0...9999 are written
    /// through a stack buffer without intermediate strings; others through `append`.
    public static func format(microseconds us: Int64) -> String {
        let (y, m, d, rem, micros) = fields(microseconds: us)
        guard y >= 0, y <= 9999 else {
            var out: [UInt8] = []
            append(microseconds: us, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
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

    /// Year, month, day, second of the day and microseconds of a timestamp (UTC; floor division, so times before
    /// 1970 come out right).
    @inline(__always)
    private static func fields(microseconds us: Int64) -> (Int64, Int64, Int64, Int64, Int64) {
        var seconds = us / 1_000_000
        var micros = us % 1_000_000
        if micros < 0 { micros += 1_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var rem = seconds % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, d) = civil(fromDays: days)
        return (y, m, d, rem, micros)
    }

    /// Appends the same text as `format` to a byte buffer, without allocating strings (export writes millions).
    public static func append(microseconds us: Int64, to out: inout [UInt8]) {
        let (y, m, d, rem, micros) = fields(microseconds: us)
        func digits(_ v: Int64, _ n: Int) {
            // In place, right to left: a temporary array here was a third of an export's time.
            var v = v < 0 ? 0 : v
            let start = out.count
            for _ in 0..<n { out.append(48) }
            var i = start + n - 1
            while i >= start { out[i] = UInt8(48 + v % 10); v /= 10; i -= 1 }
        }
        digits(y, 4); out.append(45); digits(m, 2); out.append(45); digits(d, 2); out.append(84)
        digits(rem / 3600, 2); out.append(58); digits((rem % 3600) / 60, 2); out.append(58); digits(rem % 60, 2)
        if micros != 0 {
            out.append(46)
            var n = 6
            var f = micros
            while f % 10 == 0 { f /= 10; n -= 1 }
            digits(f, n)
        }
        out.append(90)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, the common form (nil for any other form).
    @inline(__always)
    static func parseFast(utf8 p: UnsafeBufferPointer<UInt8>) -> Int64? {
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
        let y = y1 * 100 + y2
        guard (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y), hh < 24, mm < 60, ss < 61 else { return nil }
        let secs = days(fromCivil: y, mo, d) * 86_400 + hh * 3600 + mm * 60 + ss
        return secs * 1_000_000
    }

    /// The number of days in month `m` (1...12) of year `y` (proleptic Gregorian: leap every 4 years, except
    /// centuries not divisible by 400).
    @inline(__always)
    static func daysIn(month m: Int64, year y: Int64) -> Int64 {
        switch m {
        case 2: return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days-from-civil algorithms.
    /// The proleptic Gregorian (year, month, day) of a day number (days since 1970-01-01).
    public static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
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

    /// The day number (days since 1970-01-01) of a proleptic Gregorian year, month and day.
    public static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Microseconds since the epoch for `2026-03-01T09:00:00Z`, `2026-03-01T10:00:00.5+01:00` or `2026-03-01` (midnight UTC).
    ///
    /// Accepted: a four-digit year (0000...9999) and a day that exists in its month (`2026-02-30` and `2025-02-29`
    /// are refused, `2024-02-29` is not); then nothing (midnight UTC) or `T`/`t`/space, `HH:MM`, optional `:SS`
    /// (`60` allowed for a leap second), an optional fraction after `.` or `,` (any number of digits, truncated to
    /// microseconds) and `Z`/`z` or an offset `±HH:MM` / `±HHMM`. Anything else gives nil.
    /// Read from the text's UTF-8 without allocating (unless the string is not stored as UTF-8).
    public static func parse(_ text: String) -> Int64? {
        if let us = text.utf8.withContiguousStorageIfAvailable({ parse(utf8: $0) }) { return us }
        return Array(text.utf8).withUnsafeBufferPointer { parse(utf8: $0) }
    }

    /// `parse` on the UTF-8 bytes of a text, without allocating. Only ASCII is ever accepted, so any other
    /// bytes (valid UTF-8 or not) are refused, as they are in a `String`.
    public static func parse(utf8: UnsafeBufferPointer<UInt8>) -> Int64? {
        if let fast = parseFast(utf8: utf8) { return fast }
        return parseGeneral(utf8)
    }

    /// A position in a text being parsed (a struct rather than closures over a variable, which would be checked
    /// for exclusive access at run time).
    struct Cursor {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0

        /// The `n`-digit number at `i`.
        mutating func num(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for j in i..<(i + n) {
                let c = b[j]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            i += n
            return v
        }

        /// Whether `c` is at `i` (and if so, moves past it).
        mutating func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
    }

    static func parseGeneral(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var c = Cursor(b: b)
        guard let y = c.num(4), c.expect(45), let mo = c.num(2), c.expect(45), let d = c.num(2) else { return nil }
        guard (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y) else { return nil }
        var secs = days(fromCivil: y, mo, d) * 86_400
        var micros: Int64 = 0
        if c.i == b.count { return secs * 1_000_000 }
        guard c.expect(84) || c.expect(116) || c.expect(32) else { return nil }  // T, t or space
        guard let hh = c.num(2), c.expect(58), let mm = c.num(2) else { return nil }
        var ss: Int64 = 0
        if c.expect(58) { guard let s = c.num(2) else { return nil }; ss = s }
        guard hh < 24, mm < 60, ss < 61 else { return nil }
        secs += hh * 3600 + mm * 60 + ss
        if c.expect(46) || c.expect(44) {
            var digits = 0
            var frac: Int64 = 0
            while c.i < b.count, b[c.i] >= 48, b[c.i] <= 57 {
                if digits < 6 { frac = frac * 10 + Int64(b[c.i] - 48) }
                digits += 1
                c.i += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 6)..<6 { frac *= 10 }
            micros = frac
        }
        if c.expect(90) || c.expect(122) {
            // UTC
        } else if c.i < b.count, b[c.i] == 43 || b[c.i] == 45 {
            let sign: Int64 = b[c.i] == 43 ? 1 : -1
            c.i += 1
            guard let oh = c.num(2) else { return nil }
            _ = c.expect(58)
            guard let om = c.num(2), oh < 24, om < 60 else { return nil }
            secs -= sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard c.i == b.count else { return nil }
        return secs * 1_000_000 + micros
    }
}

