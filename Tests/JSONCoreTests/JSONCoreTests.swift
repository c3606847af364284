import Foundation
import ISOTime
import Testing
@testable import JSONCore
import SplitMix

/// JSONCore: the byte parser, the canonical serializer and the Codable bridge. (Their use for event payloads is
/// tested with the domain, in EventPayloadJSONTests.)
@Suite struct JSONCoreTests {
    static func t(_ s: String) -> Date { JSONDates.parse(s) ?? .distantPast }

    static func text(_ v: JSONValue) -> String { String(decoding: v.serialize(), as: UTF8.self) }

    static func parse(_ s: String) throws -> JSONValue { try JSONValue.parse(Array(s.utf8)) }

    /// A deterministic random source.
    typealias Rng = SeededGenerator

    // MARK: parse and serialize

    @Test(arguments: [
        ("{}", "{}"),
        ("[]", "[]"),
        (" \t\r\n{ \"b\" : 1 , \"a\" : [ true , false , null ] } \n", #"{"a":[true,false,null],"b":1}"#),
        (#"{"é":1,"z":2,"A":3,"a":{"y":[],"x":{}}}"#, #"{"A":3,"a":{"x":{},"y":[]},"z":2,"é":1}"#),
        (#""a\/b\u0041\n\t\"\\\u0001\u001f\u00e9\ud83d\ude00""#, "\"a/bA\\n\\t\\\"\\\\\\u0001\\u001fé😀\""),
        (#"[0,-0,1.0,1e2,1E+2,-12.5e-1,0.1,1e20,123456789,9007199254740993,1.5e300,5e-324]"#,
         "[0,0,1,100,100,-1.25,0.1,1e+20,123456789,9007199254740992,1.5e+300,5e-324]"),
        (#""\b\f\r""#, #""\b\f\r""#),
        ("\"\u{7f}\"", "\"\u{7f}\""),
        ("3", "3"),
        ("\"x\"", "\"x\""),
        ("null", "null"),
    ])
    func canonicalForm(_ input: String, _ expected: String) throws {
        let v = try Self.parse(input)
        #expect(Self.text(v) == expected)
        // Round trip: the canonical text parses back to the same value and serializes identically.
        let again = try JSONValue.parse(v.serialize())
        #expect(again == v)
        #expect(again.serialize() == v.serialize())
    }

    @Test func valuesRoundTrip() throws {
        let v: JSONValue = .object([
            "command": .string("lead.handoff"),
            "args": .object(["id": .string("L-1"), "score": .number(0.82), "n": .number(-42), "big": .number(1e300),
                             "list": .array([.string("a\u{0}b"), .bool(true), .null, .array([]), .object([:])])]),
            "ünïcødé 😀": .string("line\nbreak \"quoted\" back\\slash /slash \u{1F}"),
        ])
        let bytes = v.serialize()
        #expect(try JSONValue.parse(bytes) == v)
        #expect(try JSONValue.parse(bytes).serialize() == bytes)
        // Foundation reads our text as the same value.
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) == v)
        // And our Codable bridge passes JSONValue through untouched.
        #expect(try JSONValueDecoder().decode(JSONValue.self, from: v) == v)
        #expect(try JSONValueEncoder().encode(v) == v)
        // Foundation's encoding of a JSONValue reads back equal with the fast parser.
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        #expect(try JSONValue.parse(Array(enc.encode(v))) == v)
    }

    @Test func keysSortByUTF8Bytes() throws {
        // U+FF21 (3 bytes, EF BC A1) sorts after U+1F600 (4 bytes, F0 ...)? No: EF < F0, so it comes first.
        let v: JSONValue = .object(["😀": .null, "Ａ": .null, "b": .null, "B": .null, "": .null, "aa": .null, "a": .null])
        #expect(Self.text(v) == #"{"":null,"B":null,"a":null,"aa":null,"b":null,"Ａ":null,"😀":null}"#)
        var many: [String: JSONValue] = [:]
        for i in 0..<100 { many["k\(i)"] = .number(Double(i)) }
        let keys = try #require(JSONValue.parse(JSONValue.object(many).serialize()).objectValue).count
        #expect(keys == 100)
        let text = Self.text(.object(many))
        let order = many.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(text.hasPrefix("{\"\(order[0])\":") && text.hasSuffix("\"\(order[99])\":\(many[order[99]]!.numberValue.map { Int($0) }!)}"))
    }

    @Test func numbersPrintAsIntegersOrShortest() {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "0"), (1, "1"), (-1, "-1"), (21872, "21872"), (48_000.5, "48000.5"), (0.82, "0.82"),
            (1e15, "1000000000000000"), (1e16, "10000000000000000"), (-9_223_372_036_854_775_808, "-9223372036854775808"),
            (9_223_372_036_854_775_808, "9.223372036854776e+18"), (1e20, "1e+20"), (1e-7, "1e-07"), (.infinity, "null"), (.nan, "null"),
        ]
        for (n, s) in cases { #expect(Self.text(.number(n)) == s, "\(n)") }
    }

    @Test(arguments: [
        ("", 0, "end of input"),
        ("{", 1, "unterminated object"),
        ("[1,]", 3, "unexpected character"),
        ("[1 2]", 3, "expected ','"),
        (#"{"a" 1}"#, 5, "expected ':'"),
        (#"{"a":1,}"#, 7, "expected a string key"),
        ("{a:1}", 1, "expected a string key"),
        ("tru", 0, "end of input"),
        ("nul", 0, "end of input"),
        ("fals", 4, "invalid literal"),
        ("nulL", 0, "invalid literal"),
        ("01", 1, "unexpected bytes"),
        ("-", 1, "end of number"),
        ("1.", 2, "fraction"),
        ("1e", 2, "exponent"),
        ("1e400", 0, "out of range"),
        ("-1e400", 0, "out of range"),
        ("\"abc", 4, "unterminated string"),
        ("\"a\u{1}\"", 2, "control character"),
        (#""\x""#, 1, "invalid escape"),
        (#""\u12""#, 3, "truncated"),
        (#""\ud800""#, 1, "unpaired surrogate"),
        (#""\udc00x""#, 1, "unpaired surrogate"),
        (#""\ud800\u0041""#, 1, "unpaired surrogate"),
        ("{} {}", 3, "unexpected bytes after"),
        (#"{"a":1,"a":2}"#, 7, "duplicate key \"a\""),
        (#"{"x":{"b":[],"c":0,"b":null}}"#, 19, "duplicate key \"b\""),
        (#"{"\u0061":1,"a":2}"#, 12, "duplicate key"),
    ])
    func refusesBadInput(_ input: String, _ offset: Int, _ reason: String) {
        #expect {
            try Self.parse(input)
        } throws: { e in
            guard let e = e as? JSONParseError else { return false }
            return e.offset == offset && e.reason.contains(reason) && e.description.contains("byte \(offset)")
        }
    }

    @Test func refusesInvalidUTF8() throws {
        let bad: [[UInt8]] = [
            [0x22, 0xFF, 0x22], [0x22, 0xC0, 0x80, 0x22], [0x22, 0xC1, 0xBF, 0x22],  // invalid byte, overlong
            [0x22, 0xE0, 0x80, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],  // overlong 3-byte, UTF-8 surrogate
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22],  // > U+10FFFF, stray, truncated
            [0x22, 0xF0, 0x9F, 0x98], [0x7B, 0x22, 0xC3, 0x22, 0x3A, 0x31, 0x7D],  // truncated at end, bad key
        ]
        for b in bad {
            #expect(throws: JSONParseError.self, "\(b)") { try JSONValue.parse(b) }
        }
        // Valid multi-byte text is kept as it is.
        #expect(try JSONValue.parse(Array("\"é€😀\"".utf8)) == .string("é€😀"))
    }

    @Test func depthLimit() throws {
        let ok = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(throws: Never.self) { try Self.parse(ok) }
        let deep = String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
        #expect { try Self.parse(deep) } throws: { ($0 as? JSONParseError)?.reason.contains("nesting deeper than 256") == true }
        let objects = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        #expect(throws: JSONParseError.self) { try Self.parse(objects) }
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array("[[[1]]]".utf8), maxDepth: 2) }
    }

    @Test func parsesFromAnyCollectionAndRawMemory() throws {
        let text = #"{"a":[1,"two",null]}"#
        let expected: JSONValue = .object(["a": .array([.number(1), .string("two"), .null])])
        #expect(try JSONValue.parse(Array(text.utf8)) == expected)
        #expect(try JSONValue.parse(Data(text.utf8)) == expected)
        #expect(try JSONValue.parse(text.utf8) == expected)
        #expect(try JSONValue.parse(Array(text.utf8)[...]) == expected)
        #expect(try JSONValue.parse(text.utf8.lazy.map { $0 }) == expected)  // not contiguous
        let raw = try Array(("  " + text + "\n").utf8).withUnsafeBytes { try JSONValue.parse($0) }
        #expect(raw == expected)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(UnsafeRawBufferPointer(start: nil, count: 0)) }
    }

    /// Random bytes, and random mutations of valid JSON, never crash the parser; what it accepts serializes
    /// to a text that parses back to the same value.
    @Test func neverCrashesOnBadInput() throws {
        var rng = Rng(seed: 0x5EED)
        let alphabet = Array(#"{}[]:,"\/ntfrbu0123456789-+.eE aé"#.utf8) + [0x00, 0x1F, 0x80, 0xBF, 0xC3, 0xED, 0xF0, 0xFF]
        let seeds = [
            #"{"command": "lead.handoff", "as": "maria", "at": "2026-02-01T00:00:00Z", "args": {"id": "L-0", "definition": "mql", "profile": {"company": "C0", "employees": "300"}, "signal": [{"name": "webinar.attended", "at": "2026-01-30T00:00:00Z"}], "score": -1.5e3}}"#,
            #"[1, 2.5, -0, true, false, null, "\u00e9\ud83d\ude00\n", {"a": [{}]}]"#,
        ].map { Array($0.utf8) }
        var accepted = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 1:
                bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            default:
                bytes = seeds.randomElement(using: &rng)!
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let i = Int.random(in: 0..<bytes.count, using: &rng)
                    switch Int.random(in: 0...3, using: &rng) {
                    case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                    case 1: bytes[i] = alphabet.randomElement(using: &rng)!
                    case 2: bytes.remove(at: i)
                    default: bytes = Array(bytes[..<i])
                    }
                    if bytes.isEmpty { break }
                }
            }
            let r = Result { () throws(JSONParseError) -> JSONValue in try JSONValue.parse(bytes) }
            guard case .success(let v) = r else {
                if case .failure(let e) = r { #expect(e.offset >= 0 && e.offset <= bytes.count) }
                continue
            }
            accepted += 1
            let out = v.serialize()
            #expect(try JSONValue.parse(out) == v)
            #expect(try JSONValue.parse(out).serialize() == out)
        }
        #expect(accepted > 100)
    }

    // MARK: dates

    @Test func datesFormatAsISOTime() {
        var rng = Rng(seed: 7)
        for _ in 0..<5_000 {
            var us = Int64.random(in: -62_135_596_800_000_000...253_402_300_799_999_999, using: &rng)
            if Bool.random(using: &rng) { us -= us % 1_000_000 }
            #expect(JSONDates.format(microseconds: us) == ISOTime.format(microseconds: us), "\(us)")
            let d = Date(timeIntervalSince1970: Double(us) / 1_000_000)
            #expect(JSONDates.parse(JSONDates.format(d)!) == d)
        }
        #expect(JSONDates.format(Self.t("2026-03-01T09:00:00Z")) == "2026-03-01T09:00:00Z")
        #expect(JSONDates.format(Self.t("2026-03-01T09:00:00.5Z")) == "2026-03-01T09:00:00.5Z")
        #expect(JSONDates.format(Self.t("2026-03-01T10:00:00.123456+01:00")) == "2026-03-01T09:00:00.123456Z")
        #expect(JSONDates.format(Date(timeIntervalSince1970: .infinity)) == nil)
    }

    @Test func datesParseAsISOTime() {
        var rng = Rng(seed: 11)
        let samples = ["2026-03-01T09:00:00Z", "2026-03-01t09:00:00z", "2026-03-01 09:00", "2026-03-01", "2026-02-30T24:00:00Z",
                       "2026-13-01T00:00:00Z", "2026-03-01T09:00:60Z", "2026-03-01T09:00:61Z", "2026-03-01T09:00:00.25+05:30",
                       "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-03-01T09:00:00", "2026-3-01T09:00:00Z", "x"]
        for s in samples { #expect(JSONDates.parseMicroseconds(s) == ISOTime.parse(s), "\(s)") }
        let digits = Array("0123456789-T:Z.+ ".utf8)
        for _ in 0..<20_000 {
            var b = Array("2026-03-01T09:00:00Z".utf8)
            for _ in 0..<Int.random(in: 1...2, using: &rng) { b[Int.random(in: 0..<b.count, using: &rng)] = digits.randomElement(using: &rng)! }
            let s = String(decoding: b, as: UTF8.self)
            #expect(JSONDates.parseMicroseconds(s) == ISOTime.parse(s), "\(s)")
        }
    }

    // MARK: the Codable bridge

    struct Inner: Codable, Equatable { var name: String; var at: Date; var detail: String? }
    enum Shape: Codable, Equatable {
        case none
        case circle(radius: Double)
        case labelled(String, Inner)
        case nested([Shape], [String: Int]?)
    }
    struct Everything: Codable, Equatable {
        var s = "text"
        var i = -42
        var i8: Int8 = -8
        var u64: UInt64 = 1 << 40
        var d = 0.25
        var f: Float = 0.1
        var b = true
        var optNil: String?
        var optSet: Int? = 7
        var list = ["a", "b"]
        var map = ["k": "v"]
        var intMap = [3: "three"]
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_772_355_600.123456)]
        var data = Data([0, 1, 2, 255])
        var url = URL(string: "https://example.com/a?b=c")!
        var shapes: [Shape] = [.none, .circle(radius: 2), .labelled("x", Inner(name: "n", at: Date(timeIntervalSince1970: 60), detail: nil)),
                               .nested([.circle(radius: 0.5)], ["a": 1])]
        var json: JSONValue = .object(["free": .array([.null, .bool(false)])])
    }

    /// Custom `Codable` with nested containers and super encoders, as hand-written conformances use them.
    final class Custom: Codable, Equatable {
        var a: Int
        var pair: (String, String)
        init(a: Int, pair: (String, String)) { self.a = a; self.pair = pair }
        enum K: String, CodingKey { case a, pair, meta }
        enum M: String, CodingKey { case version }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: K.self)
            try c.encode(a, forKey: .a)
            var u = c.nestedUnkeyedContainer(forKey: .pair)
            try u.encode(pair.0)
            var inner = u.nestedContainer(keyedBy: M.self)
            try inner.encode(pair.1, forKey: .version)
            var m = c.nestedContainer(keyedBy: M.self, forKey: .meta)
            try m.encode(1, forKey: .version)
            try a.encode(to: c.superEncoder())
        }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: K.self)
            a = try c.decode(Int.self, forKey: .a)
            var u = try c.nestedUnkeyedContainer(forKey: .pair)
            let first = try u.decode(String.self)
            let inner = try u.nestedContainer(keyedBy: M.self)
            pair = (first, try inner.decode(String.self, forKey: .version))
            let m = try c.nestedContainer(keyedBy: M.self, forKey: .meta)
            guard try m.decode(Int.self, forKey: .version) == 1, try Int(from: c.superDecoder()) == a else {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "bad meta"))
            }
        }
        static func == (l: Custom, r: Custom) -> Bool { l.a == r.a && l.pair == r.pair }
    }

    static func foundationEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }

    @Test func codableBridgeRoundTripsAndMatchesFoundation() throws {
        var x = Everything()
        x.dates = [Date(timeIntervalSince1970: 0), Self.t("2026-03-01T09:00:00Z")]  // whole seconds, as Foundation writes them
        let v = try JSONValueEncoder().encode(x)
        #expect(try JSONValueDecoder().decode(Everything.self, from: v) == x)
        #expect(v["optNil"] == nil)  // nil optionals are omitted, as JSONEncoder does
        #expect(v["optSet"] == .number(7))
        #expect(v["dates"] == .array([.string("1970-01-01T00:00:00Z"), .string("2026-03-01T09:00:00Z")]))
        #expect(v["data"] == .string("AAEC/w=="))
        // The same JSON value as Foundation's encoder, except the Float, which Foundation widens differently.
        var fx = x
        fx.f = 0.5
        let ours = try JSONValueEncoder().encode(fx)
        let theirs = try JSONValue.parse(Array(Self.foundationEncoder().encode(fx)))
        #expect(ours == theirs)
        // Foundation's bytes decode through the fast path, and ours through Foundation.
        let dec = JSONDecoder()
        dec.dateDecodingStrategy = .iso8601
        #expect(try JSONValueDecoder().decode(Everything.self, fromJSON: Array(Self.foundationEncoder().encode(fx))) == fx)
        #expect(try dec.decode(Everything.self, from: Data(ours.serialize())) == fx)
    }

    @Test func fractionalDatesKeepTheirMicroseconds() throws {
        let d = Self.t("2026-03-01T09:00:00.123456Z")
        let v = try JSONValueEncoder().encode(Inner(name: "n", at: d, detail: "x"))
        #expect(v["at"] == .string("2026-03-01T09:00:00.123456Z"))
        #expect(try JSONValueDecoder().decode(Inner.self, from: v).at == d)
        // Dates written with offsets or as bare dates decode as ISOTime reads them.
        let w: JSONValue = .object(["name": .string("n"), "at": .string("2026-03-01T10:00:00+01:00")])
        #expect(try JSONValueDecoder().decode(Inner.self, from: w).at == Self.t("2026-03-01T09:00:00Z"))
        let day: JSONValue = .object(["name": .string("n"), "at": .string("2026-03-01")])
        #expect(try JSONValueDecoder().decode(Inner.self, from: day).at == Self.t("2026-03-01T00:00:00Z"))
    }

    @Test func customContainersRoundTrip() throws {
        let c = Custom(a: 5, pair: ("x", "y"))
        let v = try JSONValueEncoder().encode(c)
        #expect(Self.text(v) == #"{"a":5,"meta":{"version":1},"pair":["x",{"version":"y"}],"super":5}"#)
        #expect(try JSONValueDecoder().decode(Custom.self, from: v) == c)
        #expect(try JSONValue.parse(Array(JSONEncoder().encode(c))) == v)
    }

    @Test func enumsWithAssociatedValuesUseKeyedContainers() throws {
        let shapes = Everything().shapes
        let v = try JSONValueEncoder().encode(shapes)
        let foundation = try JSONValue.parse(Array(Self.foundationEncoder().encode(shapes)))
        #expect(v == foundation)
        #expect(Self.text(v).contains(#"{"circle":{"radius":2}}"#))
        #expect(try JSONValueDecoder().decode([Shape].self, from: v) == shapes)
        #expect(try JSONValueDecoder().decode(Everything.self, from: JSONValueEncoder().encode(Everything())) == Everything())
    }

    /// `encodeCanonical` writes exactly what `encode(_:).serialize()` does, without the dictionaries.
    @Test func canonicalEncodingMatchesTheValuePath() throws {
        let enc = JSONValueEncoder()
        func same<T: Encodable>(_ v: T, _ label: String) throws {
            #expect(try enc.encodeCanonical(v) == enc.encode(v).serialize(), "\(label)")
        }
        try same(Everything(), "Everything")
        try same(Custom(a: 5, pair: ("x", "y")), "Custom")
        try same(["b": 1, "a": 2, "é": 3, "": 4], "dictionary")
        try same(["z": "1", "a\"b": "2\n"], "string map")
        try same("top-level string", "string")
        try same(42, "int")
        try same([Date(timeIntervalSince1970: 1.5)], "dates")
        // A key written twice in one container: the last value wins, in both paths.
        struct Twice: Encodable {
            enum K: String, CodingKey { case a, b }
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: K.self)
                try c.encode(1, forKey: .b)
                try c.encode(2, forKey: .a)
                try c.encode(3, forKey: .b)
            }
        }
        #expect(try String(decoding: enc.encodeCanonical(Twice()), as: UTF8.self) == #"{"a":2,"b":3}"#)
        #expect(try enc.encode(Twice()) == .object(["a": .number(2), "b": .number(3)]))
    }

    /// Nested encoders must not keep each other alive (parents hold children; children only point back).
    @Test func encodersAreReleased() throws {
        final class Sink: @unchecked Sendable { weak var encoder: AnyObject? }
        struct Probe: Encodable {
            let sink: Sink
            enum K: String, CodingKey { case a, inner }
            func encode(to encoder: Encoder) throws {
                sink.encoder = encoder as AnyObject
                var c = encoder.container(keyedBy: K.self)
                try c.encode(1, forKey: .a)
                var n = c.nestedContainer(keyedBy: K.self, forKey: .inner)
                try n.encode(2, forKey: .a)
            }
        }
        struct Holder: Encodable { var probes: [Probe] }
        let sink = Sink()
        let bytes = try JSONValueEncoder().encodeCanonical(Holder(probes: [Probe(sink: sink)]))
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"probes":[{"a":1,"inner":{"a":2}}]}"#)
        #expect(sink.encoder == nil)
        _ = try JSONValueEncoder().encode(Holder(probes: [Probe(sink: sink)]))
        #expect(sink.encoder == nil)
    }

    @Test func decodingErrorsNamePathsAndNeverTrap() throws {
        let dec = JSONValueDecoder()
        func path(_ e: any Error) -> String {
            switch e as? DecodingError {
            case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?, .keyNotFound(_, let c)?, .dataCorrupted(let c)?:
                return c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            default: return "?"
            }
        }
        let good = try JSONValueEncoder().encode(Everything())
        guard case .object(var o) = good else { Issue.record("not an object"); return }
        o["dates"] = .array([.string("1970-01-01T00:00:00Z"), .string("yesterday")])
        #expect { try dec.decode(Everything.self, from: .object(o)) } throws: { path($0) == "dates.[1]" }
        o = good.objectValue!
        o["i8"] = .number(300)
        #expect { try dec.decode(Everything.self, from: .object(o)) } throws: { path($0) == "i8" }
        o = good.objectValue!
        o["i"] = .number(1.5)
        #expect { try dec.decode(Everything.self, from: .object(o)) } throws: { path($0) == "i" }
        o = good.objectValue!
        o["s"] = nil
        #expect { try dec.decode(Everything.self, from: .object(o)) } throws: {
            if case .keyNotFound(let k, _)? = $0 as? DecodingError { return k.stringValue == "s" }
            return false
        }
        o = good.objectValue!
        o["map"] = .object(["k": .number(1)])
        #expect { try dec.decode(Everything.self, from: .object(o)) } throws: { path($0) == "map.k" }
        o = good.objectValue!
        o["b"] = .null
        #expect { try dec.decode(Everything.self, from: .object(o)) } throws: {
            if case .valueNotFound? = $0 as? DecodingError { return path($0) == "b" }
            return false
        }
        o = good.objectValue!
        o["shapes"] = .array([.object(["circle": .object(["radius": .string("big")])])])
        #expect { try dec.decode(Everything.self, from: .object(o)) } throws: { path($0) == "shapes.[0].circle.radius" }
        // Nulls read as nil for optionals; wrong shapes are errors, not traps.
        o = good.objectValue!
        o["optSet"] = .null
        #expect(try dec.decode(Everything.self, from: .object(o)).optSet == nil)
        for v: JSONValue in [.null, .number(1), .string("x"), .array([]), .object([:]), .array([.object([:])])] {
            #expect(throws: DecodingError.self) { try dec.decode(Everything.self, from: v) }
            #expect(throws: DecodingError.self) { try dec.decode([Shape].self, from: .array([v])) }
        }
        #expect(throws: DecodingError.self) { try dec.decode(Everything.self, fromJSON: Array("{".utf8)) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(["d": Date(timeIntervalSince1970: .infinity)]) }
    }
}

typealias SeededGenerator = SplitMix64
