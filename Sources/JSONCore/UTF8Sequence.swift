/// Validation of one multi-byte UTF-8 sequence for the JSON recogniser: shortest form only, no surrogates, nothing
/// above U+10FFFF.
enum UTF8Sequence {
    /// The length (2 to 4) of the valid sequence starting at `i` whose lead byte is >= 0x80, or nil when the
    /// bytes there are not valid UTF-8 (including a sequence cut off by the end of the buffer).
    @inline(__always)
    static func length(at i: Int, count: Int, _ byte: (Int) -> UInt8) -> Int? {
        let c = byte(i)
        let n: Int
        let minScalar: UInt32
        var scalar: UInt32
        switch c {
        case 0xC2...0xDF: n = 2; scalar = UInt32(c & 0x1F); minScalar = 0x80
        case 0xE0...0xEF: n = 3; scalar = UInt32(c & 0x0F); minScalar = 0x800
        case 0xF0...0xF4: n = 4; scalar = UInt32(c & 0x07); minScalar = 0x10000
        default: return nil
        }
        guard i + n <= count else { return nil }
        for j in 1..<n {
            let cc = byte(i + j)
            guard cc & 0xC0 == 0x80 else { return nil }
            scalar = scalar << 6 | UInt32(cc & 0x3F)
        }
        guard scalar >= minScalar, scalar <= 0x10FFFF, !(0xD800..<0xE000).contains(scalar) else { return nil }
        return n
    }
}

/// The hex digits of a `\u` escape.
enum HexDigit {
    /// The value of an ASCII hex digit (either case), or nil.
    @inline(__always)
    static func value(_ c: UInt8) -> UInt32? {
        switch c {
        case 48...57: UInt32(c - 48)
        case 97...102: UInt32(c - 87)
        case 65...70: UInt32(c - 55)
        default: nil
        }
    }
}
