// Property tests of the record codec and canonical JSON: every event round-trips through the binary record
// format; no byte string, truncation or mutation of a record makes the decoder trap; canonical JSON is
// idempotent and never traps on arbitrary bytes. Plus the boundary cases, spelled out.
import Foundation
import JSONCore
import PropertyBased
import Testing
@testable import EventLog
@testable import EventLogLMDB
import EventLogMemory

// MARK: Random values

enum RandomValues {
    /// A string of up to `maxBytes` UTF-8 bytes: empty, ASCII, Latin-1, BMP, astral and combining characters,
    /// sometimes filled close to the limit.
    static func string<R: RandomNumberGenerator>(_ rng: inout R, maxBytes: Int) -> String {
        let mode = Int.random(in: 0..<10, using: &rng)
        if mode == 0 { return "" }
        let targetBytes = mode == 1 ? maxBytes : Int.random(in: 0...min(maxBytes, 300), using: &rng)
        var scalars = String.UnicodeScalarView()
        var bytes = 0
        while bytes < targetBytes {
            let s = scalar(&rng)
            let n = String(s).utf8.count
            if bytes + n > targetBytes {
                if targetBytes - bytes >= 1 && mode == 1 { scalars.append("a"); bytes += 1; continue }
                break
            }
            scalars.append(s)
            bytes += n
        }
        return String(scalars)
    }

