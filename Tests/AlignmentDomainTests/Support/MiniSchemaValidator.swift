import Foundation

// A small JSON Schema (draft 2020-12) validator for the subset of keywords the schemas in schemas/ use, so the
// tests can check the Swift payloads against the contract without a third-party package. It refuses (throws
// `SchemaProblem.unsupported`) any keyword it does not implement, rather than silently passing it.
//
// Implemented: type (incl. arrays of types; "integer" is a number with no fraction), enum, const, properties,
// required, additionalProperties (bool or schema), items, minItems, maxItems, uniqueItems, minimum, maximum,
// minLength, maxLength (in Unicode code points), pattern (NSRegularExpression, unanchored search), format
// (date-time, date, uuid: light checks), $ref (to a JSON pointer in the same document, or to another
// registered document by absolute or relative URI), allOf, anyOf, oneOf, not, if/then/else, boolean schemas.
// Ignored annotations: $schema, $id, $comment, $defs, title, description, examples, default, deprecated.

/// A JSON value with booleans and numbers kept apart.
enum JSONNode: Equatable, Decodable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONNode])
    case object([String: JSONNode])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONNode].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONNode].self)) }
    }

    /// Parses JSON text (any value at the top level).
    static func parse(_ bytes: some Sequence<UInt8>) throws -> JSONNode {
        try JSONDecoder().decode(JSONNode.self, from: Data(bytes))
    }

    static func parse(_ text: String) throws -> JSONNode { try parse(Array(text.utf8)) }

    subscript(key: String) -> JSONNode? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    var object: [String: JSONNode]? { if case .object(let o) = self { return o }; return nil }
    var array: [JSONNode]? { if case .array(let a) = self { return a }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }

    /// The JSON Schema type names this value has ("integer" values are also "number").
    var typeNames: [String] {
        switch self {
        case .null: ["null"]
        case .bool: ["boolean"]
        case .number(let n): n.isFinite && n == n.rounded() ? ["integer", "number"] : ["number"]
        case .string: ["string"]
        case .array: ["array"]
        case .object: ["object"]
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : "\(n)"
        case .string(let s): s.debugDescription
        case .array(let a): "[" + a.map(\.description).joined(separator: ",") + "]"
        case .object(let o): "{" + o.keys.sorted().map { "\($0.debugDescription):\(o[$0]!)" }.joined(separator: ",") + "}"
        }
    }

    /// Returns a copy with `value` set at `key` (nil removes it); objects only.
    func setting(_ key: String, _ value: JSONNode?) -> JSONNode {
        guard var o = object else { return self }
        o[key] = value
        return .object(o)
    }
}

/// A problem with the schemas themselves (not with the instance): the test should fail loudly.
enum SchemaProblem: Error, CustomStringConvertible, Equatable, Sendable {
    case unsupported(keyword: String, at: String)
    case unresolvable(ref: String, at: String)
    case malformed(String)

    var description: String {
        switch self {
        case .unsupported(let k, let at): "the mini validator does not implement keyword '\(k)' (at \(at))"
        case .unresolvable(let r, let at): "cannot resolve $ref \(r) (at \(at))"
        case .malformed(let m): m
        }
    }
}

/// One reason an instance does not match its schema.
struct SchemaViolation: CustomStringConvertible, Equatable, Sendable {
    /// JSON pointer into the instance.
    var instancePath: String
    /// Where in which schema the failing keyword sits.
    var schemaPath: String
    var message: String
    var description: String { "\(instancePath.isEmpty ? "/" : instancePath): \(message) [\(schemaPath)]" }
}

/// Schemas by $id, loaded from a directory tree.
struct SchemaRegistry: Sendable {
    private(set) var documents: [String: JSONNode] = [:]
    /// $id to the file it came from.
    private(set) var files: [String: URL] = [:]

    init() {}

