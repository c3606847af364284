import Foundation

/// A committed event as read back from the log.
public struct RecordedEvent: Hashable, Sendable {
    /// Global position: 1, 2, 3, ... gapless, in commit order.
    public var position: UInt64
    /// Unique id.
    public var id: UUID
    /// The stream it belongs to.
    public var stream: String
    /// Version within the stream: 1, 2, 3, ... gapless.
    public var version: UInt64
    /// Event type name.
    public var type: String
    /// Schema version of the payload.
    public var schemaVersion: UInt16
    /// When the log stored it (the log's clock).
    public var recordedAt: Timestamp
    /// Business time given by the caller (defaults to `recordedAt`).
    public var occurredAt: Timestamp
    /// Who did it.
    public var actor: String
    /// The id tying it to others of the same request or process.
    public var correlationID: UUID?
    /// The id of what caused it.
    public var causationID: UUID?
    /// Canonical JSON bytes.
    public var payload: [UInt8]
    /// Room for a per-actor signature (empty for now).
    public var signature: [UInt8]
    /// hash(n) = SHA-256(hash(n-1) || canonical bytes of this record).
    public var hash: ChainHash

    /// An event with every field given (for decoders and tests).
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
