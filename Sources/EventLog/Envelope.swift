import Foundation

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
    public var iso8601: String { ISO8601.format(self) }
    public var description: String { iso8601 }

    /// Parses ISO 8601 date-times (`2026-03-01T09:00:00Z`, with offset or fractional seconds) and plain dates (`2026-03-01`, midnight UTC).
    public init?(iso8601 text: String) {
        guard let t = ISO8601.parse(text) else { return nil }
        self = t
    }
}

enum ISO8601 {
    static func format(_ t: Timestamp) -> String {
        var seconds = t.microseconds / 1_000_000
        var micros = t.microseconds % 1_000_000
        if micros < 0 { micros += 1_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var rem = seconds % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, d) = civil(fromDays: days)
        let hh = rem / 3600, mm = (rem % 3600) / 60, ss = rem % 60
        var s = String(format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", y, m, d, hh, mm, ss)
        if micros != 0 {
            var frac = String(format: "%06lld", micros)
            while frac.hasSuffix("0") { frac.removeLast() }
            s += "." + frac
        }
        return s + "Z"
    }

    // Howard Hinnant's days-from-civil algorithms.
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func parse(_ text: String) -> Timestamp? {
        let b = Array(text.utf8)
        var i = 0
        func num(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for j in i..<(i + n) {
                let c = b[j]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let y = num(4), expect(45), let mo = num(2), expect(45), let d = num(2) else { return nil }
        guard (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var secs = days(fromCivil: y, mo, d) * 86_400
        var micros: Int64 = 0
        if i == b.count { return Timestamp(microseconds: secs * 1_000_000) }
        guard expect(84) || expect(116) || expect(32) else { return nil }  // T, t or space
        guard let hh = num(2), expect(58), let mm = num(2) else { return nil }
        var ss: Int64 = 0
        if expect(58) { guard let s = num(2) else { return nil }; ss = s }
        guard hh < 24, mm < 60, ss < 61 else { return nil }
        secs += hh * 3600 + mm * 60 + ss
        if expect(46) || expect(44) {
            var digits = 0
            var frac: Int64 = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 6 { frac = frac * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 6)..<6 { frac *= 10 }
            micros = frac
        }
        if expect(90) || expect(122) {
            // UTC
        } else if i < b.count, b[i] == 43 || b[i] == 45 {
            let sign: Int64 = b[i] == 43 ? 1 : -1
            i += 1
            guard let oh = num(2) else { return nil }
            _ = expect(58)
            guard let om = num(2), oh < 24, om < 60 else { return nil }
            secs -= sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        return Timestamp(microseconds: secs * 1_000_000 + micros)
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
    public static func v7(now: Date = Date()) -> UUID {
        let ms = UInt64(now.timeIntervalSince1970 * 1000)
        var rng = SystemRandomNumberGenerator()
        let r1: UInt64 = rng.next()
        let r2: UInt64 = rng.next()
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
