import Foundation

/// The compact binary form of kept read models (`docs/FORMAT.md`, "Kept read models"): written and read by hand,
/// field by field, because Codable's dynamic machinery cost more than the folds themselves in a rebuild.
///
/// Integers are LEB128 varints (signed ones zigzag-encoded), strings a varint byte count and UTF-8, dates the
/// 8 little-endian bytes of their `timeIntervalSinceReferenceDate` (exact), optionals a 0/1 byte, arrays a varint
/// count, enums their raw string. Readers check every length against what is left and never trap on bad bytes.
public struct BinaryWriter {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always) public mutating func u8(_ v: UInt8) { bytes.append(v) }
    @inline(__always) public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    public mutating func uvarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func int(_ v: Int) { uvarint(UInt64(bitPattern: Int64((v << 1) ^ (v >> 63)))) }

    public mutating func double(_ v: Double) {
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func date(_ d: Date) { double(d.timeIntervalSinceReferenceDate) }

    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { u in
            uvarint(UInt64(u.count))
            bytes.append(contentsOf: u)
        }
    }

    public mutating func raw<E: RawRepresentable>(_ e: E) where E.RawValue == String { string(e.rawValue) }

    public mutating func optional<T>(_ v: T?, _ body: (inout BinaryWriter, T) -> Void) {
        guard let v else { return u8(0) }
        u8(1)
        body(&self, v)
    }

    public mutating func array<T>(_ a: [T], _ body: (inout BinaryWriter, T) -> Void) {
        uvarint(UInt64(a.count))
        for e in a { body(&self, e) }
    }

    /// A dictionary, in key order (so equal dictionaries give equal bytes).
    public mutating func dictionary<V>(_ d: [String: V], _ body: (inout BinaryWriter, V) -> Void) {
        uvarint(UInt64(d.count))
        if d.count == 1, let (k, v) = d.first {
            string(k)
            body(&self, v)
            return
        }
        // String order: deterministic, and a plain byte comparison for ASCII keys (the UTF-8 order for composed ones).
        for (k, v) in d.sorted(by: { $0.key < $1.key }) {
            string(k)
            body(&self, v)
        }
    }

    public mutating func value<T: BinaryCodable>(_ v: T) { v.write(to: &self) }
}

/// Reads what `BinaryWriter` wrote. Every read checks the bytes left; malformed input throws `BinaryError`.
public struct BinaryReader {
    private let bytes: [UInt8]
    private var i = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { i == bytes.count }

    @inline(__always) public mutating func u8() throws(BinaryError) -> UInt8 {
        guard i < bytes.count else { throw BinaryError("truncated at byte \(i)") }
        defer { i += 1 }
        return bytes[i]
    }

    public mutating func bool() throws(BinaryError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        case let b: throw BinaryError("byte \(b) at \(i - 1) is not a boolean")
        }
    }

    public mutating func uvarint() throws(BinaryError) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try u8()
            guard shift < 64 else { throw BinaryError("varint too long at byte \(i)") }
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    public mutating func int() throws(BinaryError) -> Int {
        let u = try uvarint()
        return Int(truncatingIfNeeded: Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1))))
    }

    public mutating func double() throws(BinaryError) -> Double {
        guard bytes.count - i >= 8 else { throw BinaryError("truncated at byte \(i)") }
        var bits: UInt64 = 0
        for k in 0..<8 { bits |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
        i += 8
        return Double(bitPattern: bits)
    }

    /// A date within ±10,000 years of 2001 (the rest of the code formats dates as microseconds in an `Int64`).
    public mutating func date() throws(BinaryError) -> Date {
        let t = try double()
        guard t.isFinite, abs(t) < 3.2e11 else { throw BinaryError("date \(t) at byte \(i - 8) is out of range") }
        return Date(timeIntervalSinceReferenceDate: t)
    }

    /// A count of items still to come, each taking at least one byte: bounded by the bytes left.
    public mutating func count() throws(BinaryError) -> Int {
        let n = try uvarint()
        guard n <= UInt64(bytes.count - i) else { throw BinaryError("count \(n) at byte \(i) exceeds the bytes left") }
        return Int(n)
    }

    public mutating func string() throws(BinaryError) -> String {
        let n = try count()
        guard let s = bytes.withUnsafeBufferPointer({ String(validating: $0[i..<(i + n)], as: UTF8.self) }) else {
            throw BinaryError("string at byte \(i) is not valid UTF-8")
        }
        i += n
        return s
    }

    public mutating func raw<E: RawRepresentable>(_: E.Type) throws(BinaryError) -> E where E.RawValue == String {
        let s = try string()
        guard let e = E(rawValue: s) else { throw BinaryError("'\(s)' is not a \(E.self)") }
        return e
    }

    public mutating func optional<T>(_ body: (inout BinaryReader) throws -> T) throws -> T? {
        try bool() ? try body(&self) : nil
    }

    public mutating func array<T>(_ body: (inout BinaryReader) throws -> T) throws -> [T] {
        let n = try count()
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try body(&self)) }
        return out
    }

    public mutating func dictionary<V>(_ body: (inout BinaryReader) throws -> V) throws -> [String: V] {
        let n = try count()
        var out: [String: V] = [:]
        out.reserveCapacity(n)
        for _ in 0..<n {
            let k = try string()
            out[k] = try body(&self)
        }
        return out
    }

    public mutating func value<T: BinaryCodable>(_: T.Type = T.self) throws -> T { try T(from: &self) }
}

