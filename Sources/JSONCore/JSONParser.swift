/// Why a JSON text was refused, with the byte offset where the parser stopped.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The byte offset where the parser stopped.
    public var offset: Int
    /// What was wrong there.
    public var reason: String

    /// An error at byte `offset`.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// `invalid JSON at byte N: reason`.
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// 10^0 through 10^22, every one an exact `Double`.
let _powersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
                              1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

/// The one JSON recogniser of the package: a recursive descent over raw bytes (RFC 8259, strict, see
/// `JSONValue.parse`). Its walk, `scan`, records each value's kind and byte range on a tape; everything that reads
/// JSON text is built on that tape: `JSONValue.parse` (values), `JSONFields` (lazy members), `JSONCanonical`
/// (the canonical check and rewrite the event log uses).
@usableFromInline
struct _JSONParser {
    let base: UnsafePointer<UInt8>?
    let count: Int
    let maxDepth: Int
    var i = 0

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

    @inline(__always) mutating func literal(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) throws(JSONParseError) {
        guard i + 4 <= count else { throw fail("unexpected end of input") }
        guard at(i) == a, at(i + 1) == b, at(i + 2) == c, at(i + 3) == d else { throw fail("invalid literal") }
        i += 4
    }

    @inline(__always) func isDigit(_ j: Int) -> Bool { j < count && at(j) &- 48 < 10 }

    /// The number at `i`, correctly rounded to a `Double` (refused when it overflows).
    mutating func number() throws(JSONParseError) -> Double { try number(read: true) }

    /// Validates the number at `i` as `number()` does (the same errors), without working out its value when it
    /// is plainly in range.
    mutating func skipNumber() throws(JSONParseError) { _ = try number(read: false) }

    @inline(__always)
    mutating func number(read: Bool) throws(JSONParseError) -> Double {
        let start = i
        var negative = false
        if at(i) == UInt8(ascii: "-") { negative = true; i += 1 }
        guard i < count else { throw fail("unexpected end of number") }
        // The first 19 digits (integer and fraction) as an integer, how many digits there are, how many of them
        // are in the fraction and how many are in the integer part (not counting a lone 0).
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = 0
        var integer = 0
        @inline(__always) func digit(_ c: UInt8) {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(c &- 48) }
            digits += 1
        }
        if at(i) == UInt8(ascii: "0") {
            i += 1
            digits = 1
        } else if at(i) &- 49 < 9 {
            while i < count, at(i) &- 48 < 10 {
                digit(at(i))
                i += 1
            }
            integer = digits
        } else {
            throw fail("invalid number")
        }
        if i < count, at(i) == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { throw fail("a fraction needs digits") }
            while isDigit(i) {
                digit(at(i))
                fraction += 1
                i += 1
            }
        }
        var exponent = 0
        if i < count, at(i) == UInt8(ascii: "e") || at(i) == UInt8(ascii: "E") {
            i += 1
            var negativeExponent = false
            if i < count, at(i) == UInt8(ascii: "+") || at(i) == UInt8(ascii: "-") {
                negativeExponent = at(i) == UInt8(ascii: "-")
                i += 1
            }
            guard isDigit(i) else { throw fail("an exponent needs digits") }
            while isDigit(i) {
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(at(i) &- 48) }
                i += 1
            }
            if negativeExponent { exponent = -exponent }
        }
        // Up to 15 digits and a power of ten up to 22 are both exact Doubles, so one multiplication or division
        // rounds correctly (Clinger's fast path): the same Double as strtod's.
        let power = exponent - fraction
        if digits <= 15 && power >= -22 && power <= 22 {
            guard read else { return 0 }
            var d = Double(mantissa)
            if power > 0 { d *= _powersOfTen[power] } else if power < 0 { d /= _powersOfTen[-power] }
            return negative ? -d : d
        }
        // Below 10^308 a number cannot overflow.
        if !read && (mantissa == 0 && digits <= 19 || integer + exponent <= 308) { return 0 }
        let text = String(decoding: UnsafeBufferPointer(start: base.unsafelyUnwrapped + start, count: i - start), as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw fail("number \(text.prefix(40)) is out of range", at: start) }
        return d
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard i + 4 <= count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let n = HexDigit.value(at(i)) else { throw fail("invalid \\u escape") }
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

    /// What `skipString` saw in a string: escapes, bytes above ASCII.
    @usableFromInline static let escaped: UInt8 = 1
    @usableFromInline static let nonASCII: UInt8 = 2

    /// Validates the string at its opening quote and moves past its closing quote, without building it; returns
    /// `escaped` and/or `nonASCII` (0 for plain ASCII). This is the one place the string grammar is checked.
    mutating func skipString() throws(JSONParseError) -> UInt8 {
        let p = base.unsafelyUnwrapped
        var j = i + 1
        var flags: UInt8 = 0
        while true {
            // Eight bytes at a time, up to the first that is a quote, a backslash, a control character or above
            // ASCII. (Each test flags the high bit of the bytes that pass it, and possibly of some after a byte
            // that passes: the lowest flag is exact.)
            while j + 8 <= count {
                let w = UInt64(littleEndian: UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self))
                let q = w ^ 0x2222_2222_2222_2222, b = w ^ 0x5C5C_5C5C_5C5C_5C5C
                let ones: UInt64 = 0x0101_0101_0101_0101
                let special = (((q &- ones) & ~q) | ((b &- ones) & ~b) | ((w &- 0x2020_2020_2020_2020) & ~w) | w)
                    & 0x8080_8080_8080_8080
                if special != 0 {
                    j += special.trailingZeroBitCount >> 3
                    break
                }
                j += 8
            }
            guard j < count else {
                i = j
                throw fail("unterminated string")
            }
            let c = p[j]
            if c == UInt8(ascii: "\"") {
                i = j + 1
                return flags
            }
            if c < 0x80 {
                if c == UInt8(ascii: "\\") {
                    flags |= Self.escaped
                    i = j
                    try skipEscape()
                    j = i
                } else if c < 0x20 {
                    i = j
                    throw fail("control character in string")
                } else {
                    j += 1
                }
            } else {
                flags |= Self.nonASCII
                i = j
                j += try utf8Sequence()
            }
        }
    }

    /// Validates the escape at `i` (a backslash) and moves past it.
    mutating func skipEscape() throws(JSONParseError) {
        i += 1
        guard i < count else { throw fail("unterminated escape") }
        let e = at(i)
        i += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return
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
            guard Unicode.Scalar(scalar) != nil else { throw fail("invalid code point", at: escapeStart) }
        default: throw fail("invalid escape", at: i - 2)
        }
    }

    /// The text of a string's contents (between its quotes) that `skipString` accepted.
    @usableFromInline
    static func decodeString(_ p: UnsafePointer<UInt8>, count n: Int, escaped: Bool) -> String {
        guard escaped else { return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) }
        // Every escape is longer than what it stands for.
        return String(unsafeUninitializedCapacity: n) { out in
            @inline(__always) func hex4(_ j: Int) -> UInt32 {  // validated by skipString
                var v: UInt32 = 0
                for k in j..<(j + 4) { v = v << 4 | (HexDigit.value(p[k]) ?? 0) }
                return v
            }
            var i = 0, o = 0
            while i < n {
                let c = p[i]
                guard c == UInt8(ascii: "\\") else {
                    out[o] = c
                    o += 1
                    i += 1
                    continue
                }
                let e = p[i + 1]
                i += 2
                let b: UInt8
                switch e {
                case UInt8(ascii: "b"): b = 0x08
                case UInt8(ascii: "f"): b = 0x0C
                case UInt8(ascii: "n"): b = 0x0A
                case UInt8(ascii: "r"): b = 0x0D
                case UInt8(ascii: "t"): b = 0x09
                case UInt8(ascii: "u"):
                    var scalar = hex4(i)
                    i += 4
                    if scalar >= 0xD800, scalar < 0xDC00 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex4(i + 2) - 0xDC00)
                        i += 6
                    }
                    for u in UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}")! {
                        out[o] = u
                        o += 1
                    }
                    continue
                default: b = e  // \" \\ \/
                }
                out[o] = b
                o += 1
            }
            return o
        }
    }
}

