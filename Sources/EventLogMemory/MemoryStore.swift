import EventLog
import Foundation

/// A store that keeps the ledger in memory: the same records (the same bytes and chain) as on disk, gone when the
/// last reference to the log goes. For tests, tools and the contract suite; nothing is durable.
///
/// One lock serialises transactions and reads; a transaction's writes are undone if its body throws.
final class MemoryStore: EventStore, @unchecked Sendable {
    let location: String
    let ledgerID: UUID
    private let clock: @Sendable () -> Timestamp
    /// Guards `state`. Recursive: nothing calls back in, but a transaction body may read through the log's facade.
    private let lock = NSRecursiveLock()
    private let state = MemoryState()

    init(name: String, clock: @escaping @Sendable () -> Timestamp) {
        self.location = name
        self.ledgerID = UUID()
        self.clock = clock
    }

    private func locked<T>(_ body: (MemoryState) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(state)
    }

    // MARK: Writing

    func append(_ request: PreparedAppend) throws -> AppendResult {
        try write { tx in try tx.append(request) }
    }

    func append(_ request: PreparedAppend) async throws -> AppendResult {
        try write { tx in try tx.append(request) }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (LogTransaction) throws -> T) throws -> T {
        try write { tx in try body(LogTransaction(tx)) }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (LogTransaction) throws -> T) async throws -> T {
        try write { tx in try body(LogTransaction(tx)) }
    }

    /// Runs `body` in a transaction that is undone if it throws.
    private func write<T>(_ body: (MemoryTransaction) throws -> T) throws -> T {
        try locked { s in
            let tx = MemoryTransaction(state: s, now: clock())
            do { return try body(tx) } catch {
                tx.undo()
                throw error
            }
        }
    }

    /// Nothing is deferred: every index entry is written with its record.
    func indexTail() throws {}

    func indexedPosition() throws -> UInt64 { locked { UInt64($0.records.count) } }

    // MARK: Reading

    func head() throws -> Checkpoint { locked { $0.head } }

    func read(from position: UInt64, limit: Int) throws -> [RecordedEvent] {
        try locked { s in
            var out: [RecordedEvent] = []
            var pos = max(position, 1)
            while pos <= UInt64(s.records.count), out.count < limit {
                out.append(try s.event(at: pos))
                pos += 1
            }
            return out
        }
    }

    func read(stream: String, from version: UInt64, limit: Int) throws -> [RecordedEvent] {
        try locked { s in
            let from = max(version, 1)
            guard let positions = s.streams[StreamKey(stream)], from <= UInt64(positions.count) else { return [] }
            return try positions[Int(from - 1)...].prefix(limit).map { try s.event(at: $0) }
        }
    }

    func event(id: UUID) throws -> RecordedEvent? {
        try locked { s in try s.ids[id].map { try s.event(at: $0) } }
    }

    func version(of stream: String) throws -> UInt64? {
        locked { s in s.streams[StreamKey(stream)].map { UInt64($0.count) } }
    }

    func replayRaw(from: UInt64, through to: UInt64, chunk: Int, releasingPagesEvery release: Int?,
                   _ body: (UInt64, UnsafeRawBufferPointer) throws -> Void) throws {
        // In chunks, copying the chunk out, so that `body` runs without the lock (it may append).
        var next = max(from, 1)
        while next <= to {
            let batch: [(UInt64, [UInt8])] = locked { s in
                var out: [(UInt64, [UInt8])] = []
                var pos = next
                while pos <= UInt64(s.records.count), pos <= to, out.count < chunk {
                    out.append((pos, s.records[Int(pos - 1)]))
                    pos += 1
                }
                return out
            }
            guard let last = batch.last else { return }
            for (pos, bytes) in batch { try bytes.withUnsafeBytes { try body(pos, $0) } }
            next = last.0 + 1
        }
    }

    func treeSize() throws -> UInt64 { locked { $0.head.position } }

    func treeHashes(_ indexes: [UInt64]) throws -> [ChainHash] { try locked { try $0.treeHashes(indexes) } }

    func storedRecord(at position: UInt64) throws -> (bytes: [UInt8], previous: ChainHash)? {
        locked { s in
            guard position > 0, position <= UInt64(s.records.count) else { return nil }
            let previous = position == 1 ? ChainHash.genesis
                : s.records[Int(position - 2)].withUnsafeBytes { ChainHash(bytes: UnsafeRawBufferPointer(rebasing: $0[($0.count - 32)...])) }
            return (s.records[Int(position - 1)], previous)
        }
    }

    func latestTreeHead() throws -> StoredTreeHead? { locked { $0.treeHeads.last } }

    func treeHead(size: UInt64) throws -> StoredTreeHead? { locked { s in s.treeHeads.first { $0.size == size } } }

    func stats() throws -> Stats {
        locked { s in
            Stats(events: UInt64(s.records.count), streams: UInt64(s.streams.count),
                  sizeOnDisk: Int64(s.records.reduce(0) { $0 + $1.count }), head: s.head, ledgerID: ledgerID,
                  formatVersion: EventLog.formatVersion)
        }
    }

    func verify(checkpoint: Checkpoint?, progress: ((UInt64, UInt64) -> Void)?) throws -> VerifyReport {
        try locked { s in try s.verify(checkpoint: checkpoint, progress: progress) }
    }

    /// Changes the state directly, as damage done by other means would (for tests of `verify`).
    func tamper(_ body: (MemoryState) throws -> Void) rethrows {
        try locked(body)
    }

    // MARK: Side tables

    func prepareSideTables(_ names: [String]) throws {
        locked { s in for name in names where s.tables[name] == nil { s.tables[name] = [:] } }
    }

    func sideTableValue(_ table: String, _ key: [UInt8]) throws -> [UInt8]? {
        locked { s in
            if s.tables[table] == nil { s.tables[table] = [:] }
            return s.tables[table]?[key]
        }
    }

    func sideTableScan(_ table: String, prefix: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        let rows: [([UInt8], [UInt8])] = locked { s in
            if s.tables[table] == nil { s.tables[table] = [:] }
            return (s.tables[table] ?? [:]).filter { $0.key.starts(with: prefix) }
                .sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { ($0.key, $0.value) }
        }
        for (k, v) in rows where try !body(k, v) { return }
    }
}

extension MemoryStore {
    /// Every entry is found by its key: memory has no search tree to damage.
    func firstUnreachable() throws -> (table: String, key: [UInt8])? { nil }

    /// The side tables as they are now (copied under the lock, so later commits do not change the snapshot).
    func readSideTables<T>(_ body: (any SideTableReader) throws -> T) throws -> T {
        try body(MemorySideTables(tables: locked { $0.tables }))
    }
}

/// A copy of the in-memory side tables; every entry is reachable (there is no B-tree to damage).
struct MemorySideTables: SideTableReader {
    let tables: [String: [[UInt8]: [UInt8]]]

    func value(_ table: String, _ key: [UInt8]) throws -> [UInt8]? { tables[table]?[key] }

    func walk(_ table: String, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, Bool) throws -> Bool) throws {
        for (k, v) in (tables[table] ?? [:]).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let go = try k.withUnsafeBytes { kb in try v.withUnsafeBytes { vb in try body(kb, vb, true) } }
            if !go { return }
        }
    }
}