public struct BinaryError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ d: String) { description = "malformed binary read model: " + d }

    public static func unknownLayout(_ b: UInt8) -> BinaryError { BinaryError("unknown layout \(b)") }
    public static func unknownKind(_ b: UInt8) -> BinaryError { BinaryError("unknown kind \(b)") }
    public static let trailingBytes = BinaryError("bytes left over after the value")
}

/// A type with a hand-written binary form.
public protocol BinaryCodable {
    func write(to w: inout BinaryWriter)
    init(from r: inout BinaryReader) throws
}

// MARK: The domain's types

extension Policy: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.int(quorum); w.int(slaHours); w.bool(requireContext); w.bool(requireCampaignReview)
    }
    public init(from r: inout BinaryReader) throws {
        self.init()
        quorum = try r.int(); slaHours = try r.int(); requireContext = try r.bool(); requireCampaignReview = try r.bool()
    }
}

extension ActorInfo: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(id); w.string(name); w.array(roles) { $0.raw($1) }; w.bool(active)
    }
    public init(from r: inout BinaryReader) throws {
        self.init(id: try r.string(), name: try r.string(), roles: try r.array { try $0.raw(Role.self) }, active: try r.bool())
    }
}

extension LedgerState: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.bool(initialized); w.dictionary(actors) { $0.value($1) }; w.value(policy)
    }
    public init(from r: inout BinaryReader) throws {
        self.init()
        initialized = try r.bool(); actors = try r.dictionary { try $0.value() }; policy = try r.value()
    }
}

extension Criterion: BinaryCodable {
    public func write(to w: inout BinaryWriter) { w.string(field); w.string(op); w.array(values) { $0.string($1) } }
    public init(from r: inout BinaryReader) throws {
        self.init(field: try r.string(), op: try r.string(), values: try r.array { try $0.string() })
    }
}

extension Override: BinaryCodable {
    public func write(to w: inout BinaryWriter) { w.string(reason); w.string(rule) }
    public init(from r: inout BinaryReader) throws { self.init(reason: try r.string(), rule: try r.string()) }
}

extension Verdict: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(actor); w.date(at); w.optional(text) { $0.string($1) }; w.uvarint(position)
    }
    public init(from r: inout BinaryReader) throws {
        self.init(actor: try r.string(), at: try r.date(), text: try r.optional { try $0.string() }, position: try r.uvarint())
    }
}

extension DefinitionVersion: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.int(version); w.string(title); w.string(author); w.date(proposedAt)
        w.array(fit) { $0.value($1) }; w.array(engagement) { $0.value($1) }; w.optional(rationale) { $0.string($1) }
        w.array(signOffs) { $0.value($1) }; w.array(rejections) { $0.value($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(version: try r.int(), title: try r.string(), author: try r.string(), proposedAt: try r.date(),
                  fit: try r.array { try $0.value() }, engagement: try r.array { try $0.value() },
                  rationale: try r.optional { try $0.string() },
                  signOffs: try r.array { try $0.value() }, rejections: try r.array { try $0.value() })
    }
}

extension Activation: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.int(version); w.date(from); w.optional(until) { $0.date($1) }; w.optional(override) { $0.value($1) }
        w.int(signOffs); w.int(quorum); w.uvarint(position)
    }
    public init(from r: inout BinaryReader) throws {
        self.init(version: try r.int(), from: try r.date(), until: try r.optional { try $0.date() },
                  override: try r.optional { try $0.value() }, signOffs: try r.int(), quorum: try r.int(), position: try r.uvarint())
    }
}

extension DefinitionState: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(id); w.array(versions) { $0.value($1) }; w.optional(activeVersion) { $0.int($1) }
        w.array(activations) { $0.value($1) }; w.bool(retired)
    }
    public init(from r: inout BinaryReader) throws {
        self.init(id: try r.string())
        versions = try r.array { try $0.value() }
        activeVersion = try r.optional { try $0.int() }
        activations = try r.array { try $0.value() }
        retired = try r.bool()
    }
}

extension Brief: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.int(version); w.string(summary); w.array(talkingPoints) { $0.string($1) }; w.optional(offer) { $0.string($1) }; w.date(at)
    }
    public init(from r: inout BinaryReader) throws {
        self.init(version: try r.int(), summary: try r.string(), talkingPoints: try r.array { try $0.string() },
                  offer: try r.optional { try $0.string() }, at: try r.date())
    }
}