    static func scalar<R: RandomNumberGenerator>(_ rng: inout R) -> Unicode.Scalar {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0, 1: return Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &rng))
        case 2: return Unicode.Scalar(UInt8.random(in: 0...0xFF, using: &rng))  // includes controls
        case 3: return Unicode.Scalar(UInt32.random(in: 0x100...0xD7FF, using: &rng))!
        case 4: return Unicode.Scalar(UInt32.random(in: 0xE000...0xFFFD, using: &rng))!
        default:
            return Bool.random(using: &rng)
                ? Unicode.Scalar(UInt32.random(in: 0x10000...0x10FFFF, using: &rng))!
                : Unicode.Scalar(UInt32.random(in: 0x300...0x36F, using: &rng))!  // combining marks
        }
    }

    static func bytes<R: RandomNumberGenerator>(_ rng: inout R, count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    static func bytes<R: RandomNumberGenerator>(_ rng: inout R, upTo max: Int) -> [UInt8] {
        bytes(&rng, count: Int.random(in: 0...max, using: &rng))
    }

    static func uint64<R: RandomNumberGenerator>(_ rng: inout R) -> UInt64 {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: 0
        case 1: 1
        case 2: .max
        case 3: .max - 1
        default: UInt64.random(in: 0 ... .max, using: &rng)
        }
    }

    static func int64<R: RandomNumberGenerator>(_ rng: inout R) -> Int64 {
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: .min
        case 1: .max
        case 2: 0
        case 3: -1
        default: Int64.random(in: .min ... .max, using: &rng)
        }
    }

    static func uuid<R: RandomNumberGenerator>(_ rng: inout R) -> UUID {
        if Int.random(in: 0..<8, using: &rng) == 0 { return UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) }
        let b = bytes(&rng, count: 16)
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    static func hash<R: RandomNumberGenerator>(_ rng: inout R) -> ChainHash {
        Bool.random(using: &rng) ? ChainHash(a: rng.next(), b: rng.next(), c: rng.next(), d: rng.next()) : .genesis
    }

    /// Any event the record format can carry. Field lengths stay within their 16-bit (and 32-bit) fields.
    static func event<R: RandomNumberGenerator>(_ rng: inout R) -> RecordedEvent {
        let big = Int.random(in: 0..<20, using: &rng) == 0  // now and then, one field near its maximum
        let bigField = Int.random(in: 0..<5, using: &rng)
        let u16 = Int(UInt16.max)
        return RecordedEvent(
            position: uint64(&rng), id: uuid(&rng),
            stream: string(&rng, maxBytes: big && bigField == 0 ? u16 : 400),
            version: uint64(&rng),
            type: string(&rng, maxBytes: big && bigField == 1 ? u16 : 200),
            schemaVersion: [0, 1, .max, UInt16.random(in: 0 ... .max, using: &rng)][Int.random(in: 0..<4, using: &rng)],
            recordedAt: Timestamp(microseconds: int64(&rng)), occurredAt: Timestamp(microseconds: int64(&rng)),
            actor: string(&rng, maxBytes: big && bigField == 2 ? u16 : 400),
            correlationID: Bool.random(using: &rng) ? uuid(&rng) : nil,
            causationID: Bool.random(using: &rng) ? uuid(&rng) : nil,
            payload: big && bigField == 3 ? bytes(&rng, count: Int.random(in: 65_530...70_000, using: &rng)) : bytes(&rng, upTo: 600),
            signature: bytes(&rng, count: big && bigField == 4 ? u16 : Int.random(in: 0...Int.random(in: 0...300, using: &rng), using: &rng)),
            hash: hash(&rng))
    }

    /// A valid JSON text with random whitespace, key order, escapes and number spellings (unique keys).
    static func jsonText<R: RandomNumberGenerator>(_ rng: inout R, depth: Int = 0) -> String {
        func ws() -> String {
            Int.random(in: 0..<3, using: &rng) == 0 ? String((0..<Int.random(in: 1...3, using: &rng)).map { _ in [" ", "\n", "\t", "\r"].randomElement(using: &rng)! }) : ""
        }
        let leaf = depth >= 4 || Int.random(in: 0..<3, using: &rng) == 0
        let kind = leaf ? Int.random(in: 0..<4, using: &rng) : Int.random(in: 4..<6, using: &rng)
        switch kind {
        case 0: return ["true", "false", "null"].randomElement(using: &rng)!
        case 1: return number(&rng)
        case 2, 3: return stringLiteral(string(&rng, maxBytes: 40), &rng)
        case 4:
            let n = Int.random(in: 0...4, using: &rng)
            let items = (0..<n).map { _ in ws() + jsonText(&rng, depth: depth + 1) + ws() }
            return "[" + ws() + items.joined(separator: ",") + "]"
        default:
            var keys = Set<String>()
            for _ in 0..<Int.random(in: 0...5, using: &rng) { keys.insert(string(&rng, maxBytes: 12)) }
            let members = keys.shuffled(using: &rng).map { k in
                ws() + stringLiteral(k, &rng) + ws() + ":" + ws() + jsonText(&rng, depth: depth + 1) + ws()
            }
            return "{" + ws() + members.joined(separator: ",") + "}"
        }
    }

    static func number<R: RandomNumberGenerator>(_ rng: inout R) -> String {
        var s = Bool.random(using: &rng) ? "-" : ""
        s += Bool.random(using: &rng) ? "0" : String(UInt32.random(in: 1 ... .max, using: &rng))
        if Bool.random(using: &rng) { s += "." + String(UInt16.random(in: 0 ... .max, using: &rng)) }
        if Int.random(in: 0..<3, using: &rng) == 0 {
            s += ["e", "E"].randomElement(using: &rng)! + ["", "+", "-"].randomElement(using: &rng)! + String(UInt8.random(in: 0...40, using: &rng))
        }
        return s
    }

    /// A JSON string literal for `s`, escaping what must be escaped and, at random, more.
    static func stringLiteral<R: RandomNumberGenerator>(_ s: String, _ rng: inout R) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += Bool.random(using: &rng) ? "\\n" : "\\u000a"
            case _ where u.value < 0x20: out += String(format: "\\u%04X", u.value)
            case "/": out += Bool.random(using: &rng) ? "\\/" : "/"
            case _ where u.value >= 0x10000 && Int.random(in: 0..<3, using: &rng) == 0:
                let v = u.value - 0x10000
                out += String(format: "\\u%04x\\u%04X", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
            case _ where Int.random(in: 0..<8, using: &rng) == 0 && u.value < 0x10000:
                out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// A random change to a byte string: flip, truncate, extend, delete, duplicate a slice.
    static func mutate<R: RandomNumberGenerator>(_ b: [UInt8], _ rng: inout R) -> [UInt8] {
        var b = b
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !b.isEmpty: b[Int.random(in: 0..<b.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            case 1 where !b.isEmpty: b.removeLast(Int.random(in: 1...b.count, using: &rng))
            case 2: b += bytes(&rng, upTo: 8)
            case 3 where !b.isEmpty: b.remove(at: Int.random(in: 0..<b.count, using: &rng))
            case 4 where !b.isEmpty: b.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...b.count, using: &rng))
            case 5 where b.count > 2:
                let i = Int.random(in: 0..<(b.count - 1), using: &rng)
                let j = Int.random(in: (i + 1)...b.count, using: &rng)
                b.insert(contentsOf: b[i..<j], at: Int.random(in: 0...b.count, using: &rng))
            default: b.append(UInt8.random(in: 0...255, using: &rng))
            }
        }
        return b
    }
}

