import EventLog
import Foundation

/// One `Environment` per path per process: LMDB breaks when a process opens the same file twice.
enum EnvironmentRegistry {
    nonisolated(unsafe) private static var open: [String: Weak] = [:]
    private static let lock = NSLock()

    private struct Weak { weak var env: Environment? }

    /// The environment of `path`: the one open in this process already (whatever its access), else a new one.
    static func environment(path: String, create: Bool, access: LedgerAccess = .readWrite) throws -> Environment {
        lock.lock()
        defer { lock.unlock() }
        let key = canonicalPath(path)
        if let env = open[key]?.env { return env }
        let env = try Environment(path: path, create: create, access: access)
        open[key] = Weak(env: env)
        return env
    }
}
