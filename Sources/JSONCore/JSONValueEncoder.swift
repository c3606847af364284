import Foundation

/// Encodes any `Encodable` to a `JSONValue`, or straight to canonical JSON bytes, much faster than going
/// through `JSONEncoder`.
///
/// Matches `JSONEncoder` with `.iso8601` dates and default strategies where it matters: `Date`s become ISO 8601
/// strings (`JSONDates.format`: no fraction when the date has whole seconds, else to the microsecond); `nil`
/// optionals encoded with `encodeIfPresent` (what synthesized conformances use) are omitted; `Data` becomes a
/// base64 string and `URL` its absolute string; non-finite floating-point numbers are refused. Numbers are held
/// as `Double`, so integers beyond 2^53 lose precision. When a key is encoded twice in one container, the last
/// value wins.
///
/// Pays for itself twice: `encodeCanonical` writes the canonical bytes the event log stores and hashes, which
/// no `JSONEncoder` setting produces, and it takes 1.8–2.8 µs an event payload against 4.9–7.5 µs for
/// `JSONEncoder` with `.sortedKeys` (1.8–3.4x; `align-bench --only json`, release build, medians of 9 runs, six runs on 2026-12-07 (docs/BENCHMARKS.md)).
public struct JSONValueEncoder: Sendable {
    /// Context for `Encodable` implementations, as `JSONEncoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// An encoder with the default strategies.
    public init() {}

    /// The value as a `JSONValue`.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let e = _JSONValueEncoderImpl(parent: nil, key: nil, userInfo: userInfo)
        if let v = try e.boxFast(value) { return v }
        try value.encode(to: e)
        return e.resolve()
    }

    /// The canonical JSON bytes of `value`: exactly `encode(value).serialize()`, written without building the
    /// intermediate dictionaries.
    public func encodeCanonical<T: Encodable>(_ value: T) throws -> [UInt8] {
        let e = _JSONValueEncoderImpl(parent: nil, key: nil, userInfo: userInfo)
        if let v = try e.boxFast(value) { return v.serialize() }
        try value.encode(to: e)
        var out: [UInt8] = []
        out.reserveCapacity(256)
        e.write(into: &out)
        return out
    }
}

/// A member or element written so far: a plain value, or an encoder that holds a container.
enum _Node {
    case value(JSONValue)
    case encoder(_JSONValueEncoderImpl)
    /// A `[String: String]` (profiles, maps), kept as it is until written.
    case stringMap([String: String])

