import JSONCore
/// Canonical JSON: validates a JSON text and rewrites it with object keys sorted by their UTF-8 bytes, no
/// insignificant whitespace, strings with minimal escaping, numbers kept as written. Duplicate keys,
/// invalid UTF-8, trailing bytes and nesting deeper than 256 are refused.
public enum CanonicalJSON {
    /// Why a JSON text was refused, with the byte offset.
    public struct Error: Swift.Error, Equatable, CustomStringConvertible, Sendable {
        public var offset: Int
        public var reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    static let maxDepth = 256

    /// Returns the canonical form of `bytes`, or throws why it is not valid JSON.
    public static func canonicalize(_ bytes: [UInt8]) throws(Error) -> [UInt8] {
        try bytes.withUnsafeBufferPointer { (p) throws(Error) in
            var parser = Parser(p: p)
            var out = [UInt8]()
            out.reserveCapacity(bytes.count)
            parser.skipWS()
            try parser.value(into: &out, depth: 0)
            parser.skipWS()
            guard parser.i == p.count else { throw Error(offset: parser.i, reason: "unexpected bytes after the JSON value") }
            return out
        }
    }

    /// True when `bytes` is already canonical (the fast path for payloads made by our own encoder).
    public static func isCanonical(_ bytes: [UInt8]) -> Bool {
        isCanonicalFast(bytes) || (try? canonicalize(bytes)) == bytes
    }

    /// True only when `bytes` is valid JSON already in canonical form, so that `canonicalize(bytes) == bytes`.
    /// One pass, no allocation. It may answer false for some canonical texts (object keys with escapes) and for
    /// every invalid one; callers then run `canonicalize`, which decides and reports the error.
    static func isCanonicalFast(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { p in
            var c = Checker(p: p)
            return c.value(depth: 0) && c.i == p.count
        }
    }

    /// Mirrors `Parser` on canonical input: no whitespace, keys strictly ascending, minimal escapes.
    struct Checker {
        let p: UnsafeBufferPointer<UInt8>
        var i = 0

        mutating func value(depth: Int) -> Bool {
            guard depth < CanonicalJSON.maxDepth, i < p.count else { return false }
            switch p[i] {
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "\""): return string() != nil
            case UInt8(ascii: "t"): return literal(0x74, 0x72, 0x75, 0x65, nil)
            case UInt8(ascii: "f"): return literal(0x66, 0x61, 0x6C, 0x73, 0x65)
            case UInt8(ascii: "n"): return literal(0x6E, 0x75, 0x6C, 0x6C, nil)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
            default: return false
            }
        }

        mutating func literal(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ e: UInt8?) -> Bool {
            let n = e == nil ? 4 : 5
            guard i + n <= p.count, p[i] == a, p[i + 1] == b, p[i + 2] == c, p[i + 3] == d else { return false }
            if let e, p[i + 4] != e { return false }
            i += n
            return true
        }

        @inline(__always) func digit(_ j: Int) -> Bool { j < p.count && p[j] >= 48 && p[j] <= 57 }

        mutating func number() -> Bool {
            if p[i] == UInt8(ascii: "-") { i += 1 }
            guard i < p.count else { return false }
            if p[i] == UInt8(ascii: "0") {
                i += 1
            } else if p[i] >= UInt8(ascii: "1"), p[i] <= UInt8(ascii: "9") {
                while digit(i) { i += 1 }
            } else {
                return false
            }
            if i < p.count, p[i] == UInt8(ascii: ".") {
                i += 1
                guard digit(i) else { return false }
                while digit(i) { i += 1 }
            }
            if i < p.count, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
                i += 1
                if i < p.count, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
                guard digit(i) else { return false }
                while digit(i) { i += 1 }
            }
            return true
        }

        /// A string (at its opening quote) written as `emitString` writes it. Returns the range of its raw content
        /// and whether it holds escapes, or nil.
        mutating func string() -> (start: Int, end: Int, escaped: Bool)? {
            i += 1
            let start = i
            var escaped = false
            while i < p.count {
                let c = p[i]
                if c == UInt8(ascii: "\"") {
                    defer { i += 1 }
                    return (start, i, escaped)
                }
                if c == UInt8(ascii: "\\") {
                    escaped = true
                    guard i + 1 < p.count else { return nil }
                    switch p[i + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                         UInt8(ascii: "r"), UInt8(ascii: "t"):
                        i += 2
                    case UInt8(ascii: "u"):
                        // Only control characters without a short escape, as \u00XX in lowercase hex.
                        guard i + 6 <= p.count, p[i + 2] == 0x30, p[i + 3] == 0x30, p[i + 4] == 0x30 || p[i + 4] == 0x31 else { return nil }
                        let h = p[i + 5]
                        let low: UInt8
                        switch h {
                        case 48...57: low = h - 48
                        case 97...102: low = h - 87
                        default: return nil
                        }
                        let v = (p[i + 4] - 0x30) << 4 | low
                        if v == 0x08 || v == 0x09 || v == 0x0A || v == 0x0C || v == 0x0D { return nil }
                        i += 6
                    default:
                        return nil
                    }
                    continue
                }
                if c < 0x20 { return nil }
                if c < 0x80 { i += 1; continue }
                guard let n = UTF8Sequence.length(at: i, count: p.count, { p[$0] }) else { return nil }
                i += n
            }
            return nil
        }