// MARK: A validating scan that records where values are

extension _JSONParser {
    /// Validates one JSON text (the grammar, depth limit and duplicate-key rule that `JSONValue.parse` documents)
    /// and records each value's kind and byte range on `tape`, in document order (see `_JSONNode`). An object
    /// whose keys are plain and strictly increasing (as canonical JSON writes them) is flagged `sortedPlainKeys`.
    /// Nothing is allocated but the tape, unless an object has keys with escapes or non-ASCII bytes, or more than
    /// 16 keys out of order, whose duplicates are then looked for as Swift strings.
    static func scan(_ buffer: UnsafeRawBufferPointer, maxDepth: Int, into tape: inout _JSONTape) throws(JSONParseError) {
        guard buffer.count < Int(UInt32.max) else { throw JSONParseError(offset: 0, reason: "a text of 4 GiB or more") }
        var p = _JSONParser(buffer, maxDepth: maxDepth)
        p.skipWS()
        try p.scanValue(depth: 0, into: &tape)
        p.skipWS()
        guard p.i == p.count else { throw p.fail("unexpected bytes after the JSON value") }
    }

    /// One value at `i`.
    mutating func scanValue(depth: Int, into tape: inout _JSONTape) throws(JSONParseError) {
        guard i < count else { throw fail("unexpected end of input") }
        let start = i
        let kind: UInt8
        var flags: UInt8 = 0
        switch at(i) {
        case UInt8(ascii: "\""):
            flags = try skipString()
            kind = _JSONNode.string
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            return try scanObject(depth: depth, into: &tape)
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            return try scanArray(depth: depth, into: &tape)
        case UInt8(ascii: "t"):
            try literal(0x74, 0x72, 0x75, 0x65)
            kind = _JSONNode.true
        case UInt8(ascii: "f"):
            try literal(0x66, 0x61, 0x6C, 0x73)
            guard i < count, at(i) == 0x65 else { throw fail("invalid literal") }
            i += 1
            kind = _JSONNode.false
        case UInt8(ascii: "n"):
            try literal(0x6E, 0x75, 0x6C, 0x6C)
            kind = _JSONNode.null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try skipNumber()
            kind = _JSONNode.number
        default: throw fail("unexpected character")
        }
        tape.append(_JSONNode(start: start, end: i, next: tape.count + 1, kind: kind, flags: flags))
    }

