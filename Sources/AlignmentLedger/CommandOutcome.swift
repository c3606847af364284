import AlignmentDomain
import EventLog

/// What a command did: the events the rules decided, as recorded in the log, and the head after them.
public struct CommandOutcome: Sendable {
    /// The command.
    public var command: Command
    /// The decided events, in order (empty when the command changed nothing).
    public var decided: [DomainEvent]
    /// The same events as the log recorded them, with positions and hashes.
    public var recorded: [RecordedEvent]
    /// The log's head once they were appended (the commit is still to come when this is built).
    public var head: Checkpoint
}
