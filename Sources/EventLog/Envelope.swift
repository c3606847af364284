import Foundation
import ISOTime

/// A point in time with microsecond precision, as stored in the log (microseconds since the Unix epoch, UTC).
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }
    public init(_ date: Date) { self.microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

    /// The current wall-clock time.
    public static var now: Timestamp { Timestamp(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    /// ISO 8601 in UTC, with fractional seconds only when there are any (`2026-03-01T09:00:00Z`).
    public var iso8601: String { ISOTime.format(microseconds: microseconds) }
    public var description: String { iso8601 }

    /// Parses ISO 8601 date-times (`2026-03-01T09:00:00Z`, with offset or fractional seconds) and plain dates (`2026-03-01`, midnight UTC).
    public init?(iso8601 text: String) {
        guard let us = ISOTime.parse(text) else { return nil }
        self.init(microseconds: us)
    }
}

/// The expected version of a stream for an append.
public enum ExpectedVersion: Hashable, Sendable, CustomStringConvertible {
    /// Append whatever the stream's version.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream's current version must be exactly this (its last event's version).
    case exact(UInt64)

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .exact(let v): "version \(v)"
        }
    }
}

/// An event to append: everything but the position, stream version, recorded-at and hash, which the log assigns.
public struct ProposedEvent: Hashable, Sendable {
    /// Unique id; appending an id that is already stored with the same content is idempotent.
    public var id: UUID
    /// Event type name, e.g. `LeadHandedOff`.
    public var type: String
    /// Schema version of the payload for this type.
    public var schemaVersion: UInt16
    /// Business time; defaults to the recorded-at time.
    public var occurredAt: Timestamp?
    /// Who did it.
    public var actor: String
    public var correlationID: UUID?
    public var causationID: UUID?
    /// The payload as JSON; stored in canonical form.
    public var payload: [UInt8]
    /// Room for a per-actor signature (empty for now).
    public var signature: [UInt8]

    public init(
        id: UUID = UUID.v7(), type: String, schemaVersion: UInt16 = 1, occurredAt: Timestamp? = nil,
        actor: String, correlationID: UUID? = nil, causationID: UUID? = nil,
        payload: [UInt8], signature: [UInt8] = []
    ) {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.occurredAt = occurredAt
        self.actor = actor
        self.correlationID = correlationID
        self.causationID = causationID
        self.payload = payload
        self.signature = signature
    }
}

/// Events for one stream, appended with an expected version.
public struct StreamAppend: Hashable, Sendable {
    public var stream: String
    public var expected: ExpectedVersion
    public var events: [ProposedEvent]

    public init(stream: String, expected: ExpectedVersion = .any, events: [ProposedEvent]) {
        self.stream = stream
        self.expected = expected
        self.events = events
    }
}

/// A SHA-256 chain hash, stored inline without allocation.
public struct ChainHash: Hashable, Sendable, CustomStringConvertible {
    public var a: UInt64, b: UInt64, c: UInt64, d: UInt64

    /// The hash before the first record: 32 zero bytes.
    public static let genesis = ChainHash(a: 0, b: 0, c: 0, d: 0)

    init(a: UInt64, b: UInt64, c: UInt64, d: UInt64) { (self.a, self.b, self.c, self.d) = (a, b, c, d) }