        mutating func array(depth: Int) -> Bool {
            i += 1
            if i < p.count, p[i] == UInt8(ascii: "]") { i += 1; return true }
            while true {
                guard value(depth: depth + 1), i < p.count else { return false }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                if p[i] == UInt8(ascii: "]") { i += 1; return true }
                return false
            }
        }

        mutating func object(depth: Int) -> Bool {
            i += 1
            if i < p.count, p[i] == UInt8(ascii: "}") { i += 1; return true }
            var previous: (start: Int, end: Int)?
            while true {
                guard i < p.count, p[i] == UInt8(ascii: "\""), let key = string(), !key.escaped else { return false }
                if let prev = previous, !precedes(prev, (key.start, key.end)) { return false }
                previous = (key.start, key.end)
                guard i < p.count, p[i] == UInt8(ascii: ":") else { return false }
                i += 1
                guard value(depth: depth + 1), i < p.count else { return false }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                if p[i] == UInt8(ascii: "}") { i += 1; return true }
                return false
            }
        }

        /// Byte-wise `a < b` (strictly), as `lexicographicallyPrecedes` on the decoded keys.
        func precedes(_ a: (start: Int, end: Int), _ b: (start: Int, end: Int)) -> Bool {
            let la = a.end - a.start, lb = b.end - b.start
            var j = 0
            while j < la, j < lb {
                let x = p[a.start + j], y = p[b.start + j]
                if x != y { return x < y }
                j += 1
            }
            return la < lb
        }
    }

    struct Parser {
        let p: UnsafeBufferPointer<UInt8>
        var i = 0

        mutating func skipWS() {
            while i < p.count, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
        }

        func fail(_ reason: String) -> Error { Error(offset: i, reason: reason) }

        mutating func value(into out: inout [UInt8], depth: Int) throws(Error) {
            guard depth < CanonicalJSON.maxDepth else { throw fail("nesting deeper than \(CanonicalJSON.maxDepth)") }
            guard i < p.count else { throw fail("unexpected end of input") }
            switch p[i] {
            case UInt8(ascii: "{"): try object(into: &out, depth: depth)
            case UInt8(ascii: "["): try array(into: &out, depth: depth)
            case UInt8(ascii: "\""):
                var s = [UInt8]()
                try string(into: &s)
                emitString(s, into: &out)
            case UInt8(ascii: "t"): try literal("true", into: &out)
            case UInt8(ascii: "f"): try literal("false", into: &out)
            case UInt8(ascii: "n"): try literal("null", into: &out)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number(into: &out)
            default: throw fail("unexpected character")
            }
        }

        mutating func literal(_ word: String, into out: inout [UInt8]) throws(Error) {
            let w = Array(word.utf8)
            guard i + w.count <= p.count else { throw fail("unexpected end of input") }
            for j in 0..<w.count where p[i + j] != w[j] { throw fail("invalid literal") }
            out.append(contentsOf: w)
            i += w.count
        }

        mutating func number(into out: inout [UInt8]) throws(Error) {
            let start = i
            if p[i] == UInt8(ascii: "-") { i += 1 }
            guard i < p.count else { throw fail("unexpected end of number") }
            if p[i] == UInt8(ascii: "0") {
                i += 1
            } else if p[i] >= UInt8(ascii: "1"), p[i] <= UInt8(ascii: "9") {
                while i < p.count, p[i] >= 48, p[i] <= 57 { i += 1 }
            } else {
                throw fail("invalid number")
            }
            if i < p.count, p[i] == UInt8(ascii: ".") {
                i += 1
                let d = i
                while i < p.count, p[i] >= 48, p[i] <= 57 { i += 1 }
                guard i > d else { throw fail("a fraction needs digits") }
            }
            if i < p.count, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
                i += 1
                if i < p.count, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
                let d = i
                while i < p.count, p[i] >= 48, p[i] <= 57 { i += 1 }
                guard i > d else { throw fail("an exponent needs digits") }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<i]))
        }

        mutating func hex4() throws(Error) -> UInt32 {
            guard i + 4 <= p.count else { throw fail("truncated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let n = HexDigit.value(p[i]) else { throw fail("invalid \\u escape") }
                v = v << 4 | n
                i += 1
            }
            return v
        }

        /// Parses a string (at its opening quote) into its decoded UTF-8 bytes.
        mutating func string(into s: inout [UInt8]) throws(Error) {
            i += 1
            while true {
                guard i < p.count else { throw fail("unterminated string") }
                let c = p[i]
                if c == UInt8(ascii: "\"") { i += 1; return }
                if c == UInt8(ascii: "\\") {
                    i += 1
                    guard i < p.count else { throw fail("unterminated escape") }
                    let e = p[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""): s.append(0x22)
                    case UInt8(ascii: "\\"): s.append(0x5C)
                    case UInt8(ascii: "/"): s.append(0x2F)
                    case UInt8(ascii: "b"): s.append(0x08)
                    case UInt8(ascii: "f"): s.append(0x0C)
                    case UInt8(ascii: "n"): s.append(0x0A)
                    case UInt8(ascii: "r"): s.append(0x0D)
                    case UInt8(ascii: "t"): s.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if scalar >= 0xD800, scalar < 0xDC00 {
                            guard i + 2 <= p.count, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") else {
                                throw fail("unpaired surrogate")
                            }
                            i += 2
                            let low = try hex4()
                            guard low >= 0xDC00, low < 0xE000 else { throw fail("unpaired surrogate") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if scalar >= 0xDC00, scalar < 0xE000 {
                            throw fail("unpaired surrogate")
                        }
                        guard let u = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
                        s.append(contentsOf: UTF8.encode(u)!)
                    default: throw fail("invalid escape")
                    }
                    continue
                }
                guard c >= 0x20 else { throw fail("control character in string") }
                if c < 0x80 { s.append(c); i += 1; continue }
                guard let n = UTF8Sequence.length(at: i, count: p.count, { p[$0] }) else { throw fail("invalid UTF-8") }
                s.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<(i + n)]))
                i += n
            }
        }

        mutating func array(into out: inout [UInt8], depth: Int) throws(Error) {
            i += 1
            out.append(UInt8(ascii: "["))
            skipWS()
            if i < p.count, p[i] == UInt8(ascii: "]") { i += 1; out.append(UInt8(ascii: "]")); return }
            while true {
                skipWS()
                try value(into: &out, depth: depth + 1)
                skipWS()
                guard i < p.count else { throw fail("unterminated array") }
                if p[i] == UInt8(ascii: ",") { i += 1; out.append(UInt8(ascii: ",")); continue }
                if p[i] == UInt8(ascii: "]") { i += 1; out.append(UInt8(ascii: "]")); return }
                throw fail("expected ',' or ']'")
            }
        }

        mutating func object(into out: inout [UInt8], depth: Int) throws(Error) {
            i += 1
            skipWS()
            var members: [(key: [UInt8], value: [UInt8])] = []
            if i < p.count, p[i] == UInt8(ascii: "}") {
                i += 1
                out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
                return
            }
            while true {
                skipWS()
                guard i < p.count, p[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let keyOffset = i
                var key = [UInt8]()
                try string(into: &key)
                skipWS()
                guard i < p.count, p[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipWS()
                var v = [UInt8]()
                try value(into: &v, depth: depth + 1)
                members.append((key, v))
                _ = keyOffset
                skipWS()
                guard i < p.count else { throw fail("unterminated object") }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                if p[i] == UInt8(ascii: "}") { i += 1; break }
                throw fail("expected ',' or '}'")
            }
            members.sort { $0.key.lexicographicallyPrecedes($1.key) }
            for j in 1..<max(members.count, 1) where members[j].key == members[j - 1].key {
                throw Error(offset: i, reason: "duplicate key \"\(String(decoding: members[j].key.prefix(64), as: UTF8.self))\"")
            }
            out.append(UInt8(ascii: "{"))
            for (j, m) in members.enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                emitString(m.key, into: &out)
                out.append(UInt8(ascii: ":"))
                out.append(contentsOf: m.value)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Writes decoded UTF-8 as a JSON string with minimal escaping.
    static func emitString(_ s: [UInt8], into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(0x22)
        for c in s {
            switch c {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20: out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]])
            default: out.append(c)
            }
        }
        out.append(0x22)
    }
}
