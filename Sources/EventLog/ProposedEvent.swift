import Foundation

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
    /// The id that ties this event to others of the same request or process.
    public var correlationID: UUID?
    /// The id of the event or command that caused this one.
    public var causationID: UUID?
    /// The payload as JSON; stored in canonical form.
    public var payload: [UInt8]
    /// Room for a per-actor signature (empty for now).
    public var signature: [UInt8]

    /// An event to append; the id defaults to a new time-ordered one.
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
