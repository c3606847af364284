/// Canonical JSON texts, as the event log stores payloads (and hashes them into its chain): object keys sorted by
/// their UTF-8 bytes, no insignificant whitespace, strings escaped minimally by `JSONWriter`, numbers kept as
/// written. The text is recognised by the package's one JSON walk (`_JSONParser.scan`), so it accepts and refuses
/// exactly what `JSONValue.parse` does (with the same errors).
///
/// `JSONValue.serialize` writes the same form from values, so a payload serialized there is already canonical.
///
/// No library writes this form (the bytes are hashed into the log's chain, so they must never change); the
/// nearest, a `JSONSerialization` parse and write with `.sortedKeys`, takes 44–53 µs a payload against
/// 0.20–0.44 µs for `isCanonicalFast` (120–264x; `align-bench --only json`, release build, medians of 9 runs, six runs on 2026-12-07 (docs/BENCHMARKS.md)).
public enum JSONCanonical {
    /// Returns the canonical form of `bytes`, or throws why it is not valid JSON.
    public static func canonicalize(_ bytes: [UInt8]) throws(JSONParseError) -> [UInt8] {
        let result = bytes.withUnsafeBytes { raw in _JSONTape.withScratch(for: raw.count) { tape -> Result<[UInt8], JSONParseError> in
            do throws(JSONParseError) {
                try _JSONParser.scan(raw, maxDepth: JSONValue.maxParseDepth, into: &tape)
            } catch {
                return .failure(error)
            }
            guard let text = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return .success([]) }  // scan refused it
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            write(tape, text, 0, into: &out)
            return .success(out)
        } }
        return try result.get()
    }

    /// True when `bytes` is valid JSON already in canonical form, so that `canonicalize(bytes) == bytes`.
    public static func isCanonical(_ bytes: [UInt8]) -> Bool {
        isCanonicalFast(bytes) || (try? canonicalize(bytes)) == bytes
    }

    /// True only when `bytes` is valid JSON already in canonical form: one scan, then a check of its tape, without
    /// writing anything (the event log's path for payloads made by `JSONValue.serialize`). It may answer false
    /// for some canonical texts (object keys with escapes) and for every invalid one; callers then run
    /// `canonicalize`, which decides and reports the error.
    public static func isCanonicalFast(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in _JSONTape.withScratch(for: raw.count) { tape -> Bool in
            do throws(JSONParseError) {
                try _JSONParser.scan(raw, maxDepth: JSONValue.maxParseDepth, into: &tape)
            } catch {
                return false
            }
            guard let text = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
            return tape[0].start == 0 && Int(tape[0].end) == raw.count && isTight(tape, text, 0)
        } }
    }

    /// Whether the value at tape index `n` is written canonically: no whitespace (each part starts one byte after
    /// the previous one ends, the byte being a comma, colon or bracket), keys plain and strictly increasing,
    /// strings minimally escaped.
    static func isTight(_ tape: _JSONTape, _ text: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let node = tape[n]
        switch node.kind {
        case _JSONNode.string:
            return node.flags & _JSONParser.escaped == 0 || isMinimallyEscaped(text, Int(node.start) + 1, Int(node.end) - 1)
        case _JSONNode.array:
            var at = Int(node.start) + 1
            var e = n + 1
            if e == Int(node.next) { return Int(node.end) == at + 1 }
            while e < Int(node.next) {
                let element = tape[e]
                guard Int(element.start) == at, isTight(tape, text, e) else { return false }
                at = Int(element.end) + 1
                e = Int(element.next)
            }
            return Int(node.end) == at
        case _JSONNode.object:
            guard node.flags & _JSONNode.sortedPlainKeys != 0 else { return false }
            var at = Int(node.start) + 1
            var m = n + 1
            if m == Int(node.next) { return Int(node.end) == at + 1 }
            while m < Int(node.next) {
                let key = tape[m], value = tape[m + 1]
                guard Int(key.start) == at, Int(value.start) == Int(key.end) + 1, isTight(tape, text, m + 1) else { return false }
                at = Int(value.end) + 1
                m = Int(value.next)
            }
            return Int(node.end) == at
        default:
            return true  // numbers are kept as written; literals have one spelling
        }
    }

    /// Whether the (valid) string contents `text[from..<to]` use only the escapes `JSONWriter` writes.
    static func isMinimallyEscaped(_ text: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        var i = from
        while i < to {
            guard text[i] == UInt8(ascii: "\\") else {
                i += 1
                continue
            }
            switch text[i + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                 UInt8(ascii: "r"), UInt8(ascii: "t"):
                i += 2
            case UInt8(ascii: "u"):
                // Only control characters without a short escape, as \u00XX in lowercase hex.
                guard text[i + 2] == 0x30, text[i + 3] == 0x30, text[i + 4] == 0x30 || text[i + 4] == 0x31 else { return false }
                let h = text[i + 5]
                let low: UInt8
                switch h {
                case 48...57: low = h - 48
                case 97...102: low = h - 87
                default: return false
                }
                let v = (text[i + 4] - 0x30) << 4 | low
                if v == 0x08 || v == 0x09 || v == 0x0A || v == 0x0C || v == 0x0D { return false }
                i += 6
            default:
                return false  // \/
            }
        }
        return true
    }

    /// Writes the value at tape index `n` in canonical form.
    static func write(_ tape: _JSONTape, _ text: UnsafePointer<UInt8>, _ n: Int, into out: inout [UInt8]) {
        let node = tape[n]
        switch node.kind {
        case _JSONNode.string:
            writeString(node, text, into: &out)
        case _JSONNode.array:
            out.append(UInt8(ascii: "["))
            var e = n + 1
            while e < Int(node.next) {
                if e > n + 1 { out.append(UInt8(ascii: ",")) }
                write(tape, text, e, into: &out)
                e = Int(tape[e].next)
            }
            out.append(UInt8(ascii: "]"))
        case _JSONNode.object:
            out.append(UInt8(ascii: "{"))
            if node.flags & _JSONNode.sortedPlainKeys != 0 {
                var m = n + 1
                while m < Int(node.next) {
                    if m > n + 1 { out.append(UInt8(ascii: ",")) }
                    writeMember(tape, text, m, into: &out)
                    m = Int(tape[m + 1].next)
                }
            } else {
                // Keys in the order of their decoded UTF-8 bytes (the scan refused duplicates).
                var members: [(key: [UInt8], at: Int)] = []
                var m = n + 1
                while m < Int(node.next) {
                    let key = tape[m]
                    let decoded = _JSONParser.decodeString(text + Int(key.start) + 1, count: Int(key.end - key.start) - 2,
                                                           escaped: key.flags & _JSONParser.escaped != 0)
                    members.append((Array(decoded.utf8), m))
                    m = Int(tape[m + 1].next)
                }
                members.sort { $0.key.lexicographicallyPrecedes($1.key) }
                for (j, member) in members.enumerated() {
                    if j > 0 { out.append(UInt8(ascii: ",")) }
                    writeMember(tape, text, member.at, into: &out)
                }
            }
            out.append(UInt8(ascii: "}"))
        default:
            // Numbers as written, literals.
            out.append(contentsOf: UnsafeBufferPointer(start: text + Int(node.start), count: Int(node.end - node.start)))
        }
    }

    /// Writes the key at tape index `m`, a colon and its value.
    static func writeMember(_ tape: _JSONTape, _ text: UnsafePointer<UInt8>, _ m: Int, into out: inout [UInt8]) {
        writeString(tape[m], text, into: &out)
        out.append(UInt8(ascii: ":"))
        write(tape, text, m + 1, into: &out)
    }

    /// Writes a string node: as it is when it has no escapes (no quote, backslash or control character can be in
    /// it), else decoded and escaped again by `JSONWriter`.
    static func writeString(_ node: _JSONNode, _ text: UnsafePointer<UInt8>, into out: inout [UInt8]) {
        if node.flags & _JSONParser.escaped == 0 {
            out.append(contentsOf: UnsafeBufferPointer(start: text + Int(node.start), count: Int(node.end - node.start)))
            return
        }
        let decoded = _JSONParser.decodeString(text + Int(node.start) + 1, count: Int(node.end - node.start) - 2, escaped: true)
        JSONWriter.appendString(decoded, to: &out)
    }
}