    /// Reads 32 bytes (in order).
    init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= 32)
        a = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        b = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        c = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        d = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// Parses 64 hex digits.
    public init?(hex: String) {
        let u = Array(hex.utf8)
        guard u.count == 64 else { return nil }
        var words: [UInt64] = []
        for w in 0..<4 {
            var v: UInt64 = 0
            for j in 0..<16 {
                let c = u[w * 16 + j]
                let n: UInt8
                switch c {
                case 48...57: n = c - 48
                case 97...102: n = c - 87
                case 65...70: n = c - 55
                default: return nil
                }
                v = v << 4 | UInt64(n)
            }
            words.append(v)
        }
        self.init(a: words[0], b: words[1], c: words[2], d: words[3])
    }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        write(into: &out, at: 0)
        return out
    }

    func write(into buffer: inout [UInt8], at offset: Int) {
        for (i, w) in [a, b, c, d].enumerated() {
            var be = w.bigEndian
            withUnsafeBytes(of: &be) { src in
                for j in 0..<8 { buffer[offset + i * 8 + j] = src[j] }
            }
        }
    }

    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for w in [a, b, c, d] {
            for shift in stride(from: 60, through: 0, by: -4) { out.append(digits[Int((w >> UInt64(shift)) & 0xF)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }
}

/// Some fields of a stored record, read in place: valid only during the call that hands it out (see
/// `EventLog.replayViews`). For folds that need no more than this and want no copy of the payload.
public struct RecordView {
    public let position: UInt64
    public let schemaVersion: UInt16
    public let occurredAt: Timestamp
    /// UTF-8 bytes of the stream name, event type and actor.
    public let stream: UnsafeRawBufferPointer
    public let type: UnsafeRawBufferPointer
    public let actor: UnsafeRawBufferPointer
    /// The canonical JSON payload.
    public let payload: UnsafeRawBufferPointer
}

/// A committed event as read back from the log.
public struct RecordedEvent: Hashable, Sendable {
    /// Global position: 1, 2, 3, ... gapless, in commit order.
    public var position: UInt64
    public var id: UUID
    public var stream: String
    /// Version within the stream: 1, 2, 3, ... gapless.
    public var version: UInt64
    public var type: String
    public var schemaVersion: UInt16
    /// When the log stored it (the log's clock).
    public var recordedAt: Timestamp
    /// Business time given by the caller (defaults to `recordedAt`).
    public var occurredAt: Timestamp
    public var actor: String
    public var correlationID: UUID?
    public var causationID: UUID?
    /// Canonical JSON bytes.
    public var payload: [UInt8]
    public var signature: [UInt8]
    /// hash(n) = SHA-256(hash(n-1) || canonical bytes of this record).
    public var hash: ChainHash

    public init(
        position: UInt64, id: UUID, stream: String, version: UInt64, type: String, schemaVersion: UInt16,
        recordedAt: Timestamp, occurredAt: Timestamp, actor: String, correlationID: UUID?, causationID: UUID?,
        payload: [UInt8], signature: [UInt8], hash: ChainHash
    ) {
        self.position = position
        self.id = id
        self.stream = stream
        self.version = version
        self.type = type
        self.schemaVersion = schemaVersion
        self.recordedAt = recordedAt
        self.occurredAt = occurredAt
        self.actor = actor
        self.correlationID = correlationID
        self.causationID = causationID
        self.payload = payload
        self.signature = signature
        self.hash = hash
    }

    /// The payload as a string (it is UTF-8 JSON).
    public var payloadString: String { String(decoding: payload, as: UTF8.self) }
}

/// A checkpoint of the log: its head position and hash. Publish it elsewhere; `verify` proves the log still extends it.
public struct Checkpoint: Hashable, Sendable, CustomStringConvertible {
    public var position: UInt64
    public var hash: ChainHash

    public init(position: UInt64, hash: ChainHash) {
        self.position = position
        self.hash = hash
    }

    /// Parses `POSITION:HASH`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let p = UInt64(parts[0]), let h = ChainHash(hex: String(parts[1])) else { return nil }
        self.init(position: p, hash: h)
    }

    public var description: String { "\(position):\(hash.hex)" }
}

extension UUID {
    /// A time-ordered UUID (version 7): ids made in order land at the end of the id index.
    /// The 74 random bits come from a process-wide generator seeded once from the system (one system call per
    /// process instead of two per id).
    public static func v7(now: Date = Date()) -> UUID {
        let ms = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let (r1, r2) = IDRandom.shared.next2()
        var b = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { b[i] = UInt8((ms >> UInt64(8 * (5 - i))) & 0xFF) }
        b[6] = 0x70 | UInt8(r1 & 0x0F)
        b[7] = UInt8((r1 >> 8) & 0xFF)
        b[8] = 0x80 | UInt8((r2) & 0x3F)
        for i in 9..<16 { b[i] = UInt8((r2 >> UInt64(8 * (i - 8))) & 0xFF) }
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    var byteArray: [UInt8] {
        withUnsafeBytes(of: uuid) { Array($0) }
    }

    init(bytes p: UnsafeRawBufferPointer) {
        // Start from zeros, not `UUID().uuid`: that generated a random UUID (a getrandom call) per decoded event.
        var u: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &u) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: p[0..<16])) }
        self.init(uuid: u)
    }
}

/// SplitMix64 over a 64-bit state seeded from the system's generator; thread-safe.
final class IDRandom: @unchecked Sendable {
    static let shared = IDRandom()
    private let lock = NSLock()
    private var rng: SplitMix64

    private init() {
        var g = SystemRandomNumberGenerator()
        rng = SplitMix64(seed: g.next())
    }

    func next2() -> (UInt64, UInt64) {
        lock.lock()
        defer { lock.unlock() }
        return (rng.next(), rng.next())
    }
}

/// Records' stored bytes copied out of a transaction into one buffer: decoding them (`events()`) can then happen
/// on another thread.
public struct StoredRecords: Sendable {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    public private(set) var positions: [UInt64] = []

    public init() {}

    public var count: Int { positions.count }
    public var isEmpty: Bool { positions.isEmpty }

    mutating func append(position: UInt64, _ record: UnsafeRawBufferPointer) {
        if bytes.isEmpty { bytes.reserveCapacity(record.count * 4096) }
        bytes.append(contentsOf: record)
        ends.append(bytes.count)
        positions.append(position)
    }

    /// The decoded envelopes; a malformed record throws `EventLogError.corrupt` naming its position.
    public func events() throws -> [RecordedEvent] {
        try bytes.withUnsafeBytes { b in
            var out: [RecordedEvent] = []
            out.reserveCapacity(count)
            var start = 0
            for (i, end) in ends.enumerated() {
                out.append(try RecordCodec.decodeStored(position: positions[i], UnsafeRawBufferPointer(rebasing: b[start..<end])))
                start = end
            }
            return out
        }
    }
}
