import Foundation

/// Why a `JSONFields` accessor refused a value: the path to it (`signals[1].at`) and what was wrong.
public struct JSONFieldError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Keys and `[index]`es from the outermost object inwards; empty for the value itself.
    public var path: [String]
    /// What was wrong with the value.
    public var reason: String

    /// An error at `path` (outermost first).
    public init(path: [String] = [], reason: String) {
        self.path = path
        self.reason = reason
    }

    /// The path as text: `signals[1].at`, or `(root)` for the value itself.
    public var pathText: String {
        var out = ""
        for p in path {
            if p.hasPrefix("[") || out.isEmpty { out += p } else { out += "." + p }
        }
        return out.isEmpty ? "(root)" : out
    }

    /// `path: reason`.
    public var description: String { "\(pathText): \(reason)" }

    /// This error, found below `component` (a key, or `[i]` for an array element).
    @inlinable
    public func under(_ component: String) -> JSONFieldError {
        var e = self
        e.path.insert(component, at: 0)
        return e
    }

    @usableFromInline
    static func expected(_ what: String, _ v: JSONValue) -> JSONFieldError {
        JSONFieldError(reason: "expected \(what), found \(describe(v))")
    }

    @usableFromInline
    static func describe(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): "the string \(s.debugDescription)"
        case .number(let n): "the number \(n)"
        case .bool(let b): "\(b)"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A type built by hand from the members of a JSON object, without `Codable`'s dynamic machinery.
public protocol JSONFieldsDecodable {
    init(json: JSONFields) throws(JSONFieldError)
}

/// The members of a JSON object, with typed accessors for building a value by hand: a fast alternative to
/// decoding through `Codable` that accepts and refuses exactly what `JSONValueDecoder` does for the same
/// synthesized `Decodable` type.
///
/// Lazy: `parse` validates the whole text as strictly as `JSONValue.parse` (and with the same errors), but only
/// records where each value is (`_JSONParser.scan`); no `JSONValue`, dictionary or string is built until an
/// accessor asks for a member, which is then read from its bytes. Keys are found by comparing bytes (a linear
/// search: payload objects are small), or as Swift strings when a key has escapes or non-ASCII bytes, so lookups
/// match what a `[String: JSONValue]` would find.
///
/// Required accessors (`string(_:)`, `int(_:)`...) throw when the key is missing, `null` or of the wrong type;
/// `...IfPresent` accessors return nil for a missing key or `null` and throw for the wrong type (as
/// `decodeIfPresent`). Integers must be whole numbers in `Int`'s range (as `Int(exactly:)` of the `Double`
/// `JSONValue.parse` reads, so `1e2` and `2.0` are integers), dates ISO 8601 strings that `JSONDates.parse`
/// accepts, enums known raw values. Keys not asked for are ignored. Errors name the path.
///
/// Pays for itself: decoding the project's event payloads to their structs takes 0.77–1.08 µs a payload here
/// against 5.5–8.4 µs with `JSONDecoder` (7.1–8.5x), and replay decodes every event of a ledger
/// (`align-bench --only json`, release build, medians of 9 runs, six runs on 2026-12-07 (docs/BENCHMARKS.md)).
@frozen
public struct JSONFields: Sendable {
    /// The text and its tape, shared by nested objects.
    @usableFromInline let doc: _JSONDocument
    /// This object's node on the tape.
    @usableFromInline let object: Int

    @usableFromInline
    init(doc: _JSONDocument, object: Int) {
        self.doc = doc
        self.object = object
    }

