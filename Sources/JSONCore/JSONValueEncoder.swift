import Foundation

/// Encodes any `Encodable` to a `JSONValue`, much faster than going through `JSONEncoder` and bytes.
///
/// Matches `JSONEncoder` with `.iso8601` dates and default strategies where it matters: `Date`s become ISO 8601
/// strings (`JSONDates.format`: no fraction when the date has whole seconds, else to the microsecond); `nil`
/// optionals encoded with `encodeIfPresent` (what synthesized conformances use) are omitted; `Data` becomes a
/// base64 string and `URL` its absolute string; non-finite floating-point numbers are refused. Numbers are held
/// as `Double`, so integers beyond 2^53 lose precision.
public struct JSONValueEncoder: Sendable {
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let e = _JSONValueEncoderImpl(parent: nil, key: nil, userInfo: userInfo)
        if let v = try e.boxFast(value) { return v }
        try value.encode(to: e)
        return e.resolve()
    }

    /// The canonical JSON bytes of `value` (`encode(value).serialize()`).
    public func encodeCanonical<T: Encodable>(_ value: T) throws -> [UInt8] {
        try encode(value).serialize()
    }
}

/// What an encoder or container has written so far: plain values, or containers still being written to.
enum _Node {
    case none
    case value(JSONValue)
    case object(_ObjectBox)
    case array(_ArrayBox)
    case encoder(_JSONValueEncoderImpl)

    func resolve() -> JSONValue {
        switch self {
        case .none: return .object([:])
        case .value(let v): return v
        case .object(let o): return o.resolve()
        case .array(let a): return a.resolve()
        case .encoder(let e): return e.resolve()
        }
    }
}

final class _ObjectBox {
    var values: [String: JSONValue] = [:]
    /// Members still being written through nested containers or super encoders (rare).
    var pending: [String: _Node] = [:]

    func set(_ key: String, _ v: JSONValue) {
        values[key] = v
        if !pending.isEmpty { pending[key] = nil }
    }

    func resolve() -> JSONValue {
        if pending.isEmpty { return .object(values) }
        var all = values
        for (k, n) in pending { all[k] = n.resolve() }
        return .object(all)
    }
}

final class _ArrayBox {
    var values: [JSONValue] = []
    /// Elements still being written through nested containers or super encoders (rare), by index.
    var pending: [(Int, _Node)] = []

    func resolve() -> JSONValue {
        if pending.isEmpty { return .array(values) }
        var all = values
        for (i, n) in pending where i < all.count { all[i] = n.resolve() }
        return .array(all)
    }
}

/// The `Encoder` handed to `encode(to:)`. Coding paths are computed from parent links only when asked for.
final class _JSONValueEncoderImpl: Encoder {
    let parent: _JSONValueEncoderImpl?
    let key: (any CodingKey)?
    let userInfoStorage: [CodingUserInfoKey: any Sendable]
    var node: _Node = .none

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

    func resolve() -> JSONValue { node.resolve() }

