extension JSONValue {
    /// The canonical JSON text of this value: object keys sorted by their UTF-8 bytes, no insignificant
    /// whitespace, strings with minimal escaping (`\"`, `\\`, the short control escapes, `\u00XX` in lowercase
    /// hex for the other control characters; `/` and non-ASCII are written as they are), integral numbers that
    /// fit in `Int64` without a fraction (`3`, not `3.0`), other numbers in Swift's shortest round-tripping form
    /// (`0.1`, `1e+20`). Non-finite numbers, which JSON cannot carry, are written as `null`.
    ///
    /// This is the form the event log stores (`CanonicalJSON`), so payloads serialized here are stored as they are.
    public func serialize() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        serialize(into: &out)
        return out
    }

    /// Appends the canonical JSON text of this value to `out`.
    public func serialize(into out: inout [UInt8]) {
        switch self {
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .number(let n): JSONValue.writeNumber(n, into: &out)
        case .bool(let b):
            if b { out.append(contentsOf: [0x74, 0x72, 0x75, 0x65]) } else { out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65]) }
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .array(let a):
            out.append(UInt8(ascii: "["))
            var first = true
            for v in a {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                v.serialize(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            if o.count == 1 {
                let (k, v) = o.first!
                JSONValue.writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                v.serialize(into: &out)
            } else if !o.isEmpty {
                var members = Array(o)
                JSONValue.sortByUTF8(&members)
                var first = true
                for m in members {
                    if !first { out.append(UInt8(ascii: ",")) }
                    first = false
                    JSONValue.writeString(m.key, into: &out)
                    out.append(UInt8(ascii: ":"))
                    m.value.serialize(into: &out)
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The canonical JSON text as a `String`.
    public var canonicalText: String { String(decoding: serialize(), as: UTF8.self) }

    /// Byte-wise `a < b` on the UTF-8 forms (the canonical key order).
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

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes a string with minimal escaping, as `CanonicalJSON.emitString` does.
    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        var s = s
        s.withUTF8 { p in
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
        }
        out.append(0x22)
    }

    /// Writes a number: integral values in the `Int64` range as integers, others in shortest form.
    static func writeNumber(_ n: Double, into out: inout [UInt8]) {
        guard n.isFinite else {
            out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
            return
        }
        // -2^63 <= n < 2^63, integral.
        if n >= -9_223_372_036_854_775_808.0, n < 9_223_372_036_854_775_808.0, n == n.rounded(.towardZero) {
            writeInt(Int64(n), into: &out)
            return
        }
        out.append(contentsOf: n.description.utf8)
    }

    static func writeInt(_ v: Int64, into out: inout [UInt8]) {
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
}
