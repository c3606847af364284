import Foundation

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
