import Foundation

/// Decodes any `Decodable` from a `JSONValue` (or from JSON bytes, through `JSONValue.parse`), much faster than
/// `JSONDecoder`.
///
/// Mirrors `JSONDecoder` with `.iso8601` dates and default strategies: `Date`s are read from ISO 8601 strings
/// (whatever `ISOTime.parse` accepts: with or without fractional seconds, `Z` or an offset, or a bare date);
/// missing keys and `null`s read as `nil` for optionals; integers must be whole numbers in range; `Data` is read
/// from base64 and `URL` from a string. Errors are `DecodingError`s with coding paths.
///
/// Pays for itself: 2.3–2.9 µs an event payload (bytes to struct) against 5.8–6.8 µs with `JSONDecoder`
/// (2.3–2.5x; `align-bench --only json`, release build, medians of 9 runs, six runs on 2026-12-07 (docs/BENCHMARKS.md)).
public struct JSONValueDecoder: Sendable {
    /// Context for `Decodable` implementations, as `JSONDecoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// A decoder with the default strategies.
    public init() {}

    /// Decodes a `T` from a JSON value.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        let d = _JSONValueDecoderImpl(value: value, parent: nil, key: nil, userInfo: userInfo)
        return try d.unbox(value, as: T.self, key: nil, reuse: d)
    }

    /// Parses `bytes` (see `JSONValue.parse`) and decodes them. A parse error is thrown as
    /// `DecodingError.dataCorrupted` whose underlying error is the `JSONParseError`.
    public func decode<T: Decodable, C: Collection>(_ type: T.Type, fromJSON bytes: C) throws -> T where C.Element == UInt8 {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: error.description, underlyingError: error))
        }
        return try decode(type, from: value)
    }
}

/// The `Decoder` handed to `init(from:)`. Coding paths are computed from parent links only when asked for.
final class _JSONValueDecoderImpl: Decoder {
    let value: JSONValue
    let parent: _JSONValueDecoderImpl?
    let key: (any CodingKey)?
    let userInfoStorage: [CodingUserInfoKey: any Sendable]

