import Foundation

/// An append whose names were checked and whose payloads were canonicalised, off the writer thread.
public struct PreparedAppend: Sendable {
    /// One event, its names as UTF-8 bytes and its payload in canonical form.
    package struct Event: Sendable {
        package var proposed: ProposedEvent
        package var stream: [UInt8]
        package var type: [UInt8]
        package var actor: [UInt8]
        package var payload: [UInt8]  // canonical
    }
    /// The events for one stream and the version it is expected at.
    package struct Stream: Sendable {
        package var name: String
        /// The name's bytes (streams are told apart by their bytes).
        package var key: StreamKey
        package var expected: ExpectedVersion
        package var events: [Event]
    }
    package var streams: [Stream]
    package var count: Int

    /// Checks the names and limits of `appends` and canonicalises their payloads; refuses them with `invalidInput`.
    public init(_ appends: [StreamAppend]) throws(EventLogError) {
        var total = 0
        var streams: [Stream] = []
        streams.reserveCapacity(appends.count)
        for a in appends {
            try Limits.checkStream(a.stream)
            let name = Array(a.stream.utf8)
            var events: [Event] = []
            events.reserveCapacity(a.events.count)
            for e in a.events {
                try Limits.checkType(e.type)
                try Limits.checkActor(e.actor)
                if e.payload.count > Limits.maxPayloadBytes {
                    throw .invalidInput("payload of \(e.payload.count) bytes for a \(e.type) event is over the limit of \(Limits.maxPayloadBytes) bytes")
                }
                if e.signature.count > Limits.maxSignatureBytes {
                    throw .invalidInput("signature of \(e.signature.count) bytes is over the limit of \(Limits.maxSignatureBytes) bytes")
                }
                let canonical: [UInt8]
                if CanonicalJSON.isCanonicalFast(e.payload) {
                    canonical = e.payload  // already canonical: shared, not copied
                } else {
                    do { canonical = try CanonicalJSON.canonicalize(e.payload) } catch {
                        throw .invalidInput("payload of a \(e.type) event is not valid JSON: \(error)")
                    }
                }
                events.append(Event(proposed: e, stream: name, type: Array(e.type.utf8), actor: Array(e.actor.utf8), payload: canonical))
            }
            total += events.count
            streams.append(Stream(name: a.stream, key: StreamKey(bytes: name), expected: a.expected, events: events))
        }
        if total == 0 { throw .invalidInput("an append needs at least one event") }
        if total > 1 {
            var seen = Set<UUID>(minimumCapacity: total)
            for s in streams { for e in s.events where !seen.insert(e.proposed.id).inserted {
                throw .invalidInput("event id \(e.proposed.id.uuidString.lowercased()) appears twice in one append")
            } }
        }
        if total > Limits.maxEventsPerAppend {
            throw .invalidInput("an append of \(total) events is over the limit of \(Limits.maxEventsPerAppend); split it")
        }
        self.streams = streams
        self.count = total
    }
}
