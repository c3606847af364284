/// Events for one stream, appended with an expected version.
public struct StreamAppend: Hashable, Sendable {
    public var stream: String
    public var expected: ExpectedVersion
    public var events: [ProposedEvent]

    public init(stream: String, expected: ExpectedVersion = .any, events: [ProposedEvent]) {
        self.stream = stream
        self.expected = expected
        self.events = events
    }
}