    init(value: JSONValue, parent: _JSONValueDecoderImpl?, key: (any CodingKey)?, userInfo: [CodingUserInfoKey: any Sendable]) {
        self.value = value
        self.parent = parent
        self.key = key
        self.userInfoStorage = userInfo
    }

    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var d: _JSONValueDecoderImpl? = self
        while let cur = d {
            if let k = cur.key { path.append(k) }
            d = cur.parent
        }
        return path.reversed()
    }

    var userInfo: [CodingUserInfoKey: Any] { userInfoStorage }

    func path(_ key: (any CodingKey)?) -> [any CodingKey] {
        guard let key else { return codingPath }
        return codingPath + [key]
    }

    static func describe(_ v: JSONValue) -> String {
        switch v {
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }

    func mismatch(_ type: Any.Type, _ v: JSONValue, _ key: (any CodingKey)?) -> DecodingError {
        if case .null = v {
            return DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: path(key), debugDescription: "Expected \(type) value but found null instead."))
        }
        return DecodingError.typeMismatch(type, DecodingError.Context(
            codingPath: path(key), debugDescription: "Expected to decode \(type) but found \(Self.describe(v)) instead."))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let o) = value else { throw mismatch([String: Any].self, value, nil) }
        return KeyedDecodingContainer(_KeyedDecoder<Key>(decoder: self, object: o))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let a) = value else { throw mismatch([Any].self, value, nil) }
        return _UnkeyedDecoder(decoder: self, array: a)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { _SingleValueDecoder(decoder: self) }

    // MARK: Unboxing

    @inline(__always) func string(_ v: JSONValue, _ key: (any CodingKey)?) throws -> String {
        guard case .string(let s) = v else { throw mismatch(String.self, v, key) }
        return s
    }

    @inline(__always) func bool(_ v: JSONValue, _ key: (any CodingKey)?) throws -> Bool {
        guard case .bool(let b) = v else { throw mismatch(Bool.self, v, key) }
        return b
    }

    @inline(__always) func double(_ v: JSONValue, _ key: (any CodingKey)?) throws -> Double {
        guard case .number(let n) = v else { throw mismatch(Double.self, v, key) }
        return n
    }

    @inline(__always) func integer<I: BinaryInteger>(_ v: JSONValue, _ key: (any CodingKey)?, _ t: I.Type) throws -> I {
        guard case .number(let n) = v else { throw mismatch(I.self, v, key) }
        guard let i = I(exactly: n) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: path(key), debugDescription: "Parsed JSON number <\(n)> does not fit in \(I.self)."))
        }
        return i
    }

    func date(_ v: JSONValue, _ key: (any CodingKey)?) throws -> Date {
        guard case .string(let s) = v else { throw mismatch(Date.self, v, key) }
        guard let d = JSONDates.parse(s) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: path(key), debugDescription: "Expected date string to be ISO8601-formatted."))
        }
        return d
    }

    /// Decodes `v`, found at `key` below this decoder (or this decoder's own value when `key` is nil), as `T`.
    /// `reuse` is a decoder already holding `v` at that path.
    func unbox<T: Decodable>(_ v: JSONValue, as type: T.Type, key: (any CodingKey)?, reuse: _JSONValueDecoderImpl? = nil) throws -> T {
        if T.self == String.self { return try string(v, key) as! T }
        if T.self == Int.self { return try integer(v, key, Int.self) as! T }
        if T.self == Bool.self { return try bool(v, key) as! T }
        if T.self == Double.self { return try double(v, key) as! T }
        if T.self == Date.self { return try date(v, key) as! T }
        if T.self == JSONValue.self { return v as! T }
        if T.self == [String].self {
            guard case .array(let a) = v else { throw mismatch(T.self, v, key) }
            var out: [String] = []
            out.reserveCapacity(a.count)
            for (i, e) in a.enumerated() { out.append(try string(e, _JSONKey(index: i))) }
            return out as! T
        }
        if T.self == [String: String].self {
            guard case .object(let o) = v else { throw mismatch(T.self, v, key) }
            var out: [String: String] = [:]
            out.reserveCapacity(o.count)
            for (k, e) in o {
                guard case .string(let s) = e else {
                    throw DecodingError.typeMismatch(String.self, DecodingError.Context(
                        codingPath: path(key) + [_JSONKey(stringValue: k)],
                        debugDescription: "Expected to decode String but found \(Self.describe(e)) instead."))
                }
                out[k] = s
            }
            return out as! T
        }
        if T.self == Int64.self { return try integer(v, key, Int64.self) as! T }
        if T.self == UInt64.self { return try integer(v, key, UInt64.self) as! T }
        if T.self == Float.self { return Float(try double(v, key)) as! T }
        if T.self == Data.self {
            guard case .string(let s) = v else { throw mismatch(Data.self, v, key) }
            guard let d = Data(base64Encoded: s) else {
                throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: path(key), debugDescription: "Encountered Data is not valid Base64."))
            }
            return d as! T
        }
        if T.self == URL.self {
            guard case .string(let s) = v else { throw mismatch(URL.self, v, key) }
            guard let u = URL(string: s) else {
                throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: path(key), debugDescription: "Invalid URL string."))
            }
            return u as! T
        }
        return try T(from: reuse ?? _JSONValueDecoderImpl(value: v, parent: self, key: key, userInfo: userInfoStorage))
    }
}