    func resolve() -> JSONValue {
        switch self {
        case .value(let v): return v
        case .encoder(let e): return e.resolve()
        case .stringMap(let m): return .object(m.mapValues(JSONValue.string))
        }
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .value(let v): v.serialize(into: &out)
        case .encoder(let e): e.write(into: &out)
        case .stringMap(let m):
            var members = Array(m)
            JSONWriter.sortByUTF8(&members)
            out.append(UInt8(ascii: "{"))
            for (i, kv) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.appendString(kv.key, to: &out)
                out.append(UInt8(ascii: ":"))
                JSONWriter.appendString(kv.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// An object member as written.
struct _Member {
    let key: String
    let node: _Node
}

/// The `Encoder` handed to `encode(to:)`; it also holds what is written through its containers, in order.
/// Coding paths are computed from parent links only when asked for.
final class _JSONValueEncoderImpl: Encoder {
    enum Kind { case none, single, object, array }

    /// Unowned: a parent holds its nested encoders in `members`/`elements`, so a strong link back would leak
    /// every tree. Parents outlive their children while encoding.
    unowned let parent: _JSONValueEncoderImpl?
    let key: (any CodingKey)?
    let userInfoStorage: [CodingUserInfoKey: any Sendable]
    var kind = Kind.none
    var single = JSONValue.null
    /// Object members in the order written (a key written again later wins).
    var members: [_Member] = []
    var elements: [_Node] = []

    init(parent: _JSONValueEncoderImpl?, key: (any CodingKey)?, userInfo: [CodingUserInfoKey: any Sendable]) {
        self.parent = parent
        self.key = key
        self.userInfoStorage = userInfo
    }

    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var e: _JSONValueEncoderImpl? = self
        while let cur = e {
            if let k = cur.key { path.append(k) }
            e = cur.parent
        }
        return path.reversed()
    }

    var userInfo: [CodingUserInfoKey: Any] { userInfoStorage }

    func storeValue(_ v: JSONValue) {
        kind = .single
        single = v
    }

    /// The node to keep in a parent: the plain value when this encoder ended up with one.
    var node: _Node {
        switch kind {
        case .single: return .value(single)
        case .none: return .value(.object([:]))
        case .object, .array: return .encoder(self)
        }
    }

    @inline(__always) func addMember(_ key: String, _ node: _Node) {
        if members.isEmpty { members.reserveCapacity(8) }
        members.append(_Member(key: key, node: node))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if kind != .object {
            kind = .object
            members.removeAll()
        }
        return KeyedEncodingContainer(_KeyedEncoder<Key>(encoder: self))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if kind != .array {
            kind = .array
            elements.removeAll()
        }
        return _UnkeyedEncoder(encoder: self)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { _SingleValueEncoder(encoder: self) }

    // MARK: Results

    func resolve() -> JSONValue {
        switch kind {
        case .none: return .object([:])
        case .single: return single
        case .array: return .array(elements.map { $0.resolve() })
        case .object:
            var o: [String: JSONValue] = Dictionary(minimumCapacity: members.count)
            for m in members { o[m.key] = m.node.resolve() }
            return .object(o)
        }
    }

    /// Writes the canonical JSON text, as `resolve().serialize(into:)` would.
    func write(into out: inout [UInt8]) {
        switch kind {
        case .none: out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
        case .single: single.serialize(into: &out)
        case .array:
            out.append(UInt8(ascii: "["))
            for (i, e) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                e.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object:
            out.append(UInt8(ascii: "{"))
            let n = members.count
            members.withUnsafeBufferPointer { m in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: max(n, 1)) { order in
                    // Stable insertion sort of member indices by key bytes: equal keys keep their writing order.
                    for i in 0..<n {
                        var j = i
                        while j > 0, JSONWriter.utf8Less(m[i].key, m[order[j - 1]].key) {
                            order[j] = order[j - 1]
                            j -= 1
                        }
                        order[j] = i
                    }
                    var first = true
                    for k in 0..<n {
                        let member = m[order[k]]
                        // A key written twice: only its last value counts.
                        if k + 1 < n, m[order[k + 1]].key == member.key { continue }
                        if !first { out.append(UInt8(ascii: ",")) }
                        first = false
                        JSONWriter.appendString(member.key, to: &out)
                        out.append(UInt8(ascii: ":"))
                        member.node.write(into: &out)
                    }
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    // MARK: Boxing

    static func invalid(_ value: Any, _ path: [any CodingKey], _ why: String) -> EncodingError {
        EncodingError.invalidValue(value, EncodingError.Context(codingPath: path, debugDescription: why))
    }

    func double(_ d: Double, key: (any CodingKey)?) throws -> JSONValue {
        guard d.isFinite else {
            throw Self.invalid(d, codingPath + (key.map { [$0] } ?? []), "Unable to encode \(d) directly in JSON.")
        }
        return .number(d)
    }

    func date(_ d: Date, key: (any CodingKey)?) throws -> JSONValue {
        guard let s = JSONDates.format(d) else {
            throw Self.invalid(d, codingPath + (key.map { [$0] } ?? []), "Date \(d) is out of the range ISO 8601 text can hold.")
        }
        return .string(s)
    }

    /// The value of common leaf types without running their `encode(to:)`; nil for others.
    @inline(__always)
    func boxFast<T: Encodable>(_ value: T, key: (any CodingKey)? = nil) throws -> JSONValue? {
        if T.self == String.self { return .string(value as! String) }
        if T.self == Int.self { return .number(Double(value as! Int)) }
        if T.self == Bool.self { return .bool(value as! Bool) }
        if T.self == Double.self { return try double(value as! Double, key: key) }
        if T.self == Date.self { return try date(value as! Date, key: key) }
        if T.self == JSONValue.self { return (value as! JSONValue) }
        if T.self == [String].self { return .array((value as! [String]).map(JSONValue.string)) }
        if T.self == [String: String].self { return .object((value as! [String: String]).mapValues(JSONValue.string)) }
        if T.self == Int64.self { return .number(Double(value as! Int64)) }
        if T.self == UInt64.self { return .number(Double(value as! UInt64)) }
        if T.self == Float.self {
            let f = value as! Float
            return try double(Double(f.description) ?? Double(f), key: key)
        }
        if T.self == Data.self { return .string((value as! Data).base64EncodedString()) }
        if T.self == URL.self { return .string((value as! URL).absoluteString) }
        return nil
    }

    /// Encodes a nested value.
    func box<T: Encodable>(_ value: T, key: (any CodingKey)?) throws -> _Node {
        if T.self == [String: String].self { return .stringMap(value as! [String: String]) }
        if let v = try boxFast(value, key: key) { return .value(v) }
        let child = _JSONValueEncoderImpl(parent: self, key: key, userInfo: userInfoStorage)
        try value.encode(to: child)
        return child.node
    }
}

struct _KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: _JSONValueEncoderImpl

    var codingPath: [any CodingKey] { encoder.codingPath }

    @inline(__always) private func set(_ key: Key, _ v: JSONValue) { encoder.addMember(key.stringValue, .value(v)) }

    mutating func encodeNil(forKey key: Key) throws { set(key, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(key, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(key, .string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(key, try encoder.double(value, key: key)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { encoder.addMember(key.stringValue, try encoder.box(value, key: key)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(key, .number(Double(value))) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(key, .number(Double(value))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(key, .number(Double(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(key, .number(Double(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(key, .number(Double(value))) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(key, .number(Double(value))) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(key, .number(Double(value))) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(key, .number(Double(value))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(key, .number(Double(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(key, .number(Double(value))) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        encoder.addMember(key.stringValue, try encoder.box(value, key: key))
    }

    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        if let value { set(key, .string(value)) }
    }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
        if let value { set(key, .number(Double(value))) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        if let value { set(key, .bool(value)) }
    }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        if let value { set(key, try encoder.double(value, key: key)) }
    }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { encoder.addMember(key.stringValue, try encoder.box(value, key: key)) }
    }

    private func child(_ key: any CodingKey, _ kind: _JSONValueEncoderImpl.Kind) -> _JSONValueEncoderImpl {
        let child = _JSONValueEncoderImpl(parent: encoder, key: key, userInfo: encoder.userInfoStorage)
        child.kind = kind
        encoder.addMember(key.stringValue, .encoder(child))
        return child
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(_KeyedEncoder<NestedKey>(encoder: child(key, .object)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        _UnkeyedEncoder(encoder: child(key, .array))
    }

    mutating func superEncoder() -> Encoder { child(_JSONKey.super, .none) }

    mutating func superEncoder(forKey key: Key) -> Encoder { child(key, .none) }
}

struct _UnkeyedEncoder: UnkeyedEncodingContainer {
    let encoder: _JSONValueEncoderImpl

    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { encoder.elements.count }

    private var nextKey: _JSONKey { _JSONKey(index: encoder.elements.count) }

    @inline(__always) private func add(_ v: JSONValue) { encoder.elements.append(.value(v)) }

    mutating func encodeNil() throws { add(.null) }
    mutating func encode(_ value: Bool) throws { add(.bool(value)) }
    mutating func encode(_ value: String) throws { add(.string(value)) }
    mutating func encode(_ value: Double) throws { add(try encoder.double(value, key: nextKey)) }
    mutating func encode(_ value: Float) throws { encoder.elements.append(try encoder.box(value, key: nextKey)) }
    mutating func encode(_ value: Int) throws { add(.number(Double(value))) }
    mutating func encode(_ value: Int8) throws { add(.number(Double(value))) }
    mutating func encode(_ value: Int16) throws { add(.number(Double(value))) }
    mutating func encode(_ value: Int32) throws { add(.number(Double(value))) }
    mutating func encode(_ value: Int64) throws { add(.number(Double(value))) }
    mutating func encode(_ value: UInt) throws { add(.number(Double(value))) }
    mutating func encode(_ value: UInt8) throws { add(.number(Double(value))) }
    mutating func encode(_ value: UInt16) throws { add(.number(Double(value))) }
    mutating func encode(_ value: UInt32) throws { add(.number(Double(value))) }
    mutating func encode(_ value: UInt64) throws { add(.number(Double(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { encoder.elements.append(try encoder.box(value, key: nextKey)) }

    private func child(_ kind: _JSONValueEncoderImpl.Kind) -> _JSONValueEncoderImpl {
        let child = _JSONValueEncoderImpl(parent: encoder, key: nextKey, userInfo: encoder.userInfoStorage)
        child.kind = kind
        encoder.elements.append(.encoder(child))
        return child
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(_KeyedEncoder<NestedKey>(encoder: child(.object)))
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer { _UnkeyedEncoder(encoder: child(.array)) }

    mutating func superEncoder() -> Encoder { child(.none) }
}

struct _SingleValueEncoder: SingleValueEncodingContainer {
    let encoder: _JSONValueEncoderImpl

    var codingPath: [any CodingKey] { encoder.codingPath }

    @inline(__always) private func store(_ v: JSONValue) { encoder.storeValue(v) }

    mutating func encodeNil() throws { store(.null) }
    mutating func encode(_ value: Bool) throws { store(.bool(value)) }
    mutating func encode(_ value: String) throws { store(.string(value)) }
    mutating func encode(_ value: Double) throws { store(try encoder.double(value, key: nil)) }
    mutating func encode(_ value: Float) throws {
        if let v = try encoder.boxFast(value) { store(v) }
    }
    mutating func encode(_ value: Int) throws { store(.number(Double(value))) }
    mutating func encode(_ value: Int8) throws { store(.number(Double(value))) }
    mutating func encode(_ value: Int16) throws { store(.number(Double(value))) }
    mutating func encode(_ value: Int32) throws { store(.number(Double(value))) }
    mutating func encode(_ value: Int64) throws { store(.number(Double(value))) }
    mutating func encode(_ value: UInt) throws { store(.number(Double(value))) }
    mutating func encode(_ value: UInt8) throws { store(.number(Double(value))) }
    mutating func encode(_ value: UInt16) throws { store(.number(Double(value))) }
    mutating func encode(_ value: UInt32) throws { store(.number(Double(value))) }
    mutating func encode(_ value: UInt64) throws { store(.number(Double(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        if let v = try encoder.boxFast(value) {
            store(v)
            return
        }
        // The value writes into this same encoder (as JSONEncoder does for single values).
        try value.encode(to: encoder)
    }
}

/// Coding keys for array indices, `super` and dictionary keys. An index key builds its text only when asked.
struct _JSONKey: CodingKey {
    private let text: String?
    let intValue: Int?

    init(stringValue: String) {
        self.text = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.text = "\(intValue)"
        self.intValue = intValue
    }

    init(index: Int) {
        self.text = nil
        self.intValue = index
    }

    var stringValue: String { text ?? "Index \(intValue ?? 0)" }

    static let `super` = _JSONKey(stringValue: "super")
}
