// The stores the contract suites run against, and fresh ledgers of each kind.
import Foundation
import Testing
@testable import EventLog
@testable import EventLogLMDB
import EventLogMemory

/// The stores the contract suite runs against.
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case lmdb, memory
    var description: String { rawValue }

    /// A fresh ledger of this kind (an LMDB one in `dir`, which must not exist yet).
    func makeLog(in dir: TempDir) throws -> EventLog {
        switch self {
        case .lmdb: try EventLog.create(at: dir.path)
        case .memory: EventLog.inMemory(name: dir.path)
        }
    }
}

/// A fresh ledger (in its own temporary directory, on disk) handed to `body` and removed afterwards.
func withLedger<T>(_ backend: Backend = .lmdb, _ body: (EventLog, TempDir) throws -> T) throws -> T {
    try withTempDir { dir throws in
        let log = try backend.makeLog(in: dir)
        return try body(log, dir)
    }
}

func withLedgerAsync<T>(_ backend: Backend = .lmdb, _ body: (EventLog, TempDir) async throws -> T) async throws -> T {
    try await withTempDirAsync { dir in
        let log = try backend.makeLog(in: dir)
        return try await body(log, dir)
    }
}
