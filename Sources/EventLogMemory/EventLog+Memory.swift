import EventLog
import Foundation

extension EventLog {
    /// A new, empty ledger kept in memory: the same contract as one on disk, nothing durable. `name` is its `path`.
    public static func inMemory(name: String = "memory", clock: @escaping @Sendable () -> Timestamp = { .now }) -> EventLog {
        EventLog(store: MemoryStore(name: name, clock: clock))
    }
}