    /// Loads every `*.json` file under `directory`; each must have a top-level `$id`, unique in the tree.
    init(directory: URL) throws {
        guard let e = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            throw SchemaProblem.malformed("cannot list \(directory.path)")
        }
        let urls = e.compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
        for url in urls {
            try add(JSONNode.parse(Array(try Data(contentsOf: url))), from: url)
        }
    }

    mutating func add(_ schema: JSONNode, from url: URL? = nil) throws {
        guard let id = schema["$id"]?.string else { throw SchemaProblem.malformed("schema \(url?.path ?? "?") has no $id") }
        guard documents[id] == nil else { throw SchemaProblem.malformed("schema $id \(id) is used twice") }
        documents[id] = schema
        files[id] = url
    }
}

struct MiniSchemaValidator: Sendable {
    let registry: SchemaRegistry

    static let annotations: Set<String> = [
        "$schema", "$id", "$comment", "$defs", "title", "description", "examples", "default", "deprecated",
        "readOnly", "writeOnly",
    ]
    /// Keywords handled inside the checks of another keyword.
    static let handledWithOthers: Set<String> = ["then", "else"]

    /// Validates `instance` against the registered schema with this $id (a `#fragment` is allowed).
    /// Returns the violations (empty when valid); throws a `SchemaProblem` when the schema cannot be used.
    func validate(_ instance: JSONNode, against id: String) throws -> [SchemaViolation] {
        let (schema, base) = try resolve(id, base: "", at: "(start)")
        var out: [SchemaViolation] = []
        try check(instance, schema, base: base, path: "", schemaPath: id, into: &out)
        return out
    }

    func isValid(_ instance: JSONNode, against id: String) throws -> Bool {
        try validate(instance, against: id).isEmpty
    }

    // MARK: references

