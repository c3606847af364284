import AlignmentProjections
import EventLog
import EventLogLMDB
import Foundation

/// Reading a ledger opened read only (a read-only directory, bind mount or file system: an auditor's copy).
///
/// Nothing is written, so the kept read models cannot be brought up to the log as a writable ledger does
/// (`catchUp`). Where they lag, the events past their checkpoint are folded in memory on top of them, through the
/// same `Projector` (`ModelOverlay` stands in for the write transaction); where they cannot be caught up event by
/// event (another code version, checkpoints that disagree, side tables that were never created), the whole log is
/// folded in memory, as a rebuild would. Answers then read the overlay over the kept tables; nothing is kept.
extension AlignmentLedger {
    /// How the ledger was opened (read-write, or read only with or without the lock file).
    public var access: LedgerAccess { log.access }

    /// What to tell the person at the terminal once about how the ledger is read (nil: nothing to say).
    public var accessNotice: String? {
        switch log.access {
        case .readWrite, .readOnly: nil
        case .readOnlyWithoutLock:
            "the ledger is read-only and its lock file cannot be written: reading without the lock, so writers running now are not seen"
        }
    }

    /// The read-only form of `catchUp`: folds in memory what the kept models lack, up to the head read now, and
    /// answers from that from now on. Kept models that are current need nothing.
    func catchUpInMemory() throws {
        let head = try log.head()
        let cps = try projectionCheckpoints()
        let sameVersion = ProjectionName.allCases.allSatisfy { cps[$0]?.version == $0.codeVersion }
        let positions = Set(ProjectionName.allCases.map { cps[$0]?.position ?? UInt64.max })
        if sameVersion, positions.count == 1, let at = positions.first, at != UInt64.max, at >= head.position { return }
        let overlay = ModelOverlay(log: log, head: head)
        let tx = LogTransaction(overlay)
        if sameVersion, positions.count == 1, let from = positions.first, from < head.position, head.position - from <= AlignmentLedger.catchUpLimit {
            let p = Projector(tx: tx)
            p.ledgerID = log.ledgerID
            if try p.foldMissing(tx) {
                try p.flush(tx)
                unkept.set(overlay)
                return
            }
        }
        let p = try foldLog(Set(ProjectionName.allCases), through: head.position, progress: nil)
        let rows = try p.allRowsSorted()
        p.clearChanges()
        for n in ProjectionName.allCases { for t in n.tables { try tx.clear(t) } }
        for (table, r) in rows { try tx.putSorted(table, r) }
        try p.writeChanges(tx, through: head.position)  // the checkpoints
        unkept.set(overlay)
    }

    /// One value of a kept read model, as the answers see it (with what was folded in memory on a read-only ledger).
    func modelValue(_ table: String, _ key: [UInt8]) throws -> [UInt8]? {
        if let o = unkept.overlay { return try o.get(table, key) }
        return try log.sideTableValue(table, key)
    }

    /// The rows of a kept read model whose keys start with `prefix`, in key order, as the answers see them.
    func modelScan(_ table: String, prefix: [UInt8] = [], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        if let o = unkept.overlay { return try o.scan(table, prefix: prefix, body) }
        try log.sideTableScan(table, prefix: prefix, body)
    }

    /// The position up to which answers fold events in memory (a read-only ledger whose kept models lag), nil when
    /// they read the kept models as they are.
    public var foldedInMemoryThrough: UInt64? { unkept.overlay?.head.position }
}

/// The overlay a read-only ledger's answers read, once set (see `catchUpInMemory`).
final class UnkeptModels: @unchecked Sendable {
    // @unchecked: `value` is only touched under `lock`, and an overlay is not changed once set.
    private let lock = NSLock()
    private var value: ModelOverlay?
    var overlay: ModelOverlay? { lock.withLock { value } }
    func set(_ o: ModelOverlay) { lock.withLock { value = o } }
}

/// Changes to the side tables held in memory over the log's kept ones: what `Projector` writes through a
/// `LogTransaction` on a ledger that cannot be written. Reads see the changes over the kept rows (a cleared table
/// shows only its changes). Appending is refused: this transaction folds, it never records.
///
/// `@unchecked Sendable`: written only while one `catchUpInMemory` fills it (on one thread), then read only.
final class ModelOverlay: StoreTransaction, @unchecked Sendable {
    private struct Table {
        /// The kept rows are hidden (the table was emptied).
        var cleared = false
        /// Rows written (nil: deleted).
        var rows: [[UInt8]: [UInt8]?] = [:]
    }

    let log: EventLog
    let head: Checkpoint
    private var tables: [String: Table] = [:]

    init(log: EventLog, head: Checkpoint) {
        self.log = log
        self.head = head
    }

    var committedHead: UInt64 { head.position }
    var now: Timestamp { .now }
    func version(of stream: String) throws -> UInt64? { try log.version(of: stream) }
    func requestIndex() {}
    func append(_ request: PreparedAppend) throws -> AppendResult { throw EventLogError.readOnly(path: log.path) }
    func treeRoot(size: UInt64) throws -> ChainHash { try log.treeRoot(size: size) }
    func keepTreeHead(_ head: StoredTreeHead) throws { throw EventLogError.readOnly(path: log.path) }

    func get(_ table: String, _ key: [UInt8]) throws -> [UInt8]? {
        if let t = tables[table] {
            if let v = t.rows[key] { return v }
            if t.cleared { return nil }
        }
        return try log.sideTableValue(table, key)
    }

    func put(_ table: String, _ key: [UInt8], _ value: [UInt8]) throws { tables[table, default: Table()].rows[key] = .some(value) }
    func putSorted(_ table: String, _ rows: [(key: [UInt8], value: [UInt8])]) throws {
        for r in rows { try put(table, r.key, r.value) }
    }
    func delete(_ table: String, _ key: [UInt8]) throws { tables[table, default: Table()].rows[key] = .some(nil) }
    func clear(_ table: String) throws { tables[table] = Table(cleared: true) }

    func readStored(from position: UInt64, limit: Int) throws -> StoredRecords {
        var out = StoredRecords()
        guard limit > 0, position <= head.position else { return out }
        let through = min(head.position, position + UInt64(limit) - 1)
        try log.replayRaw(from: position, through: through, chunk: limit, releasingPagesEvery: nil) { pos, bytes in
            out.append(position: pos, bytes)
        }
        return out
    }

    /// The rows whose keys start with `prefix`, in key order: the kept ones merged with the changes.
    func scan(_ table: String, prefix: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        let t = tables[table] ?? Table()
        let changes = t.rows.filter { $0.key.starts(with: prefix) }.sorted { ByteOrder.less($0.key, $1.key) }
        var i = 0
        var going = true
        /// Hands on the changed rows that sort before `key` (all of them when nil); false once `body` said stop.
        func changesBefore(_ key: [UInt8]?) throws -> Bool {
            while i < changes.count, key.map({ ByteOrder.less(changes[i].key, $0) }) ?? true {
                defer { i += 1 }
                if let v = changes[i].value, try !body(changes[i].key, v) { return false }
            }
            return true
        }
        if !t.cleared {
            try log.sideTableScan(table, prefix: prefix) { k, v in
                guard try changesBefore(k) else { going = false; return false }
                if i < changes.count, changes[i].key == k {  // changed: the change stands for the kept row
                    defer { i += 1 }
                    if let c = changes[i].value, try !body(k, c) { going = false; return false }
                    return true
                }
                if try !body(k, v) { going = false; return false }
                return true
            }
        }
        if going { _ = try changesBefore(nil) }
    }
}
