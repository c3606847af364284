import EventLog
import Foundation

/// The logs open in this process, by resolved path: one per path, as LMDB requires.
enum LogRegistry {
    struct Weak { weak var log: EventLog? }
    nonisolated(unsafe) private static var logs: [String: Weak] = [:]
    private static let lock = NSLock()

    static func withLock<T>(_ body: (inout [String: Weak]) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&logs)
    }

    static func key(_ path: String) -> String { canonicalPath(path) }
}
