import EventLog
import Foundation
import ISOTime
import JSONCore

/// An event's full envelope as JSON (the export and `log --json` format, valid against
/// `schemas/envelope.schema.json`): keys sorted, the payload embedded as the object it is.
public struct EventEnvelope: Encodable, Sendable {
    let value: JSONValue

    /// The envelope of `e`.
    public init(_ e: RecordedEvent) {
        func uuid(_ u: UUID?) -> JSONValue { u.map { .string($0.uuidString.lowercased()) } ?? .null }
        value = .object([
            "actor": .string(e.actor), "causationId": uuid(e.causationID), "correlationId": uuid(e.correlationID),
            "hash": .string(e.hash.hex), "id": uuid(e.id), "occurredAt": .string(e.occurredAt.iso8601),
            "payload": (try? JSONValue.parse(e.payload)) ?? .null, "position": .number(Double(e.position)),
            "recordedAt": .string(e.recordedAt.iso8601), "schemaVersion": .number(Double(e.schemaVersion)),
            "stream": .string(e.stream), "type": .string(e.type), "version": .number(Double(e.version)),
        ])
    }

    /// Encodes the envelope object.
    public func encode(to encoder: Encoder) throws { try value.encode(to: encoder) }

    /// Appends the envelope of `e` as one line of JSON, the same bytes as `LedgerJSON.encode(EventEnvelope(e))`
    /// written straight from the record (the payload is stored canonical): export and `log` stream millions.
    public static func appendLine(_ e: RecordedEvent, to out: inout [UInt8]) {
        func raw(_ s: StaticString) { s.withUTF8Buffer { out.append(contentsOf: $0) } }
        func string(_ s: String) { JSONWriter.appendString(s, to: &out) }
        func uuid(_ u: UUID?) {
            // Hex digits straight from the bytes: `uuidString` formats with printf, a third of an export's time.
            guard let u else { raw("null"); return }
            out.append(34)
            withUnsafeBytes(of: u.uuid) { b in
                for (i, byte) in b.enumerated() {
                    if i == 4 || i == 6 || i == 8 || i == 10 { out.append(45) }
                    let (hi, lo) = (byte >> 4, byte & 0xF)
                    out.append(hi < 10 ? 48 + hi : 87 + hi)
                    out.append(lo < 10 ? 48 + lo : 87 + lo)
                }
            }
            out.append(34)
        }
        func time(_ t: Timestamp) { out.append(34); ISOTime.append(microseconds: t.microseconds, to: &out); out.append(34) }
        func number(_ n: UInt64) { out.append(contentsOf: String(n).utf8) }
        raw("{\"actor\":"); string(e.actor)
        raw(",\"causationId\":"); uuid(e.causationID)
        raw(",\"correlationId\":"); uuid(e.correlationID)
        raw(",\"hash\":\""); e.hash.appendHex(to: &out)
        raw("\",\"id\":"); uuid(e.id)
        raw(",\"occurredAt\":"); time(e.occurredAt)
        raw(",\"payload\":"); out.append(contentsOf: e.payload)
        raw(",\"position\":"); number(e.position)
        raw(",\"recordedAt\":"); time(e.recordedAt)
        raw(",\"schemaVersion\":"); number(UInt64(e.schemaVersion))
        raw(",\"stream\":"); string(e.stream)
        raw(",\"type\":"); string(e.type)
        raw(",\"version\":"); number(e.version)
        raw("}\n")
    }
}