    func storeValue(_ v: JSONValue) { node = .value(v) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: _ObjectBox
        if case .object(let b) = node {
            box = b
        } else {
            box = _ObjectBox()
            node = .object(box)
        }
        return KeyedEncodingContainer(_KeyedEncoder<Key>(encoder: self, box: box))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        let box: _ArrayBox
        if case .array(let b) = node {
            box = b
        } else {
            box = _ArrayBox()
            node = .array(box)
        }
        return _UnkeyedEncoder(encoder: self, box: box)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { _SingleValueEncoder(encoder: self) }

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
    func box<T: Encodable>(_ value: T, key: (any CodingKey)?) throws -> JSONValue {
        if let v = try boxFast(value, key: key) { return v }
        let child = _JSONValueEncoderImpl(parent: self, key: key, userInfo: userInfoStorage)
        try value.encode(to: child)
        return child.resolve()
    }
}

struct _KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: _JSONValueEncoderImpl
    let box: _ObjectBox

    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil(forKey key: Key) throws { box.set(key.stringValue, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { box.set(key.stringValue, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { box.set(key.stringValue, .string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { box.set(key.stringValue, try encoder.double(value, key: key)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { box.set(key.stringValue, try encoder.box(value, key: key)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.set(key.stringValue, .number(Double(value))) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { box.set(key.stringValue, .number(Double(value))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { box.set(key.stringValue, .number(Double(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { box.set(key.stringValue, .number(Double(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { box.set(key.stringValue, .number(Double(value))) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { box.set(key.stringValue, .number(Double(value))) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { box.set(key.stringValue, .number(Double(value))) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { box.set(key.stringValue, .number(Double(value))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { box.set(key.stringValue, .number(Double(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { box.set(key.stringValue, .number(Double(value))) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { box.set(key.stringValue, try encoder.box(value, key: key)) }

    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        if let value { box.set(key.stringValue, .string(value)) }
    }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
        if let value { box.set(key.stringValue, .number(Double(value))) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        if let value { box.set(key.stringValue, .bool(value)) }
    }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        if let value { box.set(key.stringValue, try encoder.double(value, key: key)) }
    }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { box.set(key.stringValue, try encoder.box(value, key: key)) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = _JSONValueEncoderImpl(parent: encoder, key: key, userInfo: encoder.userInfoStorage)
        let nested = _ObjectBox()
        child.node = .object(nested)
        box.pending[key.stringValue] = .object(nested)
        box.values[key.stringValue] = nil
        return KeyedEncodingContainer(_KeyedEncoder<NestedKey>(encoder: child, box: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let child = _JSONValueEncoderImpl(parent: encoder, key: key, userInfo: encoder.userInfoStorage)
        let nested = _ArrayBox()
        child.node = .array(nested)
        box.pending[key.stringValue] = .array(nested)
        box.values[key.stringValue] = nil
        return _UnkeyedEncoder(encoder: child, box: nested)
    }

    mutating func superEncoder() -> Encoder { superEncoder(key: _JSONKey.super) }

    mutating func superEncoder(forKey key: Key) -> Encoder { superEncoder(key: key) }

    private func superEncoder(key: any CodingKey) -> Encoder {
        let child = _JSONValueEncoderImpl(parent: encoder, key: key, userInfo: encoder.userInfoStorage)
        box.pending[key.stringValue] = .encoder(child)
        box.values[key.stringValue] = nil
        return child
    }
}

struct _UnkeyedEncoder: UnkeyedEncodingContainer {
    let encoder: _JSONValueEncoderImpl
    let box: _ArrayBox

    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { box.values.count }

    private var nextKey: _JSONKey { _JSONKey(index: box.values.count) }

    mutating func encodeNil() throws { box.values.append(.null) }
    mutating func encode(_ value: Bool) throws { box.values.append(.bool(value)) }
    mutating func encode(_ value: String) throws { box.values.append(.string(value)) }
    mutating func encode(_ value: Double) throws { box.values.append(try encoder.double(value, key: nextKey)) }
    mutating func encode(_ value: Float) throws { box.values.append(try encoder.box(value, key: nextKey)) }
    mutating func encode(_ value: Int) throws { box.values.append(.number(Double(value))) }
    mutating func encode(_ value: Int8) throws { box.values.append(.number(Double(value))) }
    mutating func encode(_ value: Int16) throws { box.values.append(.number(Double(value))) }
    mutating func encode(_ value: Int32) throws { box.values.append(.number(Double(value))) }
    mutating func encode(_ value: Int64) throws { box.values.append(.number(Double(value))) }
    mutating func encode(_ value: UInt) throws { box.values.append(.number(Double(value))) }
    mutating func encode(_ value: UInt8) throws { box.values.append(.number(Double(value))) }
    mutating func encode(_ value: UInt16) throws { box.values.append(.number(Double(value))) }
    mutating func encode(_ value: UInt32) throws { box.values.append(.number(Double(value))) }
    mutating func encode(_ value: UInt64) throws { box.values.append(.number(Double(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { box.values.append(try encoder.box(value, key: nextKey)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = _JSONValueEncoderImpl(parent: encoder, key: nextKey, userInfo: encoder.userInfoStorage)
        let nested = _ObjectBox()
        child.node = .object(nested)
        box.pending.append((box.values.count, .object(nested)))
        box.values.append(.null)
        return KeyedEncodingContainer(_KeyedEncoder<NestedKey>(encoder: child, box: nested))
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let child = _JSONValueEncoderImpl(parent: encoder, key: nextKey, userInfo: encoder.userInfoStorage)
        let nested = _ArrayBox()
        child.node = .array(nested)
        box.pending.append((box.values.count, .array(nested)))
        box.values.append(.null)
        return _UnkeyedEncoder(encoder: child, box: nested)
    }

    mutating func superEncoder() -> Encoder {
        let child = _JSONValueEncoderImpl(parent: encoder, key: nextKey, userInfo: encoder.userInfoStorage)
        box.pending.append((box.values.count, .encoder(child)))
        box.values.append(.null)
        return child
    }
}

struct _SingleValueEncoder: SingleValueEncodingContainer {
    let encoder: _JSONValueEncoderImpl

    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.node = .value(.null) }
    mutating func encode(_ value: Bool) throws { encoder.node = .value(.bool(value)) }
    mutating func encode(_ value: String) throws { encoder.node = .value(.string(value)) }
    mutating func encode(_ value: Double) throws { encoder.node = .value(try encoder.double(value, key: nil)) }
    mutating func encode(_ value: Float) throws { encoder.node = .value(try encoder.box(value, key: nil)) }
    mutating func encode(_ value: Int) throws { encoder.node = .value(.number(Double(value))) }
    mutating func encode(_ value: Int8) throws { encoder.node = .value(.number(Double(value))) }
    mutating func encode(_ value: Int16) throws { encoder.node = .value(.number(Double(value))) }
    mutating func encode(_ value: Int32) throws { encoder.node = .value(.number(Double(value))) }
    mutating func encode(_ value: Int64) throws { encoder.node = .value(.number(Double(value))) }
    mutating func encode(_ value: UInt) throws { encoder.node = .value(.number(Double(value))) }
    mutating func encode(_ value: UInt8) throws { encoder.node = .value(.number(Double(value))) }
    mutating func encode(_ value: UInt16) throws { encoder.node = .value(.number(Double(value))) }
    mutating func encode(_ value: UInt32) throws { encoder.node = .value(.number(Double(value))) }
    mutating func encode(_ value: UInt64) throws { encoder.node = .value(.number(Double(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        if let v = try encoder.boxFast(value) {
            encoder.node = .value(v)
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
