/// Why a JSON text was refused, with the byte offset where the parser stopped.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
    /// Nesting deeper than this is refused (as the event log's canonicaliser does).
    public static let maxParseDepth = 256

    /// Parses one JSON text (RFC 8259: any value at the top, surrounding whitespace allowed).
    ///
    /// Strict and total: invalid UTF-8 (overlong forms, surrogates), unpaired `\u` surrogates, control
    /// characters in strings, numbers that overflow a `Double`, duplicate object keys, nesting deeper than
    /// `maxDepth` and trailing bytes are all refused with a `JSONParseError` naming the byte offset; it never
    /// traps. Keys are compared as Swift strings, so two keys that differ only in Unicode normalisation count as
    /// duplicates too.
    public static func parse<C: Collection>(_ bytes: C, maxDepth: Int = JSONValue.maxParseDepth) throws(JSONParseError) -> JSONValue
    where C.Element == UInt8 {
        var failure: JSONParseError?
        var result: JSONValue?
        func run(_ p: UnsafeRawBufferPointer) {
            do throws(JSONParseError) { result = try parse(p, maxDepth: maxDepth) } catch { failure = error }
        }
        if bytes.withContiguousStorageIfAvailable({ run(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { run($0) }
        }
        if let failure { throw failure }
        return result ?? .null
    }

    /// Parses one JSON text from raw memory. See `parse(_:maxDepth:)`.
    public static func parse(_ buffer: UnsafeRawBufferPointer, maxDepth: Int = JSONValue.maxParseDepth) throws(JSONParseError) -> JSONValue {
        var p = _JSONParser(buffer, maxDepth: maxDepth)
        p.skipWS()
        let v = try p.value(depth: 0)
        p.skipWS()
        guard p.i == p.count else { throw p.fail("unexpected bytes after the JSON value") }
        return v
    }
}

/// A recursive-descent parser over raw bytes.
@usableFromInline
struct _JSONParser {
    let base: UnsafePointer<UInt8>?
    let count: Int
    let maxDepth: Int
    var i = 0
    /// Reused for strings with escapes.
    var scratch: [UInt8] = []
    /// Members of the objects being parsed (a stack), so each dictionary is allocated once at its final size.
    var members: [Member] = []

    struct Member {
        let key: String
        let value: JSONValue
        let offset: Int
    }

    init(_ buffer: UnsafeRawBufferPointer, maxDepth: Int) {
        base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
        count = buffer.count
        self.maxDepth = maxDepth
    }

    @inline(__always) func at(_ j: Int) -> UInt8 { base.unsafelyUnwrapped[j] }

    func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: i, reason: reason) }
    func fail(_ reason: String, at offset: Int) -> JSONParseError { JSONParseError(offset: offset, reason: reason) }

    @inline(__always) mutating func skipWS() {
        while i < count {
            let c = at(i)
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard i < count else { throw fail("unexpected end of input") }
        switch at(i) {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            return try object(depth: depth)
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            return try array(depth: depth)
        case UInt8(ascii: "t"): try literal(0x74, 0x72, 0x75, 0x65); return .bool(true)
        case UInt8(ascii: "f"):
            try literal(0x66, 0x61, 0x6C, 0x73)
            guard i < count, at(i) == 0x65 else { throw fail("invalid literal") }
            i += 1
            return .bool(false)
        case UInt8(ascii: "n"): try literal(0x6E, 0x75, 0x6C, 0x6C); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail("unexpected character")
        }
    }

    @inline(__always) mutating func literal(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) throws(JSONParseError) {
        guard i + 4 <= count else { throw fail("unexpected end of input") }
        guard at(i) == a, at(i + 1) == b, at(i + 2) == c, at(i + 3) == d else { throw fail("invalid literal") }
        i += 4
    }

    @inline(__always) func isDigit(_ j: Int) -> Bool { j < count && at(j) &- 48 < 10 }

    mutating func number() throws(JSONParseError) -> Double {
        let start = i
        var negative = false
        if at(i) == UInt8(ascii: "-") { negative = true; i += 1 }
        guard i < count else { throw fail("unexpected end of number") }
        var mantissa: UInt64 = 0
        var digits = 0
        if at(i) == UInt8(ascii: "0") {
            i += 1
            digits = 1
        } else if at(i) &- 49 < 9 {
            while i < count, at(i) &- 48 < 10 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(at(i) &- 48) }
                digits += 1
                i += 1
            }
        } else {
            throw fail("invalid number")
        }
        var simple = true
        if i < count, at(i) == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { throw fail("a fraction needs digits") }
            while isDigit(i) { i += 1 }
            simple = false
        }
        if i < count, at(i) == UInt8(ascii: "e") || at(i) == UInt8(ascii: "E") {
            i += 1
            if i < count, at(i) == UInt8(ascii: "+") || at(i) == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { throw fail("an exponent needs digits") }
            while isDigit(i) { i += 1 }
            simple = false
        }
        // Integers of up to 15 digits convert exactly.
        if simple && digits <= 15 {
            let d = Double(mantissa)
            return negative ? -d : d
        }
        let text = String(decoding: UnsafeBufferPointer(start: base.unsafelyUnwrapped + start, count: i - start), as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw fail("number \(text.prefix(40)) is out of range", at: start) }
        return d
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard i + 4 <= count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = at(i)
            let n: UInt32
            switch c {
            case 48...57: n = UInt32(c - 48)
            case 97...102: n = UInt32(c - 87)
            case 65...70: n = UInt32(c - 55)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | n
            i += 1
        }
        return v
    }

    /// Validates one multi-byte UTF-8 sequence at `i` (whose lead byte is >= 0x80); returns its length.
    @inline(__always) func utf8Sequence() throws(JSONParseError) -> Int {
        guard let n = UTF8Sequence.length(at: i, count: count, { at($0) }) else { throw fail("invalid UTF-8") }
        return n
    }

    /// A string at its opening quote.
    mutating func string() throws(JSONParseError) -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < count {
            let c = at(i)
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(start: base.unsafelyUnwrapped + start, count: i - start), as: UTF8.self)
                i += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("control character in string") }
            if c < 0x80 { i += 1 } else { i += try utf8Sequence() }
        }
        guard i < count else { throw fail("unterminated string") }
        // Slow path: copy what was scanned, then decode escapes.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base.unsafelyUnwrapped + start, count: i - start))
        while true {
            guard i < count else { throw fail("unterminated string") }
            let c = at(i)
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < count else { throw fail("unterminated escape") }
                let e = at(i)
                i += 1
                switch e {
                case UInt8(ascii: "\""): scratch.append(0x22)
                case UInt8(ascii: "\\"): scratch.append(0x5C)
                case UInt8(ascii: "/"): scratch.append(0x2F)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    let escapeStart = i - 2
                    var scalar = try hex4()
                    if scalar >= 0xD800, scalar < 0xDC00 {
                        guard i + 2 <= count, at(i) == UInt8(ascii: "\\"), at(i + 1) == UInt8(ascii: "u") else {
                            throw fail("unpaired surrogate", at: escapeStart)
                        }
                        i += 2
                        let low = try hex4()
                        guard low >= 0xDC00, low < 0xE000 else { throw fail("unpaired surrogate", at: escapeStart) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00, scalar < 0xE000 {
                        throw fail("unpaired surrogate", at: escapeStart)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("invalid code point", at: escapeStart) }
                    for b in UTF8.encode(u)! { scratch.append(b) }
                default: throw fail("invalid escape", at: i - 2)
                }
                continue
            }
            if c < 0x20 { throw fail("control character in string") }
            if c < 0x80 {
                scratch.append(c)
                i += 1
            } else {
                let n = try utf8Sequence()
                scratch.append(contentsOf: UnsafeBufferPointer(start: base.unsafelyUnwrapped + i, count: n))
                i += n
            }
        }
    }

    mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
        i += 1
        skipWS()
        var items: [JSONValue] = []
        if i < count, at(i) == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            skipWS()
            items.append(try value(depth: depth + 1))
            skipWS()
            guard i < count else { throw fail("unterminated array") }
            if at(i) == UInt8(ascii: ",") { i += 1; continue }
            if at(i) == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw fail("expected ',' or ']'")
        }
    }

    mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
        i += 1
        skipWS()
        if i < count, at(i) == UInt8(ascii: "}") { i += 1; return .object([:]) }
        let base = members.count
        defer { members.removeSubrange(base...) }
        while true {
            skipWS()
            guard i < count, at(i) == UInt8(ascii: "\"") else {
                throw fail(i < count ? "expected a string key" : "unterminated object")
            }
            let keyOffset = i
            let key = try string()
            skipWS()
            guard i < count, at(i) == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipWS()
            let v = try value(depth: depth + 1)
            members.append(Member(key: key, value: v, offset: keyOffset))
            skipWS()
            guard i < count else { throw fail("unterminated object") }
            if at(i) == UInt8(ascii: ",") { i += 1; continue }
            if at(i) == UInt8(ascii: "}") { i += 1; break }
            throw fail("expected ',' or '}'")
        }
        var o: [String: JSONValue] = Dictionary(minimumCapacity: members.count - base)
        for j in base..<members.count {
            let m = members[j]
            if o.updateValue(m.value, forKey: m.key) != nil {
                throw fail("duplicate key \"\(m.key.prefix(64))\"", at: m.offset)
            }
        }
        return .object(o)
    }
}
