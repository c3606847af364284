import Foundation

/// Why a `JSONFields` accessor refused a value: the path to it (`signals[1].at`) and what was wrong.
public struct JSONFieldError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Keys and `[index]`es from the outermost object inwards; empty for the value itself.
    public var path: [String]
    public var reason: String

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
/// Required accessors (`string(_:)`, `int(_:)`...) throw when the key is missing, `null` or of the wrong type;
/// `...IfPresent` accessors return nil for a missing key or `null` and throw for the wrong type (as
/// `decodeIfPresent`). Integers must be whole numbers in `Int`'s range, dates ISO 8601 strings that
/// `JSONDates.parse` accepts, enums known raw values. Keys not asked for are ignored. Errors name the path.
@frozen
public struct JSONFields: Sendable {
    public let members: [String: JSONValue]

    @inlinable
    public init(_ members: [String: JSONValue]) { self.members = members }

    /// The members of `value`, which must be an object.
    @inlinable
    public init(_ value: JSONValue) throws(JSONFieldError) {
        guard case .object(let o) = value else { throw .expected("an object", value) }
        members = o
    }

    /// Parses one JSON text (see `JSONValue.parse`) whose value must be an object. A parse error is thrown as a
    /// `JSONFieldError` whose reason is the parser's description.
    @inlinable
    public static func parse<C: Collection>(_ bytes: C) throws(JSONFieldError) -> JSONFields where C.Element == UInt8 {
        let value: JSONValue
        do throws(JSONParseError) { value = try JSONValue.parse(bytes) } catch { throw JSONFieldError(reason: error.description) }
        return try JSONFields(value)
    }

    // MARK: Raw members

    /// The value at `key`; throws when missing (a `null` is returned as it is).
    @inlinable
    public func value(_ key: String) throws(JSONFieldError) -> JSONValue {
        guard let v = members[key] else { throw JSONFieldError(path: [key], reason: "required key is missing") }
        return v
    }

    /// The value at `key`, or nil when it is missing or `null`.
    @inlinable
    public func valueIfPresent(_ key: String) -> JSONValue? {
        guard let v = members[key] else { return nil }
        if case .null = v { return nil }
        return v
    }

    /// Converts the value at `key` with `convert`, naming `key` in its errors.
    @inlinable
    func required<T>(_ key: String, _ convert: (JSONValue) throws(JSONFieldError) -> T) throws(JSONFieldError) -> T {
        let v = try value(key)
        do throws(JSONFieldError) { return try convert(v) } catch { throw error.under(key) }
    }

    /// Converts the value at `key`, when present and not `null`, with `convert`, naming `key` in its errors.
    @inlinable
    func optional<T>(_ key: String, _ convert: (JSONValue) throws(JSONFieldError) -> T) throws(JSONFieldError) -> T? {
        guard let v = valueIfPresent(key) else { return nil }
        do throws(JSONFieldError) { return try convert(v) } catch { throw error.under(key) }
    }

    // MARK: Scalars

    @inlinable public func string(_ key: String) throws(JSONFieldError) -> String { try required(key, JSONFields.string) }
    @inlinable public func stringIfPresent(_ key: String) throws(JSONFieldError) -> String? { try optional(key, JSONFields.string) }
    @inlinable public func int(_ key: String) throws(JSONFieldError) -> Int { try required(key, JSONFields.int) }
    @inlinable public func intIfPresent(_ key: String) throws(JSONFieldError) -> Int? { try optional(key, JSONFields.int) }
    @inlinable public func double(_ key: String) throws(JSONFieldError) -> Double { try required(key, JSONFields.double) }
    @inlinable public func doubleIfPresent(_ key: String) throws(JSONFieldError) -> Double? { try optional(key, JSONFields.double) }
    @inlinable public func bool(_ key: String) throws(JSONFieldError) -> Bool { try required(key, JSONFields.bool) }
    @inlinable public func boolIfPresent(_ key: String) throws(JSONFieldError) -> Bool? { try optional(key, JSONFields.bool) }
    @inlinable public func date(_ key: String) throws(JSONFieldError) -> Date { try required(key, JSONFields.date) }
    @inlinable public func dateIfPresent(_ key: String) throws(JSONFieldError) -> Date? { try optional(key, JSONFields.date) }

    /// An enum by its string raw value.
    @inlinable
    public func rawValue<E: RawRepresentable>(_ key: String, as type: E.Type = E.self) throws(JSONFieldError) -> E where E.RawValue == String {
        let v = try value(key)
        do throws(JSONFieldError) { return try JSONFields.rawValue(v) } catch { throw error.under(key) }
    }

    @inlinable
    public func rawValueIfPresent<E: RawRepresentable>(_ key: String, as type: E.Type = E.self) throws(JSONFieldError) -> E? where E.RawValue == String {
        guard let v = valueIfPresent(key) else { return nil }
        do throws(JSONFieldError) { return try JSONFields.rawValue(v) } catch { throw error.under(key) }
    }

    // MARK: Collections and nested objects

    /// An array of strings.
    @inlinable public func strings(_ key: String) throws(JSONFieldError) -> [String] { try required(key) { v throws(JSONFieldError) in try JSONFields.array(v, JSONFields.string) } }
    @inlinable public func stringsIfPresent(_ key: String) throws(JSONFieldError) -> [String]? { try optional(key) { v throws(JSONFieldError) in try JSONFields.array(v, JSONFields.string) } }

    /// An array of enums by their string raw values.
    @inlinable
    public func rawValues<E: RawRepresentable>(_ key: String, as type: E.Type = E.self) throws(JSONFieldError) -> [E] where E.RawValue == String {
        let v = try value(key)
        do throws(JSONFieldError) { return try JSONFields.rawValues(v) } catch { throw error.under(key) }
    }

