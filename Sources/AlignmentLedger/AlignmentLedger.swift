import AlignmentDomain
import AlignmentProjections
import EventLog
import Foundation

/// One line of an `align apply` file, already parsed.
public struct ApplyItem: Sendable {
    public var line: Int
    public var command: Command
    public var actor: String
    public var at: Date?

    public init(line: Int, command: Command, actor: String, at: Date?) {
        self.line = line
        self.command = command
        self.actor = actor
        self.at = at
    }
}

/// Why lines of an apply file were refused; nothing of the file was written.
public struct ApplyError: Error, Sendable, CustomStringConvertible {
    public var problems: [(line: Int, error: String)]
    /// True when every problem is a malformed line (usage), false when a rule refused one.
    public var onlyMalformed: Bool

    public init(problems: [(line: Int, error: String)], onlyMalformed: Bool) {
        self.problems = problems
        self.onlyMalformed = onlyMalformed
    }

    public var description: String {
        let lines = problems.prefix(50).map { "  line \($0.line): \($0.error)" }.joined(separator: "\n")
        let more = problems.count > 50 ? "\n  ... and \(problems.count - 50) more" : ""
        return "\(problems.count) line(s) refused; nothing was written:\n\(lines)\(more)"
    }
}

/// The service users' programs call: open a ledger, run commands as an actor, query state.
/// Commands are decided and appended inside the log's writer transaction, so the rules always see the
/// latest state, across processes too; the current-state read model is updated in the same transaction.
public final class AlignmentLedger: Sendable {
    public let log: EventLog
    static let stateTable = "state"
    static let metaTable = "state-meta"

    init(log: EventLog) { self.log = log }

    /// Creates a ledger with its first actor, a revops admin.
    public static func create(at path: String, admin: String, name: String, at: Date? = nil,
                              clock: @escaping @Sendable () -> Timestamp = { .now }) throws -> (AlignmentLedger, [RecordedEvent]) {
        let events = try Decider.initialize(admin: admin, name: name)
        let log = try EventLog.create(at: path, clock: clock)
        try log.prepareSideTables([stateTable, metaTable])
        let ledger = AlignmentLedger(log: log)
        let recorded = try log.transaction { tx in
            try ledger.append(events, actor: admin, at: at, in: tx, fold: ledger.fold(tx))
        }
        return (ledger, recorded)
    }

    /// Opens an existing ledger, bringing the kept read model up to date first when needed.
    public static func open(at path: String, clock: @escaping @Sendable () -> Timestamp = { .now }) throws -> AlignmentLedger {
        let log = try EventLog.open(at: path, clock: clock)
        try log.prepareSideTables([stateTable, metaTable])
        let ledger = AlignmentLedger(log: log)
        try ledger.catchUp()
        return ledger
    }

    // MARK: Commands

    /// Checks `command` against the rules as `actor` at business time `at` (default: now) and appends its events.
    @discardableResult
    public func execute(_ command: Command, as actor: String, at: Date? = nil) throws -> [RecordedEvent] {
        try log.transaction { tx in
            let fold = try self.fold(tx)
            let when = at ?? tx.now.date
            let events = try Decider.decide(command, fold, DecisionContext(actor: actor, at: when))
            return try self.append(events, actor: actor, at: when, in: tx, fold: fold)
        }
    }

    /// Runs every item in one transaction: all are appended, or none, with every refused line reported.
    public func apply(_ items: [ApplyItem]) throws -> [RecordedEvent] {
        try log.transaction { tx in
            let fold = try self.fold(tx)
            var out: [RecordedEvent] = []
            out.reserveCapacity(items.count)
            var problems: [(Int, String)] = []
            for item in items {
                let when = item.at ?? tx.now.date
                do {
                    let events = try Decider.decide(item.command, fold, DecisionContext(actor: item.actor, at: when))
                    if problems.isEmpty {
                        out += try self.append(events, actor: item.actor, at: when, in: tx, fold: fold, flush: false)
                    } else {
                        // Keep deciding later lines against the state they would see, without writing.
                        try self.simulate(events, actor: item.actor, at: when, fold: fold)
                    }
                } catch let e as DomainError {
                    problems.append((item.line, e.description))
                } catch let e as EventLogError {
                    problems.append((item.line, e.description))
                }
            }
            if !problems.isEmpty { throw ApplyError(problems: problems, onlyMalformed: false) }
            try self.flush(fold, tx)
            return out
        }
    }

    private func fold(_ tx: LogTransaction) throws -> CurrentStateFold {
        CurrentStateFold { stream in
            guard let bytes = try tx.get(AlignmentLedger.stateTable, Array(stream.utf8)) else { return nil }
            return try AlignmentLedger.decodeState(bytes)
        }
    }

    private var simulatedPosition: UInt64 { 0 }

