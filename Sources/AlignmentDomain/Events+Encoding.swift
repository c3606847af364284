import Foundation
import JSONCore

// Hand-written canonical writers for the payloads `apply` writes by the hundred thousand (a handoff and the decisions on
// it), instead of `Codable` through `JSONValueEncoder`, which builds a tree of nodes per payload and sorts its keys.
// Each writes exactly the bytes `JSONValueEncoder.encodeCanonical` writes (keys in UTF-8 order, nil optionals
// omitted, dates as `JSONDates.format`, numbers as `JSONWriter.appendNumber`); EventPayloadJSONTests checks them
// against it. Measured with perf on `align apply` of 200,000 evaluated handoffs: encoding was 10 % of the apply.

/// A canonical JSON object written member by member; the caller gives the members in UTF-8 key order.
struct CanonicalObject {
    var out: [UInt8]
    private var first = true

    init(into out: [UInt8]) {
        self.out = out
        self.out.append(0x7B)
    }

    mutating func key(_ k: StaticString) {
        out.append(first ? 0x22 : 0x2C)
        if !first { out.append(0x22) }
        first = false
        k.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(0x22)
        out.append(0x3A)
    }

    mutating func string(_ k: StaticString, _ v: String?) {
        guard let v else { return }
        key(k)
        JSONWriter.appendString(v, to: &out)
    }

    mutating func int(_ k: StaticString, _ v: Int) {
        key(k)
        JSONWriter.appendInteger(Int64(v), to: &out)
    }

    mutating func bool(_ k: StaticString, _ v: Bool) {
        key(k)
        out.append(contentsOf: v ? Array("true".utf8) : Array("false".utf8))
    }

    mutating func number(_ k: StaticString, _ v: Double?) throws(CanonicalPayloadError) {
        guard let v else { return }
        guard v.isFinite else { throw .notFinite }
        key(k)
        JSONWriter.appendNumber(v, to: &out)
    }

    mutating func date(_ k: StaticString, _ d: Date) throws(CanonicalPayloadError) {
        guard let s = JSONDates.format(d) else { throw .dateOutOfRange }
        key(k)
        JSONWriter.appendString(s, to: &out)
    }

    mutating func object<T: CanonicalPayload>(_ k: StaticString, _ v: T?) throws(CanonicalPayloadError) {
        guard let v else { return }
        key(k)
        out = try v.canonical(into: out)
    }

    mutating func array<T: CanonicalPayload>(_ k: StaticString, _ items: [T]) throws(CanonicalPayloadError) {
        key(k)
        out.append(0x5B)
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(0x2C) }
            out = try item.canonical(into: out)
        }
        out.append(0x5D)
    }

    mutating func strings(_ k: StaticString, _ items: [String]) {
        key(k)
        out.append(0x5B)
        for (i, s) in items.enumerated() {
            if i > 0 { out.append(0x2C) }
            JSONWriter.appendString(s, to: &out)
        }
        out.append(0x5D)
    }

    /// A `[String: String]` with its keys in UTF-8 order.
    mutating func stringMap(_ k: StaticString, _ map: [String: String]) {
        key(k)
        out.append(0x7B)
        for (i, member) in map.sorted(by: { JSONWriter.utf8Less($0.key, $1.key) }).enumerated() {
            if i > 0 { out.append(0x2C) }
            JSONWriter.appendString(member.key, to: &out)
            out.append(0x3A)
            JSONWriter.appendString(member.value, to: &out)
        }
        out.append(0x7D)
    }

    mutating func raw<E: RawRepresentable>(_ k: StaticString, _ v: E?) where E.RawValue == String { string(k, v?.rawValue) }

    consuming func close() -> [UInt8] {
        out.append(0x7D)
        return out
    }
}

enum CanonicalPayloadError: Error { case notFinite, dateOutOfRange }

/// A payload (or a part of one) with a hand-written canonical form.
protocol CanonicalPayload {
    func canonical(into out: [UInt8]) throws(CanonicalPayloadError) -> [UInt8]
}

extension CanonicalPayload {
    /// The canonical bytes on their own.
    func canonicalBytes() throws(CanonicalPayloadError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        return try canonical(into: out)
    }
}

extension LeadHandedOff: CanonicalPayload {
    func canonical(into out: [UInt8]) throws(CanonicalPayloadError) -> [UInt8] {
        var o = CanonicalObject(into: out)
        try o.object("brief", brief)
        o.string("campaign", campaign)
        o.string("definition", definition)
        o.int("definitionVersion", definitionVersion)
        try o.object("evaluation", evaluation)
        o.string("lead", lead)
        o.string("note", note)
        try o.object("override", override)
        o.string("owner", owner)
        o.stringMap("profile", profile)
        try o.number("score", score)
        try o.array("signals", signals)
        o.string("source", source)
        return o.close()
    }
}

extension AttachedBrief: CanonicalPayload {
    func canonical(into out: [UInt8]) throws(CanonicalPayloadError) -> [UInt8] {
        var o = CanonicalObject(into: out)
        o.string("offer", offer)
        o.string("summary", summary)
        o.strings("talkingPoints", talkingPoints)
        o.int("version", version)
        return o.close()
    }
}

extension Signal: CanonicalPayload {
    func canonical(into out: [UInt8]) throws(CanonicalPayloadError) -> [UInt8] {
        var o = CanonicalObject(into: out)
        try o.date("at", at)
        o.string("detail", detail)
        o.string("name", name)
        return o.close()
    }
}

extension Override: CanonicalPayload {
    func canonical(into out: [UInt8]) throws(CanonicalPayloadError) -> [UInt8] {
        var o = CanonicalObject(into: out)
        o.string("reason", reason)
        o.string("rule", rule)
        return o.close()
    }
}

extension HandoffEvaluation: CanonicalPayload {
    func canonical(into out: [UInt8]) throws(CanonicalPayloadError) -> [UInt8] {
        var o = CanonicalObject(into: out)
        try o.array("criteria", criteria)
        o.bool("met", met)
        o.raw("offDefinition", offDefinition)
        return o.close()
    }
}

extension CriterionResult: CanonicalPayload {
    func canonical(into out: [UInt8]) throws(CanonicalPayloadError) -> [UInt8] {
        var o = CanonicalObject(into: out)
        o.string("criterion", criterion)
        o.raw("kind", kind)
        o.string("observed", observed)
        o.raw("outcome", outcome)
        return o.close()
    }
}

extension LeadAccepted: CanonicalPayload {
    func canonical(into out: [UInt8]) throws(CanonicalPayloadError) -> [UInt8] {
        var o = CanonicalObject(into: out)
        o.string("lead", lead)
        o.string("source", source)
        return o.close()
    }
}

extension LeadRejected: CanonicalPayload {
    func canonical(into out: [UInt8]) throws(CanonicalPayloadError) -> [UInt8] {
        var o = CanonicalObject(into: out)
        o.string("lead", lead)
        o.string("note", note)
        o.raw("reason", reason)
        o.string("source", source)
        return o.close()
    }
}

extension LeadConverted: CanonicalPayload {
    func canonical(into out: [UInt8]) throws(CanonicalPayloadError) -> [UInt8] {
        var o = CanonicalObject(into: out)
        try o.number("amount", amount)
        o.string("lead", lead)
        o.string("opportunity", opportunity)
        o.string("source", source)
        return o.close()
    }
}