struct _KeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: _JSONValueDecoderImpl
    let object: [String: JSONValue]

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    @inline(__always) func value(_ key: Key) throws -> JSONValue {
        guard let v = object[key.stringValue] else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: decoder.codingPath, debugDescription: "No value associated with key \(key.stringValue.debugDescription)."))
        }
        return v
    }

    /// The value for an optional: nil when missing or null.
    @inline(__always) func present(_ key: Key) -> JSONValue? {
        guard let v = object[key.stringValue] else { return nil }
        if case .null = v { return nil }
        return v
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try value(key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.bool(try value(key), key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.string(try value(key), key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.double(try value(key), key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try decoder.double(try value(key), key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.integer(try value(key), key, Int.self) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.integer(try value(key), key, Int8.self) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder.integer(try value(key), key, Int16.self) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.integer(try value(key), key, Int32.self) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.integer(try value(key), key, Int64.self) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder.integer(try value(key), key, UInt.self) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder.integer(try value(key), key, UInt8.self) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder.integer(try value(key), key, UInt16.self) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder.integer(try value(key), key, UInt32.self) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.integer(try value(key), key, UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.unbox(try value(key), as: T.self, key: key) }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(key).map { try decoder.bool($0, key) } }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(key).map { try decoder.string($0, key) } }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(key).map { try decoder.double($0, key) } }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key).map { try decoder.integer($0, key, Int.self) } }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(key).map { try decoder.unbox($0, as: T.self, key: key) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let v = try value(key)
        guard case .object(let o) = v else { throw decoder.mismatch([String: Any].self, v, key) }
        let child = _JSONValueDecoderImpl(value: v, parent: decoder, key: key, userInfo: decoder.userInfoStorage)
        return KeyedDecodingContainer(_KeyedDecoder<NestedKey>(decoder: child, object: o))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        let v = try value(key)
        guard case .array(let a) = v else { throw decoder.mismatch([Any].self, v, key) }
        let child = _JSONValueDecoderImpl(value: v, parent: decoder, key: key, userInfo: decoder.userInfoStorage)
        return _UnkeyedDecoder(decoder: child, array: a)
    }

    func superDecoder() throws -> Decoder {
        _JSONValueDecoderImpl(value: object["super"] ?? .null, parent: decoder, key: _JSONKey.super, userInfo: decoder.userInfoStorage)
    }

    func superDecoder(forKey key: Key) throws -> Decoder {
        _JSONValueDecoderImpl(value: object[key.stringValue] ?? .null, parent: decoder, key: key, userInfo: decoder.userInfoStorage)
    }
}

struct _UnkeyedDecoder: UnkeyedDecodingContainer {
    let decoder: _JSONValueDecoderImpl
    let array: [JSONValue]
    var currentIndex = 0