    /// An array at its opening bracket.
    mutating func scanArray(depth: Int, into tape: inout _JSONTape) throws(JSONParseError) {
        let me = tape.count
        tape.append(_JSONNode(start: i, end: i, next: me + 1, kind: _JSONNode.array))
        i += 1
        skipWS()
        if i < count, at(i) == UInt8(ascii: "]") {
            i += 1
        } else {
            while true {
                skipWS()
                try scanValue(depth: depth + 1, into: &tape)
                skipWS()
                guard i < count else { throw fail("unterminated array") }
                if at(i) == UInt8(ascii: ",") { i += 1; continue }
                if at(i) == UInt8(ascii: "]") { i += 1; break }
                throw fail("expected ',' or ']'")
            }
        }
        tape[me].end = UInt32(truncatingIfNeeded: i)
        tape[me].next = UInt32(truncatingIfNeeded: tape.count)
    }

    /// An object at its opening brace.
    mutating func scanObject(depth: Int, into tape: inout _JSONTape) throws(JSONParseError) {
        let me = tape.count
        tape.append(_JSONNode(start: i, end: i, next: me + 1, kind: _JSONNode.object))
        i += 1
        skipWS()
        if i < count, at(i) == UInt8(ascii: "}") {
            i += 1
            tape[me].flags = _JSONNode.sortedPlainKeys
        } else {
            // Plain keys (ASCII, no escapes) in strictly increasing byte order, as canonical JSON writes them,
            // cannot repeat; anything else is checked below.
            var plainAndIncreasing = true
            var previous = -1
            while true {
                skipWS()
                guard i < count, at(i) == UInt8(ascii: "\"") else {
                    throw fail(i < count ? "expected a string key" : "unterminated object")
                }
                let keyStart = i
                let flags = try skipString()
                let key = _JSONNode(start: keyStart, end: i, next: tape.count + 1, kind: _JSONNode.string, flags: flags)
                if plainAndIncreasing {
                    if flags != 0 {
                        plainAndIncreasing = false
                    } else if previous >= 0 {
                        plainAndIncreasing = compareKeys(tape[previous], key) < 0
                    }
                }
                previous = tape.count
                tape.append(key)
                skipWS()
                guard i < count, at(i) == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipWS()
                try scanValue(depth: depth + 1, into: &tape)
                skipWS()
                guard i < count else { throw fail("unterminated object") }
                if at(i) == UInt8(ascii: ",") { i += 1; continue }
                if at(i) == UInt8(ascii: "}") { i += 1; break }
                throw fail("expected ',' or '}'")
            }
            tape[me].next = UInt32(truncatingIfNeeded: tape.count)
            if plainAndIncreasing { tape[me].flags = _JSONNode.sortedPlainKeys } else { try checkDuplicateKeys(object: me, tape) }
        }
        tape[me].end = UInt32(truncatingIfNeeded: i)
        tape[me].next = UInt32(truncatingIfNeeded: tape.count)
    }

    /// Compares the contents of the plain keys `a` and `b` by their bytes.
    func compareKeys(_ a: _JSONNode, _ b: _JSONNode) -> Int {
        let la = Int(a.end - a.start) - 2, lb = Int(b.end - b.start) - 2
        let p = base.unsafelyUnwrapped, x = Int(a.start) + 1, y = Int(b.start) + 1
        for j in 0..<min(la, lb) where p[x + j] != p[y + j] { return Int(p[x + j]) - Int(p[y + j]) }
        return la - lb
    }

    /// Throws for the first key of the object at tape index `object` (whose `next` is set) equal to an earlier
    /// one: by their bytes when all keys are plain and few, as Swift strings otherwise.
    func checkDuplicateKeys(object: Int, _ tape: _JSONTape) throws(JSONParseError) {
        var keys: [Int] = []
        var plain = true
        var k = object + 1
        while k < Int(tape[object].next) {
            keys.append(k)
            if tape[k].flags != 0 { plain = false }
            k = Int(tape[k + 1].next)
        }
        func key(_ k: Int) -> String {
            let n = tape[k]
            return Self.decodeString(base.unsafelyUnwrapped + Int(n.start) + 1, count: Int(n.end - n.start) - 2,
                                     escaped: n.flags & Self.escaped != 0)
        }
        func duplicate(_ k: Int) -> JSONParseError {
            fail("duplicate key \"\(key(k).prefix(64))\"", at: Int(tape[k].start))
        }
        if plain && keys.count <= 16 {
            for j in keys.indices.dropFirst() {
                for i in 0..<j where compareKeys(tape[keys[i]], tape[keys[j]]) == 0 {
                    throw duplicate(keys[j])
                }
            }
            return
        }
        var seen = Set<String>(minimumCapacity: keys.count)
        for k in keys where !seen.insert(key(k)).inserted { throw duplicate(k) }
    }
}
