/// Events for one stream, appended with an expected version.
public struct StreamAppend: Hashable, Sendable {
    /// The stream name.
    public var stream: String
    /// Where the stream must be for the append to go ahead.
    public var expected: ExpectedVersion
    /// The events, in order.
    public var events: [ProposedEvent]

    /// Events for `stream`, expected at `expected`.
    public init(stream: String, expected: ExpectedVersion = .any, events: [ProposedEvent]) {
        self.stream = stream
        self.expected = expected
        self.events = events
    }
}