extension CampaignState: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(id); w.raw(status); w.int(revision); w.string(name)
        w.optional(audience) { $0.string($1) }; w.optional(offer) { $0.string($1) }; w.array(channels) { $0.string($1) }
        w.optional(launchDate) { $0.string($1) }; w.array(reviews) { $0.value($1) }
        w.optional(approvedRevision) { $0.int($1) }; w.array(briefs) { $0.value($1) }; w.optional(launchedAt) { $0.date($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(id: try r.string())
        status = try r.raw(Status.self); revision = try r.int(); name = try r.string()
        audience = try r.optional { try $0.string() }; offer = try r.optional { try $0.string() }
        channels = try r.array { try $0.string() }; launchDate = try r.optional { try $0.string() }
        reviews = try r.array { try $0.value() }; approvedRevision = try r.optional { try $0.int() }
        briefs = try r.array { try $0.value() }; launchedAt = try r.optional { try $0.date() }
    }
}

extension AttachedBrief: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.int(version); w.string(summary); w.array(talkingPoints) { $0.string($1) }; w.optional(offer) { $0.string($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(version: try r.int(), summary: try r.string(), talkingPoints: try r.array { try $0.string() },
                  offer: try r.optional { try $0.string() })
    }
}

extension Signal: BinaryCodable {
    public func write(to w: inout BinaryWriter) { w.string(name); w.date(at); w.optional(detail) { $0.string($1) } }
    public init(from r: inout BinaryReader) throws {
        self.init(name: try r.string(), at: try r.date(), detail: try r.optional { try $0.string() })
    }
}

extension LeadHandedOff: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(lead); w.string(definition); w.int(definitionVersion); w.optional(campaign) { $0.string($1) }
        w.optional(brief) { $0.value($1) }; w.optional(owner) { $0.string($1) }; w.dictionary(profile) { $0.string($1) }
        w.array(signals) { $0.value($1) }; w.optional(score) { $0.double($1) }; w.optional(note) { $0.string($1) }
        w.optional(override) { $0.value($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(lead: try r.string(), definition: try r.string(), definitionVersion: try r.int(),
                  campaign: try r.optional { try $0.string() }, brief: try r.optional { try $0.value() },
                  owner: try r.optional { try $0.string() }, profile: try r.dictionary { try $0.string() },
                  signals: try r.array { try $0.value() }, score: try r.optional { try $0.double() },
                  note: try r.optional { try $0.string() }, override: try r.optional { try $0.value() })
    }
}

extension LeadState: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(id); w.raw(status); w.optional(handoff) { $0.value($1) }; w.optional(handedOffAt) { $0.date($1) }
        w.optional(handedOffBy) { $0.string($1) }; w.optional(decidedAt) { $0.date($1) }; w.optional(rejection) { $0.raw($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(id: try r.string())
        status = try r.raw(Status.self); handoff = try r.optional { try $0.value() }
        handedOffAt = try r.optional { try $0.date() }; handedOffBy = try r.optional { try $0.string() }
        decidedAt = try r.optional { try $0.date() }; rejection = try r.optional { try $0.raw(RejectionReason.self) }
    }
}

extension ContentPlanned: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(asset); w.string(title); w.raw(stage); w.optional(persona) { $0.string($1) }; w.optional(fromRequest) { $0.string($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(asset: try r.string(), title: try r.string(), stage: try r.raw(Stage.self),
                  persona: try r.optional { try $0.string() }, fromRequest: try r.optional { try $0.string() })
    }
}

extension ContentRequested: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(request); w.string(what); w.optional(why) { $0.string($1) }; w.raw(stage); w.optional(lead) { $0.string($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(request: try r.string(), what: try r.string(), why: try r.optional { try $0.string() },
                  stage: try r.raw(Stage.self), lead: try r.optional { try $0.string() })
    }
}

extension ContentRequestTriaged: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(request); w.raw(outcome); w.optional(asset) { $0.string($1) }; w.optional(reason) { $0.string($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(request: try r.string(), outcome: try r.raw(TriageOutcome.self),
                  asset: try r.optional { try $0.string() }, reason: try r.optional { try $0.string() })
    }
}

extension ContentRequestFulfilled: BinaryCodable {
    public func write(to w: inout BinaryWriter) { w.string(request); w.optional(asset) { $0.string($1) } }
    public init(from r: inout BinaryReader) throws {
        self.init(request: try r.string(), asset: try r.optional { try $0.string() })
    }
}

extension ContentState: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.string(id); w.optional(asset) { $0.value($1) }; w.optional(request) { $0.value($1) }
        w.optional(requestedBy) { $0.string($1) }; w.optional(triage) { $0.value($1) }; w.optional(fulfilled) { $0.value($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(id: try r.string())
        asset = try r.optional { try $0.value() }; request = try r.optional { try $0.value() }
        requestedBy = try r.optional { try $0.string() }; triage = try r.optional { try $0.value() }
        fulfilled = try r.optional { try $0.value() }
    }
}