    /// An object whose members are all strings.
    @inlinable public func stringMap(_ key: String) throws(JSONFieldError) -> [String: String] { try required(key, JSONFields.stringMap) }
    @inlinable public func stringMapIfPresent(_ key: String) throws(JSONFieldError) -> [String: String]? { try optional(key, JSONFields.stringMap) }

    /// A nested object, built by its `init(json:)`.
    @inlinable
    public func decode<T: JSONFieldsDecodable>(_ key: String, as type: T.Type = T.self) throws(JSONFieldError) -> T {
        let v = try value(key)
        do throws(JSONFieldError) { return try JSONFields.object(v) } catch { throw error.under(key) }
    }

    @inlinable
    public func decodeIfPresent<T: JSONFieldsDecodable>(_ key: String, as type: T.Type = T.self) throws(JSONFieldError) -> T? {
        guard let v = valueIfPresent(key) else { return nil }
        do throws(JSONFieldError) { return try JSONFields.object(v) } catch { throw error.under(key) }
    }

    /// An array of nested objects, each built by its `init(json:)`.
    @inlinable
    public func array<T: JSONFieldsDecodable>(_ key: String, of type: T.Type = T.self) throws(JSONFieldError) -> [T] {
        let v = try value(key)
        do throws(JSONFieldError) { return try JSONFields.objects(v) } catch { throw error.under(key) }
    }

    @inlinable
    public func arrayIfPresent<T: JSONFieldsDecodable>(_ key: String, of type: T.Type = T.self) throws(JSONFieldError) -> [T]? {
        guard let v = valueIfPresent(key) else { return nil }
        do throws(JSONFieldError) { return try JSONFields.objects(v) } catch { throw error.under(key) }
    }

    // MARK: Value conversions (as JSONValueDecoder's)

    @inlinable
    public static func string(_ v: JSONValue) throws(JSONFieldError) -> String {
        guard case .string(let s) = v else { throw .expected("a string", v) }
        return s
    }

    /// A whole number in `Int`'s range (as `Int(exactly:)`).
    @inlinable
    public static func int(_ v: JSONValue) throws(JSONFieldError) -> Int {
        guard case .number(let n) = v else { throw .expected("an integer", v) }
        guard let i = Int(exactly: n) else { throw JSONFieldError(reason: "the number \(n) is not an integer in range") }
        return i
    }

    @inlinable
    public static func double(_ v: JSONValue) throws(JSONFieldError) -> Double {
        guard case .number(let n) = v else { throw .expected("a number", v) }
        return n
    }

    @inlinable
    public static func bool(_ v: JSONValue) throws(JSONFieldError) -> Bool {
        guard case .bool(let b) = v else { throw .expected("a boolean", v) }
        return b
    }

    /// An ISO 8601 date string, as `JSONDates.parse` reads it.
    @inlinable
    public static func date(_ v: JSONValue) throws(JSONFieldError) -> Date {
        guard case .string(let s) = v else { throw .expected("an ISO 8601 date string", v) }
        guard let d = JSONDates.parse(s) else { throw JSONFieldError(reason: "\(s.debugDescription) is not an ISO 8601 date") }
        return d
    }

    @inlinable
    public static func rawValue<E: RawRepresentable>(_ v: JSONValue) throws(JSONFieldError) -> E where E.RawValue == String {
        guard case .string(let s) = v else { throw .expected("a string", v) }
        guard let e = E(rawValue: s) else { throw JSONFieldError(reason: "\(s.debugDescription) is not a valid \(E.self)") }
        return e
    }

    @inlinable
    public static func stringMap(_ v: JSONValue) throws(JSONFieldError) -> [String: String] {
        guard case .object(let o) = v else { throw .expected("an object of strings", v) }
        var out: [String: String] = [:]
        out.reserveCapacity(o.count)
        for (k, e) in o {
            guard case .string(let s) = e else { throw JSONFieldError.expected("a string", e).under(k) }
            out[k] = s
        }
        return out
    }

    @inlinable
    public static func object<T: JSONFieldsDecodable>(_ v: JSONValue) throws(JSONFieldError) -> T {
        guard case .object(let o) = v else { throw .expected("an object", v) }
        return try T(json: JSONFields(o))
    }

    /// An array of enums by their string raw values.
    @inlinable
    public static func rawValues<E: RawRepresentable>(_ v: JSONValue) throws(JSONFieldError) -> [E] where E.RawValue == String {
        guard case .array(let a) = v else { throw .expected("an array", v) }
        var out: [E] = []
        out.reserveCapacity(a.count)
        for i in a.indices {
            do throws(JSONFieldError) { out.append(try rawValue(a[i])) } catch { throw error.under("[\(i)]") }
        }
        return out
    }

    /// An array of objects, each built by its `init(json:)`.
    @inlinable
    public static func objects<T: JSONFieldsDecodable>(_ v: JSONValue) throws(JSONFieldError) -> [T] {
        guard case .array(let a) = v else { throw .expected("an array", v) }
        var out: [T] = []
        out.reserveCapacity(a.count)
        for i in a.indices {
            do throws(JSONFieldError) { out.append(try object(a[i])) } catch { throw error.under("[\(i)]") }
        }
        return out
    }

    /// An array whose elements are converted with `element`; errors name the index.
    @inlinable
    public static func array<T>(_ v: JSONValue, _ element: (JSONValue) throws(JSONFieldError) -> T) throws(JSONFieldError) -> [T] {
        guard case .array(let a) = v else { throw .expected("an array", v) }
        var out: [T] = []
        out.reserveCapacity(a.count)
        for i in a.indices {
            do throws(JSONFieldError) { out.append(try element(a[i])) } catch { throw error.under("[\(i)]") }
        }
        return out
    }
}