    /// Parses one JSON text (refusing what `JSONValue.parse` refuses) whose value must be an object. A parse
    /// error is thrown as a `JSONFieldError` whose reason is the parser's description.
    public static func parse(_ bytes: [UInt8]) throws(JSONFieldError) -> JSONFields {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(JSONFieldError) in try parse(raw) } }
        return try result.get()
    }

    /// Parses one JSON text read in place (its bytes are copied into the result, which outlives them).
    public static func parse(_ raw: UnsafeRawBufferPointer) throws(JSONFieldError) -> JSONFields {
        let doc = { () -> Result<_JSONDocument, JSONParseError> in
            var tape = _JSONTape(capacity: raw.count / 8 + 8, textCount: raw.count)
            do throws(JSONParseError) {
                try _JSONParser.scan(raw, maxDepth: JSONValue.maxParseDepth, into: &tape)
            } catch {
                tape.deallocate()
                return .failure(error)
            }
            return .success(_JSONDocument(tape: tape, text: tape.keep(raw)))
        }()
        switch doc {
        case .failure(let error):
            throw JSONFieldError(reason: error.description)
        case .success(let doc):
            let fields = JSONFields(doc: doc, object: 0)
            guard doc.nodes[0].kind == _JSONNode.object else { throw .expected("an object", fields.value(at: 0)) }
            return fields
        }
    }

    /// Parses one JSON text from any collection of bytes (copied first).
    @inlinable
    public static func parse<C: Collection>(_ bytes: C) throws(JSONFieldError) -> JSONFields where C.Element == UInt8 {
        try parse(Array(bytes))
    }

    /// The node at tape index `n` (which the tape's structure guarantees is in range).
    @inlinable
    func node(_ n: Int) -> _JSONNode { doc.nodes[n] }

    // MARK: Finding members

    /// The tape index of the value at `key`, or nil when there is no such member.
    @usableFromInline
    func member(_ key: String) -> Int? {
        if let found = key.utf8.withContiguousStorageIfAvailable({ member(key, utf8: $0) }) { return found }
        return Array(key.utf8).withUnsafeBufferPointer { member(key, utf8: $0) }
    }

    /// `member(_:)`, given `key`'s UTF-8.
    @inline(__always)
    func member(_ key: String, utf8 k: UnsafeBufferPointer<UInt8>) -> Int? {
        let t = doc.nodes
        let end = Int(t[object].next)
        var m = object + 1
        // Plain ASCII on both sides: equal as strings exactly when equal as bytes.
        while m < end {
            let n = t[m]
            if n.flags == 0 && Int(n.end - n.start) - 2 == k.count {
                let p = doc.bytes + Int(n.start) + 1
                var j = 0
                while j < k.count, p[j] == k[j] { j += 1 }
                if j == k.count { return m + 1 }
            }
            m = Int(t[m + 1].next)
        }
        // Otherwise as Swift strings (so canonically equivalent spellings match, as in a `[String: JSONValue]`):
        // keys with escapes or above ASCII against any key, and plain keys against a key above ASCII.
        var ascii = true
        for c in k where c >= 0x80 { ascii = false }
        m = object + 1
        while m < end {
            let n = t[m]
            if (n.flags != 0 || !ascii) && Self.string(n, doc.buffer) == key { return m + 1 }
            m = Int(t[m + 1].next)
        }
        return nil
    }

    /// The contents of the (validated) string node `n`.
    @inline(__always)
    static func string(_ n: _JSONNode, _ b: UnsafeBufferPointer<UInt8>) -> String {
        _JSONParser.decodeString(b.baseAddress.unsafelyUnwrapped + Int(n.start) + 1, count: Int(n.end - n.start) - 2,
                                 escaped: n.flags & _JSONParser.escaped != 0)
    }

    /// The value at `key`, read into a `JSONValue`; throws when missing (a `null` is returned as it is).
    public func value(_ key: String) throws(JSONFieldError) -> JSONValue {
        guard let n = member(key) else { throw JSONFieldError(path: [key], reason: "required key is missing") }
        return value(at: n)
    }

    /// The value at `key`, read into a `JSONValue`, or nil when it is missing or `null`.
    public func valueIfPresent(_ key: String) -> JSONValue? {
        guard let n = member(key), node(n).kind != _JSONNode.null else { return nil }
        return value(at: n)
    }

    /// The tape index of the value at `key`; throws when it is missing.
    @usableFromInline
    func requiredMember(_ key: String) throws(JSONFieldError) -> Int {
        guard let n = member(key) else { throw JSONFieldError(path: [key], reason: "required key is missing") }
        return n
    }

    /// The tape index of the value at `key`, or nil when it is missing or `null`.
    @usableFromInline
    func presentMember(_ key: String) -> Int? {
        guard let n = member(key), node(n).kind != _JSONNode.null else { return nil }
        return n
    }

    /// Converts the value at `key` with `convert`, naming `key` in its errors.
    @inline(__always)
    func required<T>(_ key: String, _ convert: (Int) throws(JSONFieldError) -> T) throws(JSONFieldError) -> T {
        let n = try requiredMember(key)
        do throws(JSONFieldError) { return try convert(n) } catch { throw error.under(key) }
    }

    /// Converts the value at `key`, when present and not `null`, with `convert`, naming `key` in its errors.
    @inline(__always)
    func optional<T>(_ key: String, _ convert: (Int) throws(JSONFieldError) -> T) throws(JSONFieldError) -> T? {
        guard let n = presentMember(key) else { return nil }
        do throws(JSONFieldError) { return try convert(n) } catch { throw error.under(key) }
    }

    // MARK: Scalars

    /// The string at `key`.
    public func string(_ key: String) throws(JSONFieldError) -> String { try required(key, string(at:)) }
    /// The string at `key`, or nil when it is missing or `null`.
    public func stringIfPresent(_ key: String) throws(JSONFieldError) -> String? { try optional(key, string(at:)) }
    /// The whole number at `key`, in `Int`'s range.
    public func int(_ key: String) throws(JSONFieldError) -> Int { try required(key, int(at:)) }
    /// The whole number at `key`, or nil when it is missing or `null`.
    public func intIfPresent(_ key: String) throws(JSONFieldError) -> Int? { try optional(key, int(at:)) }
    /// The number at `key`.
    public func double(_ key: String) throws(JSONFieldError) -> Double { try required(key, double(at:)) }
    /// The number at `key`, or nil when it is missing or `null`.
    public func doubleIfPresent(_ key: String) throws(JSONFieldError) -> Double? { try optional(key, double(at:)) }
    /// The boolean at `key`.
    public func bool(_ key: String) throws(JSONFieldError) -> Bool { try required(key, bool(at:)) }
    /// The ISO 8601 date string at `key`, read as a `Date`.
    public func date(_ key: String) throws(JSONFieldError) -> Date { try required(key, date(at:)) }

    /// An enum by its string raw value.
    @inlinable
    public func rawValue<E: RawRepresentable>(_ key: String, as type: E.Type = E.self) throws(JSONFieldError) -> E where E.RawValue == String {
        let n = try requiredMember(key)
        do throws(JSONFieldError) { return try rawValue(at: n) } catch { throw error.under(key) }
    }

    /// An enum by its string raw value, or nil when it is missing or `null`.
    @inlinable
    public func rawValueIfPresent<E: RawRepresentable>(_ key: String, as type: E.Type = E.self) throws(JSONFieldError) -> E? where E.RawValue == String {
        guard let n = presentMember(key) else { return nil }
        do throws(JSONFieldError) { return try rawValue(at: n) } catch { throw error.under(key) }
    }

    // MARK: Collections and nested objects

    /// An array of strings.
    public func strings(_ key: String) throws(JSONFieldError) -> [String] { try required(key, strings(at:)) }
    /// An array of strings, or nil when it is missing or `null`.
    public func stringsIfPresent(_ key: String) throws(JSONFieldError) -> [String]? { try optional(key, strings(at:)) }

    /// An array of enums by their string raw values.
    @inlinable
    public func rawValues<E: RawRepresentable>(_ key: String, as type: E.Type = E.self) throws(JSONFieldError) -> [E] where E.RawValue == String {
        let n = try requiredMember(key)
        do throws(JSONFieldError) {
            return try elements(at: n) { e throws(JSONFieldError) in try rawValue(at: e) }
        } catch {
            throw error.under(key)
        }
    }

    /// An object whose members are all strings.
    public func stringMap(_ key: String) throws(JSONFieldError) -> [String: String] { try required(key, stringMap(at:)) }

    /// A nested object, built by its `init(json:)`.
    @inlinable
    public func decode<T: JSONFieldsDecodable>(_ key: String, as type: T.Type = T.self) throws(JSONFieldError) -> T {
        let n = try requiredMember(key)
        do throws(JSONFieldError) { return try T(json: fields(at: n)) } catch { throw error.under(key) }
    }

    /// A nested object built by its `init(json:)`, or nil when it is missing or `null`.
    @inlinable
    public func decodeIfPresent<T: JSONFieldsDecodable>(_ key: String, as type: T.Type = T.self) throws(JSONFieldError) -> T? {
        guard let n = presentMember(key) else { return nil }
        do throws(JSONFieldError) { return try T(json: fields(at: n)) } catch { throw error.under(key) }
    }

    /// An array of nested objects, each built by its `init(json:)`.
    @inlinable
    public func array<T: JSONFieldsDecodable>(_ key: String, of type: T.Type = T.self) throws(JSONFieldError) -> [T] {
        let n = try requiredMember(key)
        do throws(JSONFieldError) { return try objects(at: n) } catch { throw error.under(key) }
    }

    // MARK: Reading the value at a tape index (as JSONValueDecoder converts a JSONValue)

    /// The value at tape index `n`, read into a `JSONValue` (for error messages and `value(_:)`).
    @usableFromInline
    func value(at n: Int) -> JSONValue {
        let node = self.node(n)
        let range = UnsafeRawBufferPointer(start: doc.bytes + Int(node.start), count: Int(node.end - node.start))
        // It was validated as part of the whole text.
        return (try? JSONValue.parse(range)) ?? .null
    }

    @usableFromInline
    func string(at n: Int) throws(JSONFieldError) -> String {
        let node = self.node(n)
        guard node.kind == _JSONNode.string else { throw .expected("a string", value(at: n)) }
        return Self.string(node, doc.buffer)
    }

    /// The `Double` of the number node `node`, as `JSONValue.parse` reads it.
    @inline(__always)
    func number(_ node: _JSONNode) -> Double {
        var p = _JSONParser(UnsafeRawBufferPointer(start: doc.bytes + Int(node.start), count: Int(node.end - node.start)), maxDepth: 0)
        // It was validated (and found in range) as part of the whole text.
        return (try? p.number()) ?? .nan
    }

    /// A whole number in `Int`'s range (as `Int(exactly:)`).
    @usableFromInline
    func int(at n: Int) throws(JSONFieldError) -> Int {
        let node = self.node(n)
        guard node.kind == _JSONNode.number else { throw .expected("an integer", value(at: n)) }
        let d = number(node)
        guard let i = Int(exactly: d) else { throw JSONFieldError(reason: "the number \(d) is not an integer in range") }
        return i
    }

    @usableFromInline
    func double(at n: Int) throws(JSONFieldError) -> Double {
        let node = self.node(n)
        guard node.kind == _JSONNode.number else { throw .expected("a number", value(at: n)) }
        return number(node)
    }

    @usableFromInline
    func bool(at n: Int) throws(JSONFieldError) -> Bool {
        switch node(n).kind {
        case _JSONNode.true: return true
        case _JSONNode.false: return false
        default: throw .expected("a boolean", value(at: n))
        }
    }

    /// An ISO 8601 date string, as `JSONDates.parse` reads it.
    @usableFromInline
    func date(at n: Int) throws(JSONFieldError) -> Date {
        let node = self.node(n)
        guard node.kind == _JSONNode.string else { throw .expected("an ISO 8601 date string", value(at: n)) }
        let date = node.flags & _JSONParser.escaped == 0
            // The bytes between the quotes are the text.
            ? JSONDates.parse(utf8: UnsafeBufferPointer(start: doc.bytes + Int(node.start) + 1, count: Int(node.end - node.start) - 2))
            : JSONDates.parse(Self.string(node, doc.buffer))
        guard let date else { throw JSONFieldError(reason: "\(try string(at: n).debugDescription) is not an ISO 8601 date") }
        return date
    }

    @inlinable
    func rawValue<E: RawRepresentable>(at n: Int) throws(JSONFieldError) -> E where E.RawValue == String {
        let s = try string(at: n)
        guard let e = E(rawValue: s) else { throw JSONFieldError(reason: "\(s.debugDescription) is not a valid \(E.self)") }
        return e
    }

    @usableFromInline
    func stringMap(at n: Int) throws(JSONFieldError) -> [String: String] {
        let node = self.node(n)
        guard node.kind == _JSONNode.object else { throw .expected("an object of strings", value(at: n)) }
        let end = Int(node.next)
        var count = 0
        var m = n + 1
        while m < end {
            count += 1
            m = Int(self.node(m + 1).next)
        }
        var out: [String: String] = Dictionary(minimumCapacity: count)
        m = n + 1
        while m < end {
            let k = Self.string(self.node(m), doc.buffer)
            guard self.node(m + 1).kind == _JSONNode.string else {
                throw JSONFieldError.expected("a string", value(at: m + 1)).under(k)
            }
            out[k] = try string(at: m + 1)
            m = Int(self.node(m + 1).next)
        }
        return out
    }

    /// The object at tape index `n`.
    @usableFromInline
    func fields(at n: Int) throws(JSONFieldError) -> JSONFields {
        guard node(n).kind == _JSONNode.object else { throw .expected("an object", value(at: n)) }
        return JSONFields(doc: doc, object: n)
    }

    /// The number of elements of the array at tape index `n` and the tape index just past them (its first
    /// element is at `n + 1`, and each next one at `nextSibling`).
    @usableFromInline
    func arrayBounds(at n: Int) throws(JSONFieldError) -> (count: Int, end: Int) {
        let node = self.node(n)
        guard node.kind == _JSONNode.array else { throw .expected("an array", value(at: n)) }
        let end = Int(node.next)
        var count = 0
        var e = n + 1
        while e < end {
            count += 1
            e = Int(self.node(e).next)
        }
        return (count, end)
    }

    /// The tape index of the value after the one at `n` in its array or object.
    @inlinable
    func nextSibling(_ n: Int) -> Int { Int(node(n).next) }

    /// The elements of the array at tape index `n`, each read by `each` from its tape index; errors name the index.
    @inlinable
    func elements<T>(at n: Int, _ each: (Int) throws(JSONFieldError) -> T) throws(JSONFieldError) -> [T] {
        let (count, end) = try arrayBounds(at: n)
        var out: [T] = []
        out.reserveCapacity(count)
        var e = n + 1
        while e < end {
            do throws(JSONFieldError) { out.append(try each(e)) } catch { throw error.under("[\(out.count)]") }
            e = nextSibling(e)
        }
        return out
    }

    @usableFromInline
    func strings(at n: Int) throws(JSONFieldError) -> [String] {
        try elements(at: n) { e throws(JSONFieldError) in try string(at: e) }
    }

    /// The objects of the array at tape index `n`, each built by its `init(json:)`; errors name the index.
    @inlinable
    func objects<T: JSONFieldsDecodable>(at n: Int) throws(JSONFieldError) -> [T] {
        try elements(at: n) { e throws(JSONFieldError) in try T(json: fields(at: e)) }
    }
}

/// A scanned text and its tape (see `_JSONParser.scan`), in one block of memory, immutable once built: what every
/// `JSONFields` of one text shares.
@usableFromInline
final class _JSONDocument: @unchecked Sendable {
    @usableFromInline let nodes: UnsafeMutablePointer<_JSONNode>
    /// The text.
    @usableFromInline let bytes: UnsafePointer<UInt8>
    @usableFromInline let count: Int

    /// Takes over `tape`'s memory, where `text` is.
    init(tape: _JSONTape, text: UnsafePointer<UInt8>) {
        nodes = tape.base
        bytes = text
        count = tape.textCount
    }

    /// The text.
    @usableFromInline var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: bytes, count: count) }

    deinit { UnsafeMutableRawPointer(nodes).deallocate() }
}
