/// A JSON value, for command arguments from `align apply` and the command line, and as the intermediate form of
/// `JSONValueEncoder` / `JSONValueDecoder`.
///
/// Numbers are `Double`s: integers up to 2^53 are exact. `serialize()` writes integral numbers that fit in
/// `Int64` without a fraction and every other number in Swift's shortest round-tripping form, so
/// parse → serialize → parse → serialize is stable.
public enum JSONValue: Codable, Equatable, Sendable {
    case string(String), number(Double), bool(Bool), null, array([JSONValue]), object([String: JSONValue])

    /// Decodes any JSON value (from our own decoder without a copy).
    public init(from decoder: Decoder) throws {
        // Fast path: our own decoder already holds the value.
        if let d = decoder as? _JSONValueDecoderImpl {
            self = d.value
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// Encodes the value as it is (into our own encoder without a copy).
    public func encode(to encoder: Encoder) throws {
        // Fast path: our own encoder stores the value as it is.
        if let e = encoder as? _JSONValueEncoderImpl {
            e.storeValue(self)
            return
        }
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .number(let n): try c.encode(n)
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

extension JSONValue {
    /// The members of an object, or nil.
    @inlinable public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The elements of an array, or nil.
    @inlinable public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The text of a string, or nil.
    @inlinable public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number, or nil.
    @inlinable public var numberValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The boolean, or nil.
    @inlinable public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// Whether this is `null`.
    @inlinable public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A member of an object (nil for a missing member or a non-object).
    @inlinable public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
}
