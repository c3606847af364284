import AlignmentDomain
import Foundation
import ISOTime

/// Reading the values of a CRM export's cells: times, numbers, booleans, ids, and text made safe for the ledger.
enum CRMValue {
    /// A time as CRMs write it: ISO 8601 (`2026-03-02T14:05:00.000Z`, `2026-03-02T14:05:00.000+0000`), a plain date
    /// (`2026-03-02`, midnight UTC), a date-time without a zone (read as UTC, as HubSpot's exports write them), or
    /// epoch milliseconds (`1772460300000`). Nil for anything else, or a time outside the years 1970–9999.
    static func date(_ s: String) -> Date? {
        if !s.isEmpty, s.utf8.count <= 15, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let ms = Int64(s) {
            let d = Date(timeIntervalSince1970: Double(ms) / 1000)
            return BusinessTime.inRange(d) ? d : nil
        }
        var us = ISOTime.parse(s)
        if us == nil, s.utf8.count >= 16, s.utf8.count <= 30, !s.hasSuffix("Z"), !s.contains("+") {
            // A date-time without a zone (`2026-03-02 14:05`, `2026-03-02T14:05:00`): UTC.
            us = ISOTime.parse(s + "Z")
        }
        guard let us else { return nil }
        let d = Date(timeIntervalSince1970: Double(us) / 1_000_000)
        return BusinessTime.inRange(d) ? d : nil
    }

    /// Epoch milliseconds of a time (for sources that name a history entry by its time).
    static func millis(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }

    /// A number such as `1200`, `1,200` or `12000.50`; nil when it is not one.
    static func number(_ s: String) -> Double? {
        let plain = s.utf8.contains(where: { $0 == 0x2C || $0 == 0x5F }) ? String(s.filter { $0 != "," && $0 != "_" }) : s
        guard let d = Double(plain), d.isFinite else { return nil }
        return d
    }

    /// `true`/`false`, `1`/`0`, `yes`/`no` (any case); "" is false. Nil for anything else.
    static func bool(_ s: String) -> Bool? {
        switch s.lowercased() {
        case "true", "1", "yes", "y": true
        case "false", "0", "no", "n", "": false
        default: nil
        }
    }

    /// Whether `id` may be a ledger id: 1 to 100 ASCII letters, digits, '-', '_', '.' or '@' (the ledger also accepts
    /// other letters; a CRM's record ids never need them).
    static func isID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 100 && id.utf8.allSatisfy(isIDByte)
    }

    /// Whether `prefix` may begin a ledger id (empty, or id characters).
    static func isIDPrefix(_ prefix: String) -> Bool {
        prefix.utf8.count < 100 && prefix.utf8.allSatisfy(isIDByte)
    }

    private static func isIDByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F || b == 0x2E || b == 0x40
    }

    /// One line of printable text, for a profile value: line breaks and tabs become spaces, other hidden characters
    /// (controls, bidi controls, invisible format characters) are dropped, spaces are collapsed.
    static func name(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return s }
        var out = String.UnicodeScalarView()
        var space = false
        for c in s.unicodeScalars {
            if c == "\n" || c == "\r" || c == "\t" || c == " " {
                if !space, !out.isEmpty { out.append(" ") }
                space = true
            } else if !SafeText.isHidden(c) {
                out.append(c)
                space = false
            }
        }
        return String(String(out).trimmingCharacters(in: .whitespaces))
    }

    /// Free text, for a signal's detail or a rejection's note: line breaks and tabs are kept (CR LF becomes LF), other
    /// hidden characters are dropped; at most 500 characters.
    static func freeText(_ s: String) -> String {
        var t = s
        if !s.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x09 }) {
            var out = String.UnicodeScalarView()
            for c in s.replacingOccurrences(of: "\r\n", with: "\n").unicodeScalars where c == "\n" || c == "\t" || !SafeText.isHidden(c) {
                out.append(c)
            }
            t = String(out)
        }
        t = t.trimmingCharacters(in: .whitespacesAndNewlines)
        return t.count > 500 ? String(t.prefix(500)) : t
    }
}