    init(decoder: _JSONValueDecoderImpl, array: [JSONValue]) {
        self.decoder = decoder
        self.array = array
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { array.count }
    var isAtEnd: Bool { currentIndex >= array.count }

    private var key: _JSONKey { _JSONKey(index: currentIndex) }

    /// The next element, without moving on.
    private func peek(_ type: Any.Type) throws -> JSONValue {
        guard currentIndex < array.count else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: decoder.path(key), debugDescription: "Unkeyed container is at end."))
        }
        return array[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        if case .null = try peek(Never.self) {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let v = try peek(type)
        let r = try decoder.bool(v, key)
        currentIndex += 1
        return r
    }
    mutating func decode(_ type: String.Type) throws -> String {
        let v = try peek(type)
        let r = try decoder.string(v, key)
        currentIndex += 1
        return r
    }
    mutating func decode(_ type: Double.Type) throws -> Double {
        let v = try peek(type)
        let r = try decoder.double(v, key)
        currentIndex += 1
        return r
    }
    mutating func decode(_ type: Float.Type) throws -> Float {
        let v = try peek(type)
        let r = Float(try decoder.double(v, key))
        currentIndex += 1
        return r
    }
    mutating func decode(_ type: Int.Type) throws -> Int {
        let v = try peek(type)
        let r = try decoder.integer(v, key, Int.self)
        currentIndex += 1
        return r
    }
    mutating func decode(_ type: Int8.Type) throws -> Int8 {
        let v = try peek(type)
        let r = try decoder.integer(v, key, Int8.self)
        currentIndex += 1
        return r
    }
    mutating func decode(_ type: Int16.Type) throws -> Int16 {
        let v = try peek(type)
        let r = try decoder.integer(v, key, Int16.self)
        currentIndex += 1
        return r
    }
    mutating func decode(_ type: Int32.Type) throws -> Int32 {
        let v = try peek(type)
        let r = try decoder.integer(v, key, Int32.self)
        currentIndex += 1
        return r
    }
    mutating func decode(_ type: Int64.Type) throws -> Int64 {
        let v = try peek(type)
        let r = try decoder.integer(v, key, Int64.self)
        currentIndex += 1
        return r
    }
    mutating func decode(_ type: UInt.Type) throws -> UInt {
        let v = try peek(type)
        let r = try decoder.integer(v, key, UInt.self)
        currentIndex += 1
        return r
    }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
        let v = try peek(type)
        let r = try decoder.integer(v, key, UInt8.self)
        currentIndex += 1
        return r
    }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
        let v = try peek(type)
        let r = try decoder.integer(v, key, UInt16.self)
        currentIndex += 1
        return r
    }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
        let v = try peek(type)
        let r = try decoder.integer(v, key, UInt32.self)
        currentIndex += 1
        return r
    }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
        let v = try peek(type)
        let r = try decoder.integer(v, key, UInt64.self)
        currentIndex += 1
        return r
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let v = try peek(type)
        let r = try decoder.unbox(v, as: T.self, key: key)
        currentIndex += 1
        return r
    }

    mutating func decodeIfPresent<T: Decodable>(_ type: T.Type) throws -> T? {
        if case .null = try peek(type) {
            currentIndex += 1
            return nil
        }
        return try decode(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let v = try peek([String: Any].self)
        guard case .object(let o) = v else { throw decoder.mismatch([String: Any].self, v, key) }
        let child = _JSONValueDecoderImpl(value: v, parent: decoder, key: key, userInfo: decoder.userInfoStorage)
        currentIndex += 1
        return KeyedDecodingContainer(_KeyedDecoder<NestedKey>(decoder: child, object: o))
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let v = try peek([Any].self)
        guard case .array(let a) = v else { throw decoder.mismatch([Any].self, v, key) }
        let child = _JSONValueDecoderImpl(value: v, parent: decoder, key: key, userInfo: decoder.userInfoStorage)
        currentIndex += 1
        return _UnkeyedDecoder(decoder: child, array: a)
    }

    mutating func superDecoder() throws -> Decoder {
        let v = try peek(Decoder.self)
        let child = _JSONValueDecoderImpl(value: v, parent: decoder, key: key, userInfo: decoder.userInfoStorage)
        currentIndex += 1
        return child
    }
}

struct _SingleValueDecoder: SingleValueDecodingContainer {
    let decoder: _JSONValueDecoderImpl

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool {
        if case .null = decoder.value { return true }
        return false
    }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool(decoder.value, nil) }
    func decode(_ type: String.Type) throws -> String { try decoder.string(decoder.value, nil) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.double(decoder.value, nil) }
    func decode(_ type: Float.Type) throws -> Float { Float(try decoder.double(decoder.value, nil)) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.integer(decoder.value, nil, Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(decoder.value, nil, Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(decoder.value, nil, Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(decoder.value, nil, Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(decoder.value, nil, Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(decoder.value, nil, UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(decoder.value, nil, UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(decoder.value, nil, UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(decoder.value, nil, UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(decoder.value, nil, UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        // The value reads from this same decoder (as JSONDecoder does for single values).
        if T.self == JSONValue.self { return decoder.value as! T }
        return try decoder.unboxSingle(T.self)
    }
}

extension _JSONValueDecoderImpl {
    /// Decodes `T` from this decoder's own value, at this decoder's coding path, reusing this decoder.
    func unboxSingle<T: Decodable>(_ type: T.Type) throws -> T {
        if let parent { return try parent.unbox(value, as: T.self, key: key, reuse: self) }
        return try unbox(value, as: T.self, key: nil, reuse: self)
    }
}
