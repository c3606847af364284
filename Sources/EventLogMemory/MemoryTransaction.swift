import EventLog
import Foundation

/// A write transaction of a memory store: changes the state in place and keeps what it needs to undo them.
final class MemoryTransaction: StoreTransaction {
    private let state: MemoryState
    let now: Timestamp
    let committedHead: UInt64
    private var undoLog: [() -> Void] = []

    init(state: MemoryState, now: Timestamp) {
        self.state = state
        self.now = now
        self.committedHead = state.head.position
    }

    var head: Checkpoint { state.head }

    /// Puts the state back as it was before this transaction.
    func undo() {
        for step in undoLog.reversed() { step() }
        undoLog.removeAll()
    }

    func version(of stream: String) throws -> UInt64? {
        state.streams[StreamKey(stream)].map { UInt64($0.count) }
    }

    /// Nothing is deferred.
    func requestIndex() {}

    func append(_ req: PreparedAppend) throws -> AppendResult {
        let existing = req.streams.flatMap { s in s.events.map { state.ids[$0.proposed.id] } }
        if existing.contains(where: { $0 != nil }) {
            return try req.duplicate(existing: existing) { try state.event(at: $0) }
        }
        // Every check before any write, as the LMDB store does.
        var seen: [StreamKey: UInt64] = [:]  // a stream named twice in one request sees its first part
        var starts: [UInt64] = []
        for s in req.streams {
            let current = seen[s.key] ?? state.streams[s.key].map { UInt64($0.count) }
            try s.expected.check(stream: s.name, current: current)
            starts.append(current ?? 0)
            seen[s.key] = (current ?? 0) + UInt64(s.events.count)
        }
        let saved = (head: state.head, count: state.records.count, tree: state.tree.count)
        undoLog.append { [state] in
            state.records.removeSubrange(saved.count...)
            state.tree.removeSubrange(saved.tree...)
            state.head = saved.head
        }
        var out: [RecordedEvent] = []
        out.reserveCapacity(req.count)
        for (s, start) in zip(req.streams, starts) {
            var version = start
            for e in s.events {
                version += 1
                let position = state.head.position + 1
                let (bytes, event) = try RecordCodec.record(e, stream: s.name, version: version, position: position,
                                                            previous: state.head.hash, now: now)
                state.records.append(bytes)
                try state.addLeaf(position: position)
                state.head = Checkpoint(position: position, hash: event.hash)
                state.ids[e.proposed.id] = position
                state.streams[s.key, default: []].append(position)
                let (id, key) = (e.proposed.id, s.key)
                undoLog.append { [state] in
                    state.ids[id] = nil
                    state.streams[key]?.removeLast()
                    if state.streams[key]?.isEmpty == true { state.streams[key] = nil }
                }
                out.append(event)
            }
        }
        return AppendResult(events: out, wasDuplicate: false)
    }

    // MARK: Side tables

    private func table(_ name: String) throws -> [[UInt8]: [UInt8]] {
        guard let t = state.tables[name] else {
            throw EventLogError.invalidInput("side table '\(name)' was not prepared; call EventLog.prepareSideTables before writing to it")
        }
        return t
    }

    func get(_ table: String, _ key: [UInt8]) throws -> [UInt8]? { try self.table(table)[key] }

    func put(_ table: String, _ key: [UInt8], _ value: [UInt8]) throws {
        let old = try self.table(table)[key]
        undoLog.append { [state] in state.tables[table]?[key] = old }
        state.tables[table]?[key] = value
    }

    func putSorted(_ table: String, _ rows: [(key: [UInt8], value: [UInt8])]) throws {
        for row in rows { try put(table, row.key, row.value) }
    }

    func delete(_ table: String, _ key: [UInt8]) throws {
        let old = try self.table(table)[key]
        undoLog.append { [state] in state.tables[table]?[key] = old }
        state.tables[table]?[key] = nil
    }

    func clear(_ table: String) throws {
        let old = try self.table(table)
        undoLog.append { [state] in state.tables[table] = old }
        state.tables[table] = [:]
    }

    func treeRoot(size: UInt64) throws -> ChainHash {
        guard size <= state.head.position else { throw MerkleError.treeTooSmall(asked: size, size: state.head.position) }
        return try Merkle.root(size: size) { try state.treeHashes($0) }
    }

    func keepTreeHead(_ new: StoredTreeHead) throws {
        guard new.size <= state.head.position, try treeRoot(size: new.size) == new.root else {
            throw EventLogError.inconsistentTreeHead("its root is not this log's root at size \(new.size)")
        }
        if let last = state.treeHeads.last {
            guard last.size <= new.size else {
                throw EventLogError.inconsistentTreeHead("a head of size \(last.size) was already signed, larger than \(new.size)")
            }
            guard try treeRoot(size: last.size) == last.root else {
                throw EventLogError.inconsistentTreeHead("the head signed at size \(last.size) is no longer this log's root at that size")
            }
            if last.size == new.size { return }
        }
        state.treeHeads.append(new)
        undoLog.append { [state] in state.treeHeads.removeLast() }
    }

    func readStored(from position: UInt64, limit: Int) throws -> StoredRecords {
        var out = StoredRecords()
        var pos = max(position, 1)
        while out.count < limit, pos <= UInt64(state.records.count) {
            state.records[Int(pos - 1)].withUnsafeBytes { out.append(position: pos, $0) }
            pos += 1
        }
        return out
    }
}

@available(*, unavailable) extension MemoryTransaction: Sendable {}
