extension JSONValue {
    /// The canonical JSON text of this value: object keys sorted by their UTF-8 bytes, no insignificant
    /// whitespace, strings with minimal escaping (`\"`, `\\`, the short control escapes, `\u00XX` in lowercase
    /// hex for the other control characters; `/` and non-ASCII are written as they are), integral numbers that
    /// fit in `Int64` without a fraction (`3`, not `3.0`), other numbers in Swift's shortest round-tripping form
    /// (`0.1`, `1e+20`). Non-finite numbers, which JSON cannot carry, are written as `null`.
    ///
    /// This is the form `JSONCanonical.canonicalize` writes and the event log stores, so payloads serialized here are
    /// stored as they are. Strings, numbers and key order are written by `JSONWriter`.
    public func serialize() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        serialize(into: &out)
        return out
    }

    /// Appends the canonical JSON text of this value to `out`.
    public func serialize(into out: inout [UInt8]) {
        switch self {
        case .string(let s): JSONWriter.appendString(s, to: &out)
        case .number(let n): JSONWriter.appendNumber(n, to: &out)
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
            if o.count == 1, let (k, v) = o.first {
                JSONWriter.appendString(k, to: &out)
                out.append(UInt8(ascii: ":"))
                v.serialize(into: &out)
            } else if !o.isEmpty {
                var members = Array(o)
                JSONWriter.sortByUTF8(&members)
                var first = true
                for m in members {
                    if !first { out.append(UInt8(ascii: ",")) }
                    first = false
                    JSONWriter.appendString(m.key, to: &out)
                    out.append(UInt8(ascii: ":"))
                    m.value.serialize(into: &out)
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The canonical JSON text as a `String`.
    public var canonicalText: String { String(decoding: serialize(), as: UTF8.self) }
}
