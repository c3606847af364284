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
    ///
    /// Pays for itself: 0.91–1.25 µs an event payload against 2.8–4.9 µs for `JSONSerialization.jsonObject`
    /// (2.8–4.3x; `align-bench --only json`, release build, medians of 9 runs, six runs on 2026-12-07 (docs/BENCHMARKS.md)), and `JSONSerialization` neither refuses duplicate keys nor
    /// reports byte offsets.
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
    ///
    /// The text is recognised by `_JSONParser.scan` (the package's one JSON grammar walk), then the values are
    /// built from the tape it recorded.
    public static func parse(_ buffer: UnsafeRawBufferPointer, maxDepth: Int = JSONValue.maxParseDepth) throws(JSONParseError) -> JSONValue {
        let result = _JSONTape.withScratch(for: buffer.count) { tape -> Result<JSONValue, JSONParseError> in
            do throws(JSONParseError) {
                try _JSONParser.scan(buffer, maxDepth: maxDepth, into: &tape)
            } catch {
                return .failure(error)
            }
            guard let text = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return .success(.null) }  // scan refused it
            return .success(build(tape, text, 0))
        }
        return try result.get()
    }

    /// The value at tape index `n` of a scanned text.
    static func build(_ tape: _JSONTape, _ text: UnsafePointer<UInt8>, _ n: Int) -> JSONValue {
        let node = tape[n]
        switch node.kind {
        case _JSONNode.string:
            return .string(_JSONParser.decodeString(text + Int(node.start) + 1, count: Int(node.end - node.start) - 2,
                                                    escaped: node.flags & _JSONParser.escaped != 0))
        case _JSONNode.number:
            var p = _JSONParser(UnsafeRawBufferPointer(start: text + Int(node.start), count: Int(node.end - node.start)), maxDepth: 0)
            // The scan validated it (and found it in range).
            return .number((try? p.number()) ?? .nan)
        case _JSONNode.true: return .bool(true)
        case _JSONNode.false: return .bool(false)
        case _JSONNode.array:
            var items: [JSONValue] = []
            var e = n + 1
            while e < Int(node.next) {
                items.append(build(tape, text, e))
                e = Int(tape[e].next)
            }
            return .array(items)
        case _JSONNode.object:
            var count = 0
            var m = n + 1
            while m < Int(node.next) {
                count += 1
                m = Int(tape[m + 1].next)
            }
            // The scan refused duplicate keys.
            var o: [String: JSONValue] = Dictionary(minimumCapacity: count)
            m = n + 1
            while m < Int(node.next) {
                let key = tape[m]
                let k = _JSONParser.decodeString(text + Int(key.start) + 1, count: Int(key.end - key.start) - 2,
                                                 escaped: key.flags & _JSONParser.escaped != 0)
                o[k] = build(tape, text, m + 1)
                m = Int(tape[m + 1].next)
            }
            return .object(o)
        default: return .null
        }
    }
}
