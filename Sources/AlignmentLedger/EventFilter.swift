import Foundation

/// Which events an export reads: by type, stream, business time and position (all optional).
public struct EventFilter: Sendable {
    /// Only these event types (empty: all).
    public var types: Set<String> = []
    /// Only this stream.
    public var stream: String?
    /// From this business time.
    public var since: Date?
    /// Before this business time.
    public var until: Date?
    /// From this position.
    public var from: UInt64?
    /// Through this position.
    public var to: UInt64?

    /// A filter that lets every event through.
    public init() {}

    /// Whether `e` passes the type and time filters (positions and stream are chosen by the read).
    func admits(_ e: RecordedEvent) -> Bool {
        if !types.isEmpty && !types.contains(e.type) { return false }
        if let since, e.occurredAt.date < since { return false }
        if let until, e.occurredAt.date >= until { return false }
        return true
    }
}