/// Decodes without trapping; returns nil on a (typed) decode error.
func tryDecode(_ bytes: [UInt8], position: UInt64 = 1) -> RecordedEvent? {
    bytes.withUnsafeBytes { p in
        do { return try RecordCodec.decode(position: position, p) } catch { return nil }
    }
}

func put16(_ b: inout [UInt8], _ offset: Int, _ v: UInt16) {
    b[offset] = UInt8(v & 0xFF); b[offset + 1] = UInt8(v >> 8)
}

func put32(_ b: inout [UInt8], _ offset: Int, _ v: UInt32) {
    for i in 0..<4 { b[offset + i] = UInt8((v >> (8 * UInt32(i))) & 0xFF) }
}

@Suite("Record codec and canonical JSON properties")
struct RecordCodecPropertyTests {
    static let events = Generator<RecordedEvent, Shrink.None<RecordedEvent>> { rng in RandomValues.event(&rng) }
    static let byteStrings = Generator<[UInt8], Shrink.None<[UInt8]>> { rng in
        // Raw noise, or noise behind a plausible header (layout 1, small lengths), to get past the first checks.
        var b = RandomValues.bytes(&rng, upTo: Int.random(in: 0..<4, using: &rng) == 0 ? 2000 : 200)
        if b.count >= 16, Bool.random(using: &rng) {
            b[0] = 1
            for o in [4, 6, 8, 10] { put16(&b, o, UInt16.random(in: 0...40, using: &rng)) }
            put32(&b, 12, UInt32.random(in: 0...80, using: &rng))
        }
        return b
    }
    static let mutatedRecords = Generator<[UInt8], Shrink.None<[UInt8]>> { rng in
        var e = RandomValues.event(&rng)
        e.stream = String(e.stream.prefix(50)); e.actor = String(e.actor.prefix(50)); e.payload = Array(e.payload.prefix(200))
        let valid = RecordCodec.encode(e)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:  // overwrite one length field with an extreme or random value
            var b = valid
            let field = [4, 6, 8, 10, 12].randomElement(using: &rng)!
            let extreme = [0, 1, UInt32.max, UInt32(UInt16.max), UInt32.random(in: 0...1000, using: &rng)].randomElement(using: &rng)!
            if field == 12 { put32(&b, 12, extreme) } else { put16(&b, field, UInt16(truncatingIfNeeded: extreme)) }
            return b
        case 1:  // lengths that add up exactly, split differently between the fields
            var b = valid
            var rest = b.count - RecordCodec.headerSize - RecordCodec.hashSize
            for o in [4, 6, 8, 10] {
                let n = Int.random(in: 0...min(rest, 0xFFFF), using: &rng)
                put16(&b, o, UInt16(n)); rest -= n
            }
            put32(&b, 12, UInt32(rest))
            b[1] = UInt8.random(in: 0...255, using: &rng)
            return b
        case 2:  // truncated anywhere
            return Array(valid.prefix(Int.random(in: 0...valid.count, using: &rng)))
        default:
            return RandomValues.mutate(valid, &rng)
        }
    }
    static let jsonTexts = Generator<String, Shrink.None<String>> { rng in RandomValues.jsonText(&rng) }
    static let mutatedJSON = Generator<[UInt8], Shrink.None<[UInt8]>> { rng in
        let valid = Array(RandomValues.jsonText(&rng).utf8)
        return Bool.random(using: &rng) ? RandomValues.mutate(valid, &rng) : RandomValues.bytes(&rng, upTo: 64)
    }

    // MARK: Record codec

    @Test func anyEventRoundTrips() async {
        await propertyCheck(count: 400, input: Self.events) { e in
            let bytes = RecordCodec.encode(e)
            let lengths = e.stream.utf8.count + e.type.utf8.count + e.actor.utf8.count + e.signature.count + e.payload.count
            #expect(bytes.count == RecordCodec.headerSize + lengths + RecordCodec.hashSize)
            let decoded = tryDecode(bytes, position: e.position)
            #expect(decoded == e)
            bytes.withUnsafeBytes { p in
                #expect((try? RecordCodec.bodyLength(p)) == bytes.count - RecordCodec.hashSize)
                #expect(RecordCodec.storedHash(p) == e.hash)
                #expect(RecordCodec.version(p) == e.version)
                #expect(Array(RecordCodec.idBytes(p)) == withUnsafeBytes(of: e.id.uuid) { Array($0) })
                #expect((try? RecordCodec.streamName(p)).map { Array($0) } == Array(e.stream.utf8))
            }
            // Decoding the same bytes at another position changes only the position.
            var moved = e
            moved.position = e.position &+ 1
            #expect(tryDecode(bytes, position: moved.position) == moved)
        }
    }

    @Test func arbitraryBytesNeverTrapTheDecoder() async {
        await propertyCheck(count: 2000, input: Self.byteStrings) { b in
            let decoded = tryDecode(b)
            b.withUnsafeBytes { p in
                let body = try? RecordCodec.bodyLength(p)
                #expect((decoded != nil) == (body != nil), "decode and bodyLength disagree")
                if let body { #expect(body == b.count - RecordCodec.hashSize) }
                _ = try? RecordCodec.streamName(p)
            }
        }
    }

    @Test func truncatedAndMutatedRecordsNeverTrapTheDecoder() async {
        var decodedCount = 0, refusedCount = 0
        await propertyCheck(count: 2000, input: Self.mutatedRecords) { b in
            let decoded = tryDecode(b)
            if decoded == nil { refusedCount += 1 } else { decodedCount += 1 }
            if let d = decoded {
                // Whatever decodes accounts for every byte of the record.
                let lengths = d.stream.utf8.count + d.type.utf8.count + d.actor.utf8.count
                #expect(d.signature.count + d.payload.count + RecordCodec.headerSize + RecordCodec.hashSize <= b.count)
                #expect(lengths >= 0)
                let h = b.withUnsafeBytes { RecordCodec.storedHash($0) }
                #expect(d.hash == h)
            }
        }
        #expect(decodedCount > 200 && refusedCount > 200, "decoded \(decodedCount), refused \(refusedCount)")
    }

    @Test func encodingMatchesWhatTheLogStores() throws {
        try withLedger { log, _ throws in
            try log.append(to: "s", [event(1), ProposedEvent(type: "T", actor: "a", correlationID: UUID(), payload: json("[]"), signature: [1, 2])])
            try log.append([StreamAppend(stream: "ü/☃", events: [ProposedEvent(type: "X", actor: "b", causationID: UUID(), payload: json("{}"))])])
            var n = 0
            try log.replayRaw { pos, v in
                let e = try RecordCodec.decode(position: pos, v)
                #expect(RecordCodec.encode(e) == Array(v))
                n += 1
            }
            #expect(n == 3)
        }
    }

    // MARK: Record codec boundaries

    @Test func decoderBoundaryCases() {
        func refused(_ b: [UInt8], _ containing: String, sourceLocation: SourceLocation = #_sourceLocation) {
            b.withUnsafeBytes { p in
                do {
                    let e = try RecordCodec.decode(position: 1, p)
                    Issue.record("decoded \(e)", sourceLocation: sourceLocation)
                } catch let error as RecordCodec.DecodeError {
                    #expect(error.reason.contains(containing), "\(error.reason)", sourceLocation: sourceLocation)
                } catch {
                    Issue.record("unexpected error type \(type(of: error))", sourceLocation: sourceLocation)
                }
            }
        }
        let minimal = [UInt8](repeating: 0, count: RecordCodec.headerSize + RecordCodec.hashSize)
        // Empty, one byte, one short of a header plus hash.
        refused([], "shorter than its header")
        refused([1], "shorter than its header")
        refused(Array([1] + minimal.dropFirst().dropLast()), "shorter than its header")
        // Header-only record (all fields empty): decodes.
        var headerOnly = minimal
        headerOnly[0] = 1
        let e = tryDecode(headerOnly)
        #expect(e?.stream == "" && e?.type == "" && e?.actor == "" && e?.payload == [] && e?.signature == [])
        #expect(e?.version == 0 && e?.correlationID == nil && e?.causationID == nil && e?.hash == .genesis)
        #expect(e.map(RecordCodec.encode) == headerOnly)
        // Unknown layouts.
        refused(minimal, "unknown record layout 0")
        var layout2 = headerOnly; layout2[0] = 2
        refused(layout2, "unknown record layout 2")
        // One byte too many.
        refused(headerOnly + [0], "add up to 120 bytes but the record has 121")
        // Lengths that overflow the buffer.
        for (offset, wide) in [(4, false), (6, false), (8, false), (10, false), (12, true)] {
            for value: UInt32 in [1, 0xFF, 0xFFFF, 0xFFFF_FFFF] where wide || value <= 0xFFFF {
                var b = headerOnly
                if wide { put32(&b, offset, value) } else { put16(&b, offset, UInt16(value)) }
                refused(b, "field lengths add up to \(120 + Int(value)) bytes")
            }
        }
        var allMax = headerOnly
        for o in [4, 6, 8, 10] { put16(&allMax, o, .max) }
        put32(&allMax, 12, .max)
        refused(allMax, "field lengths add up to")
        // Lengths that underflow the buffer (a record with bytes no field claims).
        var under = RecordCodec.encode(try! #require(tryDecode(headerOnly)))
        under.insert(contentsOf: [1, 2, 3], at: 88)
        refused(under, "but the record has 123")
        // Flags: bits beyond the two id bits are ignored; the id bits pick up the stored ids.
        var flags = headerOnly
        flags[1] = 0xFF
        let f = tryDecode(flags)
        #expect(f?.correlationID == UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        #expect(f?.causationID != nil)
    }

    @Test func invalidUTF8InNamesDecodesWithoutTrapping() {
        var b = [UInt8](repeating: 0, count: RecordCodec.headerSize) + [0xFF, 0xC3, 0xE2, 0x82] + [UInt8](repeating: 0, count: 32)
        b[0] = 1
        put16(&b, 4, 2)  // stream: 0xFF 0xC3
        put16(&b, 6, 2)  // type: 0xE2 0x82
        let e = tryDecode(b)
        #expect(e != nil)
        #expect(e?.stream.unicodeScalars.contains("\u{FFFD}") == true)
    }

    // MARK: Canonical JSON

    @Test func canonicalJSONIsIdempotentAndMeansTheSame() async {
        var compared = 0, objects = 0
        await propertyCheck(count: 600, input: Self.jsonTexts) { text in
            if text.hasPrefix("{") { objects += 1 }
            let input = Array(text.utf8)
            let c: [UInt8]
            do { c = try CanonicalJSON.canonicalize(input) } catch {
                Issue.record("valid JSON refused: \(error) in \(text.debugDescription)")
                return
            }
            #expect((try? CanonicalJSON.canonicalize(c)) == c, "not idempotent")
            #expect(CanonicalJSON.isCanonical(c))
            #expect(c.count <= input.count + input.count * 5, "canonical form blew up")
            // Same meaning as the input. The referee is JSONCore's parser (separate code from the canonicaliser),
            // with strings compared scalar by scalar: Foundation's NSDictionary, the referee before, compared some
            // strings with Unicode escapes and surrogate pairs wrongly (about one run in twenty).
            if let a = try? JSONValue.parse(input), let b = try? JSONValue.parse(c) {
                #expect(Self.same(a, b), "canonical form means something else: \(text.debugDescription) -> \(String(decoding: c, as: UTF8.self).debugDescription)")
                compared += 1
            }
            // Whitespace and key order do not matter.
            let spaced = Array((" \n" + text + "\t ").utf8)
            #expect((try? CanonicalJSON.canonicalize(spaced)) == c)
        }
        // The generator is not degenerate: objects are common and the referee could parse most cases.
        #expect(objects > 100 && compared > 300, "objects \(objects), compared \(compared)")
    }

    /// Equal JSON values, strings compared by their Unicode scalars (Swift's `==` treats canonically equivalent
    /// strings as equal, which would hide a canonicaliser that normalised text).
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return Array(x.unicodeScalars) == Array(y.unicodeScalars)
        case (.number(let x), .number(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            let byScalars = Dictionary(uniqueKeysWithValues: y.map { (Array($0.key.unicodeScalars).map(\.value), $0.value) })
            return x.allSatisfy { k, v in byScalars[Array(k.unicodeScalars).map(\.value)].map { same(v, $0) } ?? false }
        default: return false
        }
    }

    @Test func canonicalJSONNeverTrapsOnArbitraryBytes() async {
        await propertyCheck(count: 3000, input: Self.mutatedJSON) { b in
            do {
                let c = try CanonicalJSON.canonicalize(b)
                #expect((try? CanonicalJSON.canonicalize(c)) == c, "accepted input whose canonical form is not canonical")
            } catch let error as CanonicalJSON.Error {
                #expect(error.offset >= 0 && error.offset <= b.count)
                #expect(!error.reason.isEmpty)
            } catch {
                Issue.record("unexpected error type \(type(of: error))")
            }
        }
    }

    @Test func canonicalJSONBoundaries() {
        func canon(_ s: String) -> String? { (try? CanonicalJSON.canonicalize(Array(s.utf8))).map { String(decoding: $0, as: UTF8.self) } }
        // Nesting: 256 levels are fine, 257 are refused, very deep input is refused without overflowing the stack.
        #expect(canon(String(repeating: "[", count: 256) + String(repeating: "]", count: 256)) != nil)
        #expect(canon(String(repeating: "[", count: 257) + String(repeating: "]", count: 257)) == nil)
        #expect(canon(String(repeating: "{\"a\":", count: 300) + "1" + String(repeating: "}", count: 300)) == nil)
        #expect(canon(String(repeating: "[", count: 200_000)) == nil)
        // Scalars at top level, whitespace trimmed.
        #expect(canon(" 1 ") == "1")
        #expect(canon("\"x\"") == "\"x\"")
        #expect(canon("null") == "null")
        // Escapes: minimal on output; control characters as \u00XX; solidus unescaped; surrogate pairs joined.
        #expect(canon(#""\u0041\/\b\f\n\r\t\u0001\u001f\"\\""#) == #""A/\b\f\n\r\t\u0001\u001f\"\\""#)
        #expect(canon(#""\ud83d\ude00""#) == "\"😀\"")
        #expect(canon(#""\ude00""#) == nil)
        #expect(canon(#""\ud83d x""#) == nil)
        #expect(canon("\"\u{7F}\"") == "\"\u{7F}\"")
        // Overlong, surrogate and out-of-range UTF-8 are refused.
        for bad: [UInt8] in [[0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22]] {
            #expect((try? CanonicalJSON.canonicalize(bad)) == nil, "\(bad)")
        }
        // Keys compared after unescaping; duplicate keys refused at any depth.
        #expect(canon(#"{"b":1,"\u0061":2}"#) == #"{"a":2,"b":1}"#)
        #expect(canon(#"{"a":1,"a":1}"#) == nil)
        #expect(canon(#"[{"x":{"y":1,"y":2}}]"#) == nil)
        #expect(canon("{}") == "{}" && canon("[ ]") == "[]" && canon("{ }") == "{}")
        // Numbers are kept as written but must be valid.
        #expect(canon("[-0,0.5,1E+9,2e-3]") == "[-0,0.5,1E+9,2e-3]")
        for bad in ["01", "+1", ".5", "1.", "1e", "-", "0x10", "1e+", "Infinity", "[1,]", "{,}", "tru", "nulll"] {
            #expect(canon(bad) == nil, "\(bad)")
        }
        #expect(canon("") == nil && canon(" ") == nil)
    }
}
