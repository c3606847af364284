/// The one writer of JSON text pieces: string literals (the only escaper in the package), numbers and the canonical
/// order of object keys. `JSONValue.serialize`, `JSONCanonical.canonicalize`, `JSONValueEncoder` and every JSON
/// printed by the CLI write through it, so they escape and order alike.
///
/// Strings are escaped minimally: `\"`, `\\`, the short escapes `\b \f \n \r \t`, `\u00XX` in lowercase hex for
/// the other control characters; `/`, DEL and everything above ASCII are written as they are (UTF-8).
public enum JSONWriter {
    @usableFromInline static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `s` as a JSON string literal (quotes included).
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendString(utf8: $0, to: &out) }
    }

    /// Appends the text whose UTF-8 is `p` as a JSON string literal (quotes included). The bytes are copied as
    /// they are between the escapes, so they should be valid UTF-8.
    public static func appendString(utf8 p: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(0x22)
        var runStart = 0
        var j = 0
        let n = p.count
        while j < n {
            let c = p[j]
            if c >= 0x20 && c != 0x22 && c != 0x5C {
                j += 1
                continue
            }
            if j > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<j])) }
            switch c {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            default:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(c >> 4)], hexDigits[Int(c & 0xF)]])
            }
            j += 1
            runStart = j
        }
        if n > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<n])) }
        out.append(0x22)
    }

    /// `s` as a JSON string literal (quotes included), for text built as a `String`.
    public static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 2)
        appendString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends a number: integral values in the `Int64` range as integers (`3`, not `3.0`), other finite values
    /// in Swift's shortest round-tripping form (`0.1`, `1e+20`), non-finite ones (which JSON cannot carry) as `null`.
    public static func appendNumber(_ n: Double, to out: inout [UInt8]) {
        guard n.isFinite else {
            out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
            return
        }
        // -2^63 <= n < 2^63, integral.
        if n >= -9_223_372_036_854_775_808.0, n < 9_223_372_036_854_775_808.0, n == n.rounded(.towardZero) {
            appendInteger(Int64(n), to: &out)
            return
        }
        out.append(contentsOf: n.description.utf8)
    }

    /// Appends an integer in decimal, without allocating.
    public static func appendInteger(_ v: Int64, to out: inout [UInt8]) {
        if v >= 0, v < 10 {
            out.append(UInt8(truncatingIfNeeded: v) &+ 48)
            return
        }
        var m = v.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            var k = 20
            repeat {
                k -= 1
                buf[k] = UInt8(truncatingIfNeeded: m % 10) &+ 48
                m /= 10
            } while m != 0
            if v < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[k..<20]))
        }
    }

    /// Byte-wise `a < b` on the UTF-8 forms: the canonical order of object keys.
    @inlinable
    public static func utf8Less(_ a: String, _ b: String) -> Bool {
        let r: Bool?? = a.utf8.withContiguousStorageIfAvailable { pa in
            b.utf8.withContiguousStorageIfAvailable { pb -> Bool in
                let n = Swift.min(pa.count, pb.count)
                var j = 0
                while j < n {
                    let x = pa[j], y = pb[j]
                    if x != y { return x < y }
                    j += 1
                }
                return pa.count < pb.count
            }
        }
        if let r, let r { return r }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Sorts members by their keys' UTF-8 bytes (insertion sort for the usual handful of keys).
    static func sortByUTF8<V>(_ members: inout [(key: String, value: V)]) {
        if members.count > 16 {
            members.sort { utf8Less($0.key, $1.key) }
            return
        }
        var i = 1
        while i < members.count {
            var j = i
            while j > 0, utf8Less(members[j].key, members[j - 1].key) {
                members.swapAt(j, j - 1)
                j -= 1
            }
            i += 1
        }
    }
}
