/// Some fields of a stored record, read in place: valid only during the call that hands it out (see
/// `EventLog.replayViews`). For folds that need no more than this and want no copy of the payload.
public struct RecordView {
    /// Global position.
    public let position: UInt64
    /// Schema version of the payload.
    public let schemaVersion: UInt16
    /// Business time.
    public let occurredAt: Timestamp
    /// When the log recorded it.
    public let recordedAt: Timestamp
    /// UTF-8 bytes of the stream name, event type and actor.
    public let stream: UnsafeRawBufferPointer
    /// UTF-8 bytes of the event type.
    public let type: UnsafeRawBufferPointer
    /// UTF-8 bytes of the actor.
    public let actor: UnsafeRawBufferPointer
    /// The canonical JSON payload.
    public let payload: UnsafeRawBufferPointer
}
