import Foundation

// The rules every store applies to an append the same way: expected versions, idempotent retries, and the record
// (bytes and chain hash) an event becomes. A store supplies the lookups; these decide.

extension ExpectedVersion {
    /// Refuses an append to `stream`, whose last version is `current` (nil: the stream does not exist), unless
    /// the stream is where this expects it.
    package func check(stream: String, current: UInt64?) throws(EventLogError) {
        switch self {
        case .any: break
        case .noStream:
            if let c = current, c > 0 { throw .wrongExpectedVersion(stream: stream, expected: self, actual: c) }
        case .exact(let v):
            if (current ?? 0) != v || (current == nil && v != 0) {
                throw .wrongExpectedVersion(stream: stream, expected: self, actual: current)
            }
        }
    }
}

extension PreparedAppend {
    /// The answer to a request some of whose ids are stored already (`existing[i]`: the position of the i-th event's
    /// id, nil when not stored): the stored events when every id is stored with the same content (an idempotent
    /// retry), otherwise `partialDuplicate` or `idConflict`. `stored` reads the event at a position.
    package func duplicate(existing: [UInt64?], stored: (UInt64) throws -> RecordedEvent) throws -> AppendResult {
        var out: [RecordedEvent] = []
        var i = 0
        for s in streams {
            for e in s.events {
                defer { i += 1 }
                guard let pos = existing[i] else {
                    let first = existing.firstIndex { $0 != nil } ?? 0
                    let firstEvent = streams.flatMap(\.events)[first]
                    throw EventLogError.partialDuplicate(id: firstEvent.proposed.id, position: existing[first] ?? 0)
                }
                let stored = try stored(pos)
                let p = e.proposed
                let same = stored.stream == s.name && stored.type == p.type && stored.schemaVersion == p.schemaVersion
                    && stored.actor == p.actor && stored.payload == e.payload && stored.correlationID == p.correlationID
                    && stored.causationID == p.causationID && stored.signature == p.signature
                    && (p.occurredAt == nil || p.occurredAt == stored.occurredAt)
                if !same { throw EventLogError.idConflict(id: p.id, position: pos) }
                out.append(stored)
            }
        }
        return AppendResult(events: out, wasDuplicate: true)
    }
}

extension RecordCodec {
    /// The highest position a record can have (keys keep positions below 2^56).
    package static let maxPosition: UInt64 = (1 << 56) - 1

    /// The record `e` becomes at `position`, after the record whose chain hash is `previous`: its stored bytes (the
    /// body, then its chain hash) and the event as read back.
    package static func record(_ e: PreparedAppend.Event, stream name: String, version: UInt64, position: UInt64,
                               previous: ChainHash, now: Timestamp) throws(EventLogError) -> (bytes: [UInt8], event: RecordedEvent) {
        guard position <= maxPosition else { throw .storage("the log is full (2^56 - 1 events)") }
        let p = e.proposed
        let occurred = p.occurredAt ?? now
        var body = encodeBody(Fields(
            id: p.id, stream: e.stream, version: version, type: e.type, schemaVersion: p.schemaVersion,
            recordedAt: now.microseconds, occurredAt: occurred.microseconds, actor: e.actor,
            correlationID: p.correlationID, causationID: p.causationID, payload: e.payload, signature: p.signature))
        let bodyLen = body.count - hashSize
        let hash = body.withUnsafeBytes { chain(previous: previous, position: position, body: UnsafeRawBufferPointer(rebasing: $0[0..<bodyLen])) }
        hash.write(into: &body, at: bodyLen)
        let event = RecordedEvent(
            position: position, id: p.id, stream: name, version: version,
            type: p.type, schemaVersion: p.schemaVersion, recordedAt: now, occurredAt: occurred, actor: p.actor,
            correlationID: p.correlationID, causationID: p.causationID, payload: e.payload, signature: p.signature, hash: hash)
        return (body, event)
    }
}