    /// Resolves a reference against the current document's base URI: returns the target schema and its document base.
    func resolve(_ ref: String, base: String, at: String) throws -> (JSONNode, String) {
        let parts = ref.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let uriPart = String(parts[0])
        let fragment = parts.count > 1 ? String(parts[1]) : ""
        let docURI: String
        if uriPart.isEmpty {
            docURI = base
        } else if uriPart.contains("://") {
            docURI = uriPart
        } else {
            guard let u = URL(string: uriPart, relativeTo: URL(string: base)) else { throw SchemaProblem.unresolvable(ref: ref, at: at) }
            docURI = u.absoluteURL.standardized.absoluteString
        }
        guard let doc = registry.documents[docURI] else { throw SchemaProblem.unresolvable(ref: ref, at: at) }
        guard !fragment.isEmpty else { return (doc, docURI) }
        guard fragment.hasPrefix("/") else { throw SchemaProblem.unsupported(keyword: "$ref to an anchor (#\(fragment))", at: at) }
        var node = doc
        for raw in fragment.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = (String(raw).removingPercentEncoding ?? String(raw))
                .replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch node {
            case .object(let o) where o[token] != nil: node = o[token]!
            case .array(let a) where Int(token).map({ a.indices.contains($0) }) == true: node = a[Int(token)!]
            default: throw SchemaProblem.unresolvable(ref: ref, at: at)
            }
        }
        return (node, docURI)
    }

    // MARK: checks

    private static let dateTimeRegex = try! NSRegularExpression(
        pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$")
    private static let dateRegex = try! NSRegularExpression(pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    private static let uuidRegex = try! NSRegularExpression(
        pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

    private static func matches(_ re: NSRegularExpression, _ s: String) -> Bool {
        re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    private static func calendarDateIsValid(_ s: String) -> Bool {
        let p = s.prefix(10).split(separator: "-").compactMap { Int($0) }
        guard p.count == 3, (1...12).contains(p[1]) else { return false }
        let leap = p[0] % 4 == 0 && (p[0] % 100 != 0 || p[0] % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][p[1] - 1]
        return (1...days).contains(p[2])
    }

    private func check(_ instance: JSONNode, _ schema: JSONNode, base: String, path: String, schemaPath: String,
                       into out: inout [SchemaViolation]) throws {
        func fail(_ keyword: String, _ message: String) {
            out.append(SchemaViolation(instancePath: path, schemaPath: schemaPath + "/" + keyword, message: message))
        }
        func valid(_ sub: JSONNode, _ keyword: String, _ inst: JSONNode? = nil) throws -> Bool {
            var scratch: [SchemaViolation] = []
            try check(inst ?? instance, sub, base: base, path: path, schemaPath: schemaPath + "/" + keyword, into: &scratch)
            return scratch.isEmpty
        }

        let s: [String: JSONNode]
        switch schema {
        case .bool(true): return
        case .bool(false): fail("false", "no value is allowed here"); return
        case .object(let o): s = o
        default: throw SchemaProblem.malformed("schema at \(schemaPath) is neither an object nor a boolean")
        }

        for key in s.keys.sorted() {
            guard !Self.annotations.contains(key), !Self.handledWithOthers.contains(key) else { continue }
            let v = s[key]!
            switch key {
            case "$ref":
                guard let ref = v.string else { throw SchemaProblem.malformed("$ref at \(schemaPath) is not a string") }
                let (target, targetBase) = try resolve(ref, base: base, at: schemaPath)
                try check(instance, target, base: targetBase, path: path, schemaPath: ref, into: &out)

            case "type":
                let names: [String]
                switch v {
                case .string(let t): names = [t]
                case .array(let a): names = a.compactMap(\.string)
                default: throw SchemaProblem.malformed("type at \(schemaPath) is not a string or an array")
                }
                for n in names where !["null", "boolean", "integer", "number", "string", "array", "object"].contains(n) {
                    throw SchemaProblem.malformed("unknown type \(n) at \(schemaPath)")
                }
                if Set(names).isDisjoint(with: instance.typeNames) {
                    fail(key, "\(instance) is not of type \(names.joined(separator: " or "))")
                }

            case "enum":
                guard let options = v.array else { throw SchemaProblem.malformed("enum at \(schemaPath) is not an array") }
                if !options.contains(instance) { fail(key, "\(instance) is not one of \(v)") }

            case "const":
                if instance != v { fail(key, "\(instance) is not \(v)") }

            case "properties":
                guard let props = v.object else { throw SchemaProblem.malformed("properties at \(schemaPath) is not an object") }
                if let o = instance.object {
                    for (name, sub) in props.sorted(by: { $0.key < $1.key }) {
                        guard let value = o[name] else { continue }
                        try check(value, sub, base: base, path: path + "/" + name, schemaPath: schemaPath + "/properties/" + name, into: &out)
                    }
                }

            case "required":
                guard let names = v.array?.compactMap(\.string) else { throw SchemaProblem.malformed("required at \(schemaPath) is not an array") }
                if let o = instance.object {
                    for n in names where o[n] == nil { fail(key, "required property '\(n)' is missing") }
                }

            case "additionalProperties":
                if let o = instance.object {
                    let declared = Set(s["properties"]?.object?.keys.map { $0 } ?? [])
                    if s["patternProperties"] != nil { throw SchemaProblem.unsupported(keyword: "patternProperties", at: schemaPath) }
                    for name in o.keys.sorted() where !declared.contains(name) {
                        if case .bool(false) = v {
                            fail(key, "property '\(name)' is not allowed")
                        } else {
                            try check(o[name]!, v, base: base, path: path + "/" + name, schemaPath: schemaPath + "/additionalProperties", into: &out)
                        }
                    }
                }

            case "items":
                if let a = instance.array {
                    for (i, item) in a.enumerated() {
                        try check(item, v, base: base, path: path + "/\(i)", schemaPath: schemaPath + "/items", into: &out)
                    }
                }

            case "minItems", "maxItems":
                guard case .number(let n) = v else { throw SchemaProblem.malformed("\(key) at \(schemaPath) is not a number") }
                if let a = instance.array {
                    if key == "minItems", Double(a.count) < n { fail(key, "has \(a.count) items, fewer than \(Int(n))") }
                    if key == "maxItems", Double(a.count) > n { fail(key, "has \(a.count) items, more than \(Int(n))") }
                }

            case "uniqueItems":
                if case .bool(true) = v, let a = instance.array {
                    for i in a.indices where a[..<i].contains(a[i]) { fail(key, "item \(i) (\(a[i])) is repeated") }
                }

            case "minimum", "maximum":
                guard case .number(let limit) = v else { throw SchemaProblem.malformed("\(key) at \(schemaPath) is not a number") }
                if case .number(let n) = instance {
                    if key == "minimum", n < limit { fail(key, "\(instance) is less than \(v)") }
                    if key == "maximum", n > limit { fail(key, "\(instance) is greater than \(v)") }
                }

            case "minLength", "maxLength":
                guard case .number(let limit) = v else { throw SchemaProblem.malformed("\(key) at \(schemaPath) is not a number") }
                if let str = instance.string {
                    let count = Double(str.unicodeScalars.count)
                    if key == "minLength", count < limit { fail(key, "\(instance) is shorter than \(Int(limit))") }
                    if key == "maxLength", count > limit { fail(key, "\(instance) is longer than \(Int(limit))") }
                }

            case "pattern":
                guard let p = v.string else { throw SchemaProblem.malformed("pattern at \(schemaPath) is not a string") }
                let re: NSRegularExpression
                do { re = try NSRegularExpression(pattern: p) } catch {
                    throw SchemaProblem.malformed("pattern \(p.debugDescription) at \(schemaPath) does not compile: \(error)")
                }
                if let str = instance.string, !Self.matches(re, str) { fail(key, "\(instance) does not match \(p)") }

            case "format":
                guard let f = v.string else { throw SchemaProblem.malformed("format at \(schemaPath) is not a string") }
                guard let str = instance.string else { break }
                switch f {
                case "date-time":
                    if !Self.matches(Self.dateTimeRegex, str) || !Self.calendarDateIsValid(str) { fail(key, "\(instance) is not an RFC 3339 date-time") }
                case "date":
                    if !Self.matches(Self.dateRegex, str) || !Self.calendarDateIsValid(str) { fail(key, "\(instance) is not an RFC 3339 full-date") }
                case "uuid":
                    if !Self.matches(Self.uuidRegex, str) { fail(key, "\(instance) is not a UUID") }
                default:
                    throw SchemaProblem.unsupported(keyword: "format \(f)", at: schemaPath)
                }

            case "allOf", "anyOf", "oneOf":
                guard let subs = v.array, !subs.isEmpty else { throw SchemaProblem.malformed("\(key) at \(schemaPath) is not a non-empty array") }
                var passed = 0
                var firstErrors: [[SchemaViolation]] = []
                for (i, sub) in subs.enumerated() {
                    var scratch: [SchemaViolation] = []
                    try check(instance, sub, base: base, path: path, schemaPath: schemaPath + "/\(key)/\(i)", into: &scratch)
                    if scratch.isEmpty { passed += 1 } else { firstErrors.append(scratch) }
                }
                switch key {
                case "allOf": out += firstErrors.flatMap { $0 }
                case "anyOf":
                    if passed == 0 {
                        fail(key, "matches none of the \(subs.count) alternatives: " + firstErrors.map { $0.map(\.message).joined(separator: "; ") }.joined(separator: " | "))
                    }
                default:
                    if passed != 1 { fail(key, "matches \(passed) of the alternatives, not exactly one") }
                }

            case "not":
                if try valid(v, "not") { fail(key, "must not match the schema at \(schemaPath)/not") }

            case "if":
                if try valid(v, "if") {
                    if let then = s["then"] { try check(instance, then, base: base, path: path, schemaPath: schemaPath + "/then", into: &out) }
                } else if let els = s["else"] {
                    try check(instance, els, base: base, path: path, schemaPath: schemaPath + "/else", into: &out)
                }

            default:
                throw SchemaProblem.unsupported(keyword: key, at: schemaPath)
            }
        }
    }
}
