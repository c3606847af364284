import AlignmentDomain
import EventLog
import Foundation

/// A record's signature field, and the bytes it signs (documented in docs/FORMAT.md, "Signatures").
///
/// The field (74 bytes): scheme (1 = Ed25519), flags (bit 0: imported, signed by a revops member for the event's
/// actor), the signing key's id (8 bytes), the Ed25519 signature (64 bytes). The event log stores the field as opaque
/// bytes inside the record, so the hash chain covers it.
///
/// The signed message is domain-separated (`align-event/v2`) and binds the ledger, the event's position and the chain
/// hash just before it, the event id, its stream, type, schema version, business time, actor, the key id and flags,
/// correlation and causation ids and the payload, each length-prefixed: a signature cannot be replayed into another
/// ledger, stream, event or place, nor moved to another time; and rewriting anything below a signed event (inserting,
/// deleting, reordering or replacing records) breaks that event's signature, so it needs its signer's key.
public struct EventSignature: Equatable, Sendable {
    public static let scheme: UInt8 = 1
    public static let size = 74

    /// The signing key's id (16 hex digits).
    public var keyID: String
    /// Signed by a revops member for the event's actor (an import), not by the actor.
    public var imported: Bool
    /// 64 bytes.
    public var signature: [UInt8]

    public init(keyID: String, imported: Bool, signature: [UInt8]) {
        self.keyID = keyID
        self.imported = imported
        self.signature = signature
    }

    /// Reads a record's signature field; nil when it is not one this build knows (wrong size, scheme or flags).
    public init?(field: [UInt8]) {
        guard field.count == EventSignature.size, field[0] == EventSignature.scheme, field[1] & ~1 == 0 else { return nil }
        imported = field[1] & 1 == 1
        keyID = EventSignature.hex(field[2..<10])
        signature = Array(field[10...])
    }

    /// Lowercase hex of `bytes`, written digit by digit (`String(_:radix:)` and `joined` per byte cost 8% of a
    /// rebuild, which reads every record's field: perf, 2026-12-07).
    static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The record's signature field.
    public var field: [UInt8] {
        [EventSignature.scheme, imported ? 1 : 0] + EventSignature.keyIDBytes(keyID) + signature
    }

    static func keyIDBytes(_ id: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = id.startIndex
        while out.count < 8, i < id.endIndex, let j = id.index(i, offsetBy: 2, limitedBy: id.endIndex) {
            out.append(UInt8(id[i..<j], radix: 16) ?? 0)
            i = j
        }
        return out + [UInt8](repeating: 0, count: 8 - out.count)
    }

    /// The bytes an event's signature signs.
    public static func message(ledgerID: UUID, position: UInt64, previous: ChainHash, id: UUID, stream: String, type: String,
                               schemaVersion: UInt16, occurredAt: Timestamp, actor: String, keyID: String, imported: Bool,
                               correlationID: UUID?, causationID: UUID?, payload: [UInt8]) -> [UInt8] {
        var m: [UInt8] = []
        m.reserveCapacity(200 + stream.utf8.count + type.utf8.count + actor.utf8.count + payload.count)
        m += Array("align-event/v2".utf8) + [0]
        func uuid(_ u: UUID?) { withUnsafeBytes(of: (u ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))).uuid) { m += $0 } }
        func u16(_ v: Int) { m += [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
        func text(_ s: String) { u16(s.utf8.count); m += Array(s.utf8) }
        uuid(ledgerID)
        withUnsafeBytes(of: position.bigEndian) { m += $0 }
        for word in [previous.a, previous.b, previous.c, previous.d] { withUnsafeBytes(of: word.bigEndian) { m += $0 } }
        uuid(id)
        text(stream)
        text(type)
        u16(Int(schemaVersion))
        withUnsafeBytes(of: occurredAt.microseconds.bigEndian) { m += $0 }
        text(actor)
        m += keyIDBytes(keyID)
        m.append(imported ? 1 : 0)
        uuid(correlationID)
        uuid(causationID)
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: payload.count).bigEndian) { m += $0 }
        m += payload
        return m
    }

    /// The bytes a stored event's signature signs; `previous` is the chain hash of the record before it.
    public static func message(ledgerID: UUID, _ e: RecordedEvent, previous: ChainHash, keyID: String, imported: Bool) -> [UInt8] {
        message(ledgerID: ledgerID, position: e.position, previous: previous, id: e.id, stream: e.stream, type: e.type,
                schemaVersion: e.schemaVersion, occurredAt: e.occurredAt, actor: e.actor, keyID: keyID, imported: imported,
                correlationID: e.correlationID, causationID: e.causationID, payload: e.payload)
    }
}

extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
