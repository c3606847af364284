/// The result of an append.
public struct AppendResult: Sendable {
    /// The events as stored, in position order.
    public var events: [RecordedEvent]
    /// True when every event was already stored (an idempotent retry): nothing was written.
    public var wasDuplicate: Bool
    /// Position of the first event.
    public var firstPosition: UInt64? { events.first?.position }
    /// Position of the last event.
    public var lastPosition: UInt64? { events.last?.position }

    /// A result (for stores).
    package init(events: [RecordedEvent], wasDuplicate: Bool) {
        self.events = events
        self.wasDuplicate = wasDuplicate
    }
}
