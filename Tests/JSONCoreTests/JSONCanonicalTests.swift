import Testing
@testable import JSONCore

/// The canonical form of JSON texts (what the event log stores and hashes) and the one escaper, `JSONWriter`.
@Suite struct JSONCanonicalTests {
    static func canon(_ s: String) -> String? {
        (try? JSONCanonical.canonicalize(Array(s.utf8))).map { String(decoding: $0, as: UTF8.self) }
    }

    static func fast(_ s: String) -> Bool { JSONCanonical.isCanonicalFast(Array(s.utf8)) }

    @Test(arguments: [
        (#" { "b" : [ 1 , 2.50 ] , "a" : "x" } "#, #"{"a":"x","b":[1,2.50]}"#),  // numbers kept as written
        (#"{"b":{"d":1,"c":2},"a":[]}"#, #"{"a":[],"b":{"c":2,"d":1}}"#),
        (#"{"\u0062":1,"a":2}"#, #"{"a":2,"b":1}"#),  // keys compared after unescaping
        (#"{"é":1,"z":2,"Z":3}"#, #"{"Z":3,"z":2,"é":1}"#),  // by UTF-8 bytes
        (#""\u0041\/\b\f\n\r\t\u0001\u001F\u007f\"\\""#, "\"A/\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}\\\"\\\\\""),
        (#""\ud83d\ude00""#, "\"😀\""),
        ("[1E+9,-0,0.0e-0]", "[1E+9,-0,0.0e-0]"),
        ("  true ", "true"),
    ])
    func canonicalize(_ input: String, _ expected: String) {
        #expect(Self.canon(input) == expected)
        #expect(Self.canon(expected) == expected, "idempotent")
        #expect(JSONCanonical.isCanonical(Array(expected.utf8)))
    }

    @Test func theFastCheckAcceptsOnlyCanonicalTexts() {
        for good in [#"{}"#, #"[]"#, #"{"a":[],"b":{}}"#, #"{"a":1,"b":[true,false,null,"x\n\u0001"]}"#, #""""#, "0", "-1.5e3",
                     #"[{"a":{"b":[[]]}}]"#, #"{"":1,"a":2}"#, "\"é😀\""] {
            #expect(Self.fast(good), "\(good)")
            #expect(Self.canon(good) == good, "\(good)")
        }
        for notCanonical in [" {}", "{} ", #"{"a" :1}"#, #"{"a": 1}"#, #"[1, 2]"#, #"[ ]"#, #"{ }"#, #"{"b":1,"a":2}"#,
                             #"{"a":1,"a":2}"#, #""\/""#, #""\u0041""#, #""\u000a""#, #""\u001F""#, #"{"\u0061":1}"#,
                             #"{"b":[1,2 ],"c":3}"#, "[1,]", "", "nul", #"{"a":1}x"#] {
            #expect(!Self.fast(notCanonical), "\(notCanonical)")
        }
    }

    /// Random JSON-ish texts (seeded): whatever is accepted canonicalizes to a fixed point that the fast check
    /// accepts, and the fast check never accepts a text that canonicalization would change.
    @Test func fastCheckAndCanonicalizeAgree() {
        var rng = SeededGenerator(seed: 0xCA0)
        let pieces = [#"{"#, #"}"#, #"["#, #"]"#, #","#, #":"#, #""a""#, #""b""#, #""\u0061""#, #""\n""#, #""\u0001""#, #""\/""#,
                      "1", "-0.5", "1e2", "true", "null", " ", "\"é\""]
        var accepted = 0
        for _ in 0..<30_000 {
            let text = (0..<Int.random(in: 1...12, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? "" }.joined()
            let bytes = Array(text.utf8)
            let result = Result { () throws(JSONParseError) -> [UInt8] in try JSONCanonical.canonicalize(bytes) }
            if JSONCanonical.isCanonicalFast(bytes) { #expect((try? result.get()) == bytes, "\(text)") }
            guard case .success(let c) = result else { continue }
            accepted += 1
            #expect(JSONCanonical.isCanonicalFast(c) || c.contains(UInt8(ascii: "\\")), "\(text)")
            #expect((try? JSONCanonical.canonicalize(c)) == c, "\(text)")
            #expect(throws: Never.self) { try JSONValue.parse(bytes) }
        }
        #expect(accepted > 1_000)
    }

    @Test func refusesWhatTheParserRefusesWithTheSameError() {
        for bad in ["", "{", "[1,]", #"{"a":1,"a":2}"#, #"{"\u0061":1,"a":2}"#, "1e400", #""\ud800""#, "01", "[" + String(repeating: "[", count: 300)] {
            let a = Result { () throws(JSONParseError) -> [UInt8] in try JSONCanonical.canonicalize(Array(bad.utf8)) }
            let b = Result { () throws(JSONParseError) -> JSONValue in try JSONValue.parse(Array(bad.utf8)) }
            guard case .failure(let e1) = a, case .failure(let e2) = b else {
                Issue.record("accepted \(bad)")
                continue
            }
            #expect(e1 == e2, "\(bad)")
        }
    }

    @Test func theEscaperWritesMinimalEscapes() throws {
        #expect(JSONWriter.quoted("plain") == #""plain""#)
        #expect(JSONWriter.quoted("a\"b\\c/d") == #""a\"b\\c/d""#)
        #expect(JSONWriter.quoted("\u{8}\u{c}\n\r\t\u{0}\u{1f}\u{7f}é😀") == "\"\\b\\f\\n\\r\\t\\u0000\\u001f\u{7f}é😀\"")
        var out: [UInt8] = []
        for n: Int64 in [0, 7, -7, 10, Int64.max, Int64.min] {
            out.removeAll()
            JSONWriter.appendInteger(n, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(n))
        }
        // Every control character and the two that need a backslash, escaped and read back.
        var rng = SeededGenerator(seed: 0xE5C)
        for _ in 0..<2_000 {
            let scalars = (0..<Int.random(in: 0...12, using: &rng)).compactMap { _ in
                Unicode.Scalar(Bool.random(using: &rng) ? UInt32.random(in: 0...0x7F, using: &rng) : UInt32.random(in: 0x80...0x1F_FFF, using: &rng))
            }
            var s = ""
            s.unicodeScalars.append(contentsOf: scalars)
            let text = JSONWriter.quoted(s)
            #expect(try JSONValue.parse(Array(text.utf8)) == .string(s))
            #expect(JSONCanonical.isCanonicalFast(Array(text.utf8)), "\(text.debugDescription)")
        }
        #expect(JSONWriter.utf8Less("Z", "a") && JSONWriter.utf8Less("a", "aa") && !JSONWriter.utf8Less("é", "z"))
    }
}