    private func simulate(_ events: [DomainEvent], actor: String, at: Date, fold: CurrentStateFold) throws {
        for e in events { try fold.apply(Recorded(event: e, actor: actor, at: at, position: simulatedPosition)) }
    }

    private func append(_ events: [DomainEvent], actor: String, at: Date?, in tx: LogTransaction, fold: CurrentStateFold,
                        flush: Bool = true) throws -> [RecordedEvent] {
        let correlation = UUID.v7()
        let occurred = at.map { Timestamp($0) }
        var appends: [StreamAppend] = []
        var grouped: [[DomainEvent]] = []
        for e in events {
            let p = ProposedEvent(type: e.type, schemaVersion: UInt16(e.schemaVersion), occurredAt: occurred, actor: actor,
                                  correlationID: correlation, payload: e.payload())
            if let i = appends.firstIndex(where: { $0.stream == e.stream }) {
                appends[i].events.append(p)
                grouped[i].append(e)
            } else {
                appends.append(StreamAppend(stream: e.stream, events: [p]))
                grouped.append([e])
            }
        }
        let result = try tx.append(appends)
        // The log returns the events stream by stream, in the order given.
        for (e, r) in zip(grouped.joined(), result.events) {
            try fold.apply(Recorded(event: e, actor: actor, at: r.occurredAt.date, position: r.position))
        }
        if flush { try self.flush(fold, tx) }
        return result.events
    }

    private func flush(_ fold: CurrentStateFold, _ tx: LogTransaction) throws {
        for stream in fold.dirty {
            if let s = try fold.state(stream) { try tx.put(AlignmentLedger.stateTable, Array(stream.utf8), AlignmentLedger.encodeState(s)) }
        }
        fold.clearDirty()
        try tx.put(AlignmentLedger.metaTable, Array("checkpoint".utf8), Array("\(CurrentStateFold.codeVersion):\(tx.head.position)".utf8))
    }

    // MARK: Read model upkeep

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }()
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    static func encodeState(_ s: EntityState) throws -> [UInt8] { Array(try encoder.encode(s)) }
    static func decodeState(_ b: [UInt8]) throws -> EntityState { try decoder.decode(EntityState.self, from: Data(b)) }

    /// The kept read model's code version and checkpoint position.
    public func readModelCheckpoint() throws -> (codeVersion: Int, position: UInt64)? {
        guard let b = try log.sideTableValue(AlignmentLedger.metaTable, Array("checkpoint".utf8)) else { return nil }
        let parts = String(decoding: b, as: UTF8.self).split(separator: ":")
        guard parts.count == 2, let v = Int(parts[0]), let p = UInt64(parts[1]) else { return nil }
        return (v, p)
    }

    /// Brings the kept read model up to the head: rebuilds it when its code version changed, else folds the
    /// events past its checkpoint.
    func catchUp() throws {
        let head = try log.head()
        let cp = try readModelCheckpoint()
        if let cp, cp.codeVersion == CurrentStateFold.codeVersion, cp.position == head.position { return }
        try rebuild(progress: nil)
    }

    /// Rebuilds the current-state read model from the whole log, in one transaction.
    public func rebuild(progress: (@Sendable (UInt64, UInt64) -> Void)?) throws {
        let log = self.log
        _ = try log.transaction { tx -> Bool in
            try tx.clear(AlignmentLedger.stateTable)
            let fold = CurrentStateFold()
            var next: UInt64 = 1
            while true {
                let batch = try tx.read(from: next, limit: 4096)
                if batch.isEmpty { break }
                for r in batch {
                    if let e = try? DomainEvent.decode(type: r.type, schemaVersion: Int(r.schemaVersion), payload: r.payload) {
                        try fold.apply(Recorded(event: e, actor: r.actor, at: r.occurredAt.date, position: r.position))
                    }
                    next = r.position + 1
                }
                progress?(next - 1, tx.head.position)
            }
            try self.flush(fold, tx)
            return true
        }
    }

    // MARK: Queries

    /// The kept state of one stream (`definition/mql`, `lead/L-1`, ...), nil when it has no events.
    public func state(of stream: String) throws -> EntityState? {
        guard let b = try log.sideTableValue(AlignmentLedger.stateTable, Array(stream.utf8)) else { return nil }
        return try AlignmentLedger.decodeState(b)
    }

    /// All kept states of one kind (`definition`, `campaign`, `lead`, `content`), in id order.
    public func states(kind: String) throws -> [EntityState] {
        var out: [EntityState] = []
        try log.sideTableScan(AlignmentLedger.stateTable, prefix: Array((kind + "/").utf8)) { _, v in
            out.append(try AlignmentLedger.decodeState(v))
            return true
        }
        return out
    }

    public func ledgerState() throws -> LedgerState {
        if case .ledger(let s)? = try state(of: StreamName.ledger) { return s }
        return LedgerState()
    }
}
