import Crypto
import AlignmentDomain
import AlignmentProjections
import EventLog
import EventLogLMDB
import EventLogMemory
import Foundation
import JSONCore

/// The service users' programs call: open a ledger, run commands as an actor, query state.
/// Commands are decided and appended inside the log's writer transaction, so the rules always see the
/// latest state, across processes too; the current-state read model is updated in the same transaction.
public final class AlignmentLedger: Sendable {
    /// The log; only the service reads and writes it.
    let log: EventLog
    static let stateTable = "state"
    static let metaTable = "projections"
    static let auditActorTable = "audit-actor"
    static let auditOverridesTable = "audit-overrides"
    static var allTables: [String] { [metaTable] + ProjectionName.allCases.flatMap(\.tables) }

    /// Whether the kept read models were brought up to date since opening (reads do it once, on first use).
    private let current = CurrentFlag()
    /// On a ledger opened read only: what the kept read models lacked, folded in memory (see `catchUpInMemory`).
    let unkept = UnkeptModels()

    init(log: EventLog) { self.log = log }

    /// Creates a ledger with its first actor, a revops admin.
    /// With `key` (the admin's), the ledger requires signatures from its first event, which that key signs; without
    /// one it is an unsigned ledger, as ledgers were before signatures.
    /// With `logKeys`, the ledger also gets its own log key (`log.<ledger id>` in that key directory), which signs its
    /// checkpoints; the first event pins its verifier key, named `origin` (default `align/<ledger id>`).
    public static func create(at path: String, admin: String, name: String, at: Date? = nil, key: ActorKey? = nil,
                              logKeys: KeyStore? = nil, origin: String? = nil,
                              clock: @escaping @Sendable () -> Timestamp = { .now }) throws -> (AlignmentLedger, [RecordedEvent]) {
        var events = try Decider.initialize(admin: admin, name: name, key: try key?.grant)
        if let at { try Decider.checkGenesis(at: at, recordedAt: clock().date) }  // before anything is created
        if let origin, !SignedNote.isValidName(origin) {
            throw DomainError.invalid("the origin '\(origin)' must have no spaces, '+' or control characters")
        }
        let log: EventLog
        do {
            log = try EventLog.create(at: path, clock: clock)
        } catch EventLogError.alreadyExists {
            // A ledger with no events at all is a creation cut short between the log's metadata and the first
            // events (an interrupted `align init`): it is finished here rather than left unusable. The transaction
            // below refuses it if events appeared meanwhile.
            let existing = try EventLog.open(at: path, clock: clock)
            guard try existing.head().position == 0 else { throw EventLogError.alreadyExists(path: path) }
            log = existing
        }
        if let logKeys {
            // Made (or, after an interrupted creation, found) before the first event pins its public half.
            let keyName = "log." + log.ledgerID.uuidString.lowercased()
            let logKey = logKeys.hasKey(for: keyName) ? try logKeys.load(keyName) : try logKeys.generate(for: keyName)
            let vkey = try SignedNote.Verifier(name: origin ?? "align/" + log.ledgerID.uuidString.lowercased(), publicKey: logKey.publicKey.raw)
            events = try Decider.initialize(admin: admin, name: name, key: try key?.grant, logKey: vkey.text)
        }
        return try initialize(log, admin: admin, name: name, at: at, events: events, signer: key)
    }

    /// Creates a ledger kept in memory with its first actor, a revops admin: the same rules, read models and
    /// proofs as on disk, nothing durable (tests, trials, a server's scratch ledger).
    public static func createInMemory(admin: String, name: String, at: Date? = nil, key: ActorKey? = nil,
                                      clock: @escaping @Sendable () -> Timestamp = { .now }) throws -> (AlignmentLedger, [RecordedEvent]) {
        let events = try Decider.initialize(admin: admin, name: name, key: try key?.grant)
        if let at { try Decider.checkGenesis(at: at, recordedAt: clock().date) }  // before anything is created
        return try initialize(EventLog.inMemory(clock: clock), admin: admin, name: name, at: at, events: events, signer: key)
    }

    /// Writes a new ledger's first events (and its read models) into an empty log.
    private static func initialize(_ log: EventLog, admin: String, name: String, at: Date?,
                                   events: [DomainEvent], signer: EventSigner?) throws -> (AlignmentLedger, [RecordedEvent]) {
        try log.prepareSideTables(allTables)
        let ledger = AlignmentLedger(log: log)
        ledger.current.set()
        let path = log.path
        let recorded = try log.transaction { tx in
            guard tx.head.position == 0 else { throw EventLogError.alreadyExists(path: path) }
            let p = Projector(tx: tx)
            let r = try ledger.append(events, actor: admin, at: at ?? tx.now.date, in: tx, projector: p, signer: signer)
            try p.flush(tx)
            return r
        }
        return (ledger, recorded)
    }

    /// Opens an existing ledger. Opening costs the log's own opening and one short read-only transaction for the read
    /// models' tables: the kept read models are brought up to date by the first read that needs them, and a command
    /// brings them up to date inside its own transaction (so a sign-off reads no checkpoint before it starts).
    ///
    /// `access`: `.readOnly` (or `.readWriteIfPossible` on files that cannot be written) opens it for reading only:
    /// commands are refused with `EventLogError.readOnly`, and reads fold in memory what the kept models lack.
    public static func open(at path: String, clock: @escaping @Sendable () -> Timestamp = { .now },
                            access: LedgerAccess.Request = .readWrite) throws -> AlignmentLedger {
        let log = try EventLog.open(at: path, clock: clock, access: access)
        try log.prepareSideTables(allTables)
        return AlignmentLedger(log: log)
    }

    /// Brings the kept read models up to date once, before the first read of them (see `open`).
    func ensureCurrent() throws {
        guard !current.isSet else { return }
        if log.access.isReadOnly { try catchUpInMemory() } else { try catchUp() }
        current.set()
    }

    // MARK: Commands

    /// Checks `command` against the rules as `actor` at business time `at` (default: now) and appends its events.
    @discardableResult
    public func execute(_ command: Command, as actor: String, at: Date? = nil, signer: EventSigner? = nil) throws -> [RecordedEvent] {
        try perform(command, as: actor, at: at, signer: signer).recorded
    }

    /// `execute`, answering with the decided events beside the recorded ones (nothing to decode again) and the head.
    /// A command that changes nothing (a policy set to what it is) records nothing.
    /// `signer` signs the events (its actor must be `actor`); a ledger that requires signatures refuses unsigned ones.
    public func perform(_ command: Command, as actor: String, at: Date? = nil, signer: EventSigner? = nil) throws -> CommandOutcome {
        try command.check()
        if let signer, signer.actor != actor {
            throw DomainError.refused(rule: Rule.signature, message: "the key at hand is \(signer.actor)'s, not \(actor)'s")
        }
        return try withCurrentModels { tx, p in
            let when = at ?? tx.now.date
            let events = try Decider.decide(command, p.state, DecisionContext(actor: actor, at: when, recordedAt: tx.now.date, keyID: signer?.keyID))
            guard !events.isEmpty else {
                try p.flush(tx)  // what the models caught up with is written, so the `current` mark below holds
                return CommandOutcome(command: command, decided: [], recorded: [], head: tx.head)
            }
            let r = try self.append(events, actor: actor, at: when, in: tx, projector: p, signer: signer)
            try p.flush(tx)
            return CommandOutcome(command: command, decided: events, recorded: r, head: tx.head)
        }
    }

    /// Runs a command's transaction on kept models caught up with the log (`Projector.caughtUp`). When they cannot be
    /// caught up event by event (another build wrote them, or their checkpoints disagree: a rebuild of some of them
    /// while another tool appended), brings them up to date first (`catchUp`, which rebuilds) and runs it again.
    func withCurrentModels<T: Sendable>(_ body: @escaping @Sendable (LogTransaction, Projector) throws -> T) throws -> T {
        let result: T
        let ledgerID = log.ledgerID
        do {
            result = try log.transaction { tx in try body(tx, try Projector.caughtUp(tx, ledgerID: ledgerID)) }
        } catch is ReadModelsOutOfDate {
            try catchUp()
            result = try log.transaction { tx in try body(tx, try Projector.caughtUp(tx, ledgerID: ledgerID)) }
        }
        current.set()  // the transaction brought them up to date
        return result
    }

    /// Reads an apply file (`ApplyReader`) and runs it in one transaction: every command, or none. Throws `ApplyError`
    /// naming every malformed or refused line.
    /// `signers` gives each line's actor's key when it is at hand (nil: the line is unsigned); `importing`, a revops
    /// member who signs the other lines as an import.
    public func apply(file bytes: [UInt8], defaultActor: String?, defaultAt: Date?,
                      signers: (String) throws -> EventSigner? = { _ in nil }, importing: ImportAuthority? = nil) throws -> ApplyOutcome {
        // Every bad line in one pass: the malformed ones (and repeated keys) are reported together with the lines the
        // rules refuse, which are decided anyway, against the state the lines before them would leave.
        let (items, malformed) = bytes.withUnsafeBytes { ApplyReader.read($0, defaultActor: defaultActor, defaultAt: defaultAt) }
        if items.isEmpty {
            if !malformed.isEmpty { throw ApplyError(problems: malformed, onlyMalformed: true) }
            throw DomainError.invalid("the file holds no commands")
        }
        let started = Date()
        let (run, skipped, keyProblems) = try keyedLines(items)
        var keys: [String: EventSigner] = [:]
        for actor in Set(run.map(\.actor)) { keys[actor] = try signers(actor) }
        let early = malformed + keyProblems
        if run.isEmpty, !early.isEmpty { throw ApplyError(problems: early.sorted { $0.line < $1.line }, onlyMalformed: true) }
        let recorded = run.isEmpty ? [] : try apply(run, signers: keys, importing: importing, malformed: early)
        // The head right after this file's events (another process may have appended since).
        let head = try recorded.last.map { Checkpoint(position: $0.position, hash: $0.hash) } ?? log.head()
        return ApplyOutcome(commands: run.count, recorded: recorded, head: head, seconds: Date().timeIntervalSince(started), skipped: skipped)
    }

    /// The lines to run, and those skipped because their key was applied before (with the position of the event their
    /// key names). A key given twice in one file is a malformed line.
    func keyedLines(_ items: [ApplyItem]) throws -> (run: [ApplyItem], skipped: [ApplyOutcome.Skipped], problems: [(line: Int, error: String)]) {
        var run: [ApplyItem] = [], skipped: [ApplyOutcome.Skipped] = [], problems: [(line: Int, error: String)] = []
        var seen: [String: Int] = [:]
        run.reserveCapacity(items.count)
        for item in items {
            guard let key = item.key else { run.append(item); continue }
            if let first = seen[key] { problems.append((item.line, "\"key\" \(key.debugDescription) is line \(first)'s too; a key names one line")); continue }
            seen[key] = item.line
            if let e = try log.event(id: applyEventID(key)) {
                skipped.append(ApplyOutcome.Skipped(line: item.line, key: key, position: e.position))
            } else {
                run.append(item)
            }
        }
        return (run, skipped, problems)
    }

    /// The id of the first event of a line with idempotency key `key`: derived from the ledger and the key
    /// (SHA-256, as a version-8 UUID), so that applying the line again finds it.
    func applyEventID(_ key: String) -> UUID { AlignmentLedger.applyEventID(ledgerID: ledgerID, key: key) }

    /// Runs every item in one transaction: all are appended, or none, with every refused line reported.
    ///
    /// With `importing`, the lines whose actor has no key in `signers` are signed by the importing revops member as
    /// imports, each caused by one `RecordsImported` event (source, reason, count) that member records first.
    ///
    /// `malformed`: lines of the same file that could not be read; with any, nothing is written, but every line is still
    /// decided so that the error names every bad line at once (and is a usage error, exit 2).
    public func apply(_ items: [ApplyItem], signers: [String: EventSigner] = [:], importing: ImportAuthority? = nil,
                      malformed: [(line: Int, error: String)] = []) throws -> [RecordedEvent] {
        try withCurrentModels { tx, p in
            var out: [RecordedEvent] = []
            out.reserveCapacity(items.count)
            var problems: [(Int, String)] = malformed.map { ($0.line, $0.error) }
            var importEvent: UUID?
            if let importing {
                let taken = items.filter { signers[$0.actor] == nil }.count
                if taken > 0 {
                    let record = Command.importRecords(source: importing.source, reason: importing.reason, commands: taken)
                    try record.check()
                    let events = try Decider.decide(record, p.state, DecisionContext(actor: importing.signer.actor, at: tx.now.date,
                                                                                     recordedAt: tx.now.date, keyID: importing.signer.keyID))
                    let r = try self.append(events, actor: importing.signer.actor, at: tx.now.date, in: tx, projector: p, signer: importing.signer)
                    out += r
                    importEvent = r.first?.id
                }
            }
            for item in items {
                let when = item.at ?? tx.now.date
                let own = signers[item.actor]
                let signer = own ?? (importEvent == nil ? nil : importing?.signer)
                let imported = own == nil && signer != nil
                do {
                    let events = try Decider.decide(item.command, p.state, DecisionContext(actor: item.actor, at: when, recordedAt: tx.now.date, keyID: signer?.keyID,
                                                                                           importedBy: imported ? signer?.actor : nil, source: item.source))
                    if events.isEmpty { continue }
                    if problems.isEmpty {
                        out += try self.append(events, actor: item.actor, at: when, in: tx, projector: p, signer: signer,
                                               imported: imported, causation: imported ? importEvent : nil,
                                               firstID: item.key.map(self.applyEventID))
                    } else {
                        // Keep deciding later lines against the state they would see, without writing.
                        for e in events { try p.state.apply(Recorded(event: e, actor: item.actor, at: when, position: 0, recordedAt: tx.now.date)) }
                    }
                } catch let e as DomainError {
                    problems.append((item.line, e.description))
                } catch let e as EventLogError {
                    problems.append((item.line, e.description))
                }
            }
            if !problems.isEmpty { throw ApplyError(problems: problems.sorted { $0.0 < $1.0 }, onlyMalformed: !malformed.isEmpty) }
            try p.flush(tx)
            return out
        }
    }

    /// Appends a command's events in the order decided, signed by `signer` when given (over `EventSignature.message`, which
    /// binds each event's position and the chain hash before it: so they are appended one by one); `imported`: the
    /// signer is a revops member signing for `actor`, caused by the import's record `causation`.
    ///
    /// `commandField`: the events come from a signed command (`perform(signedCommand:)`), and each carries that command's
    /// signature field instead of an event signature.
    func append(_ events: [DomainEvent], actor: String, at: Date, in tx: LogTransaction, projector: Projector,
                signer: EventSigner?, imported: Bool = false, causation: UUID? = nil, firstID: UUID? = nil,
                commandField: [UInt8]? = nil) throws -> [RecordedEvent] {
        let correlation = UUID.v7()
        let occurred = Timestamp(at)
        var out: [RecordedEvent] = []
        out.reserveCapacity(events.count)
        for (i, e) in events.enumerated() {
            var p = ProposedEvent(type: e.type, schemaVersion: UInt16(e.schemaVersion), occurredAt: occurred, actor: actor,
                                  correlationID: correlation, causationID: causation, payload: try e.canonicalPayload())
            if i == 0, let firstID { p.id = firstID }  // an apply line's key names its first event
            if let commandField {
                p.signature = commandField
            } else if let signer {
                let head = tx.head
                let message = EventSignature.message(ledgerID: log.ledgerID, position: head.position + 1, previous: head.hash, id: p.id,
                                                     stream: e.stream, type: p.type, schemaVersion: p.schemaVersion, occurredAt: occurred,
                                                     actor: actor, keyID: signer.keyID, imported: imported, correlationID: correlation,
                                                     causationID: causation, payload: p.payload)
                p.signature = EventSignature(keyID: signer.keyID, imported: imported, signature: try signer.sign(message)).field
            }
            for r in try tx.append([StreamAppend(stream: e.stream, events: [p])]).events {
                try projector.apply(Recorded(event: e, actor: actor, at: r.occurredAt.date, position: r.position, recordedAt: r.recordedAt.date),
                                    stream: r.stream, type: r.type)
                out.append(r)
            }
        }
        return out
    }

    // MARK: Read model upkeep

    /// Each kept read model's code version and checkpoint position.
    public func projectionCheckpoints() throws -> [ProjectionName: (version: Int, position: UInt64)] {
        try AlignmentLedger.readCheckpoints { try log.sideTableValue(AlignmentLedger.metaTable, $0) }
    }

    /// Brings the kept read models up to the head: folds the events past their checkpoint (in one transaction, which
    /// reads the checkpoints again, so two processes catching up at once do not fold anything twice), or rebuilds
    /// them all when a code version changed, their checkpoints disagree, or they lag by more than `catchUpLimit`.
    func catchUp() throws {
        let head = try log.head()
        let cps = try projectionCheckpoints()
        let current = ProjectionName.allCases.allSatisfy { cps[$0]?.version == $0.codeVersion }
        let positions = Set(ProjectionName.allCases.map { cps[$0]?.position ?? UInt64.max })
        // Checkpoints past the head read a moment ago: another process committed in between, with its models.
        if current, positions.count == 1, let at = positions.first, at != UInt64.max, at >= head.position { return }
        if current, positions.count == 1, let from = positions.first, from < head.position,
           head.position - from <= AlignmentLedger.catchUpLimit {
            let ledgerID = log.ledgerID
            let caughtUp = try log.transaction { tx -> Bool in
                let p = Projector(tx: tx)
                p.ledgerID = ledgerID
                guard try p.foldMissing(tx) else { return false }
                try p.flush(tx)
                return true
            }
            if caughtUp { return }
        }
        try rebuild(ProjectionName.allCases, progress: nil)
    }

    /// Folds positions 1 through `head` into a fresh projector of `set`, outside the writer: what a rebuild writes, and
    /// what `verify` compares the kept models with. Batches of 4,096 events: the next one is read and decoded on
    /// another thread while this one folds. Every event's authority and key state is checked (`wholeLogGate`).
    func foldLog(_ set: Set<ProjectionName>, through head: UInt64, progress: (@Sendable (UInt64, UInt64) -> Void)?) throws -> Projector {
        let p = Projector(tx: nil, enabled: set, freshState: true)
        let batch: UInt64 = 4096
        var next: UInt64 = 1
        let gate = Projector.wholeLogGate(log.ledgerID)
        var pending = next <= head ? PendingDecode(log, from: next, through: min(head, next + batch - 1)) : nil
        while let decoding = pending {
            let (read, events) = try decoding.wait()
            next += UInt64(read)
            pending = next <= head ? PendingDecode(log, from: next, through: min(head, next + batch - 1)) : nil
            try p.apply(checked: events, gate: gate)
            progress?(next - 1, head)
        }
        try gate.finish(at: head)
        return p
    }

    /// Past this many unseen events, catching up rebuilds instead (a rebuild folds outside the writer, and faster).
    static let catchUpLimit: UInt64 = 125_000

    /// Rebuilds kept read models from the whole log.
    ///
    /// The fold runs outside the writer, over a read of the log up to its head when the rebuild starts: appends go
    /// on meanwhile. Then one transaction empties the models' tables, appends what the fold holds, each table in key
    /// order (no search), folds and writes over it the events committed in between, and writes the checkpoints.
    /// Until it commits, the old models and checkpoints stay as they were, so an interrupted rebuild changes nothing.
    public func rebuild(_ names: [ProjectionName] = ProjectionName.allCases, progress: (@Sendable (UInt64, UInt64) -> Void)?) throws {
        if log.access.isReadOnly { throw EventLogError.readOnly(path: log.path) }
        let set = Set(names)
        let head = try log.head().position
        let ledgerID = log.ledgerID
        let p = try foldLog(set, through: head, progress: progress)
        // Everything folded so far is written as sorted rows; what the transaction folds on top is written as changes.
        let box = UncheckedBox((projector: p, through: head, rows: try p.allRowsSorted()))
        p.clearChanges()
        _ = try log.transaction { tx -> Bool in
            // Events committed while the fold ran (by this process or another) are folded here, so that the models
            // and their checkpoints match the log when this commits. Only committed ones (up to `committedHead`):
            // work sharing this transaction may still be undone, and this body may run again after the map grew,
            // which `through` makes fold nothing twice. The events of work sharing it come after the checkpoint, and
            // the next catch-up folds them.
            if tx.committedHead > box.value.through {
                try box.value.projector.fold(tx, from: box.value.through + 1, through: tx.committedHead, ledgerID: ledgerID)
                box.value.through = tx.committedHead
            }
            for n in set { for t in n.tables { try tx.clear(t) } }
            for (table, rows) in box.value.rows { try tx.putSorted(table, rows) }
            try box.value.projector.writeChanges(tx, through: box.value.through)
            return true
        }
        // Freeing a rebuild's states and rows (hundreds of thousands of small objects each) takes a noticeable part
        // of a second: do it off the caller's path.
        DispatchQueue.global(qos: .utility).async { box.value.rows = []; _ = box }
    }

    // MARK: Queries

    /// The kept state of one stream (`definition/mql`, `lead/L-1`, ...), nil when it has no events.
    public func state(of stream: String) throws -> EntityState? {
        try ensureCurrent()
        let key = Array(stream.utf8)
        guard let b = try modelValue(AlignmentLedger.stateTable, key) else { return nil }
        return try AlignmentLedger.keptState(key, b)
    }

    /// All kept states of one kind (`definition`, `campaign`, `lead`, `content`), in id order.
    public func states(kind: String) throws -> [EntityState] {
        try ensureCurrent()
        var out: [EntityState] = []
        try modelScan(AlignmentLedger.stateTable, prefix: Array((kind + "/").utf8)) { k, v in
            out.append(try AlignmentLedger.keptState(k, v))
            return true
        }
        return out
    }

    /// A kept state row decoded, and of the kind its key names (a lead's row holding a campaign is damage).
    static func keptState(_ key: [UInt8], _ value: [UInt8]) throws -> EntityState {
        try modelRow(stateTable, key) {
            let s = try decodeState(value, key: key)
            let stream = String(decoding: key, as: UTF8.self)
            guard let empty = EntityState.empty(for: stream), empty.kindName == s.kindName else {
                throw ReadModelDamage(model: stateTable, key: describeKey(stateTable, key), reason: "the row holds a \(s.kindName) state")
            }
            return s
        }
    }

    public func ledgerState() throws -> LedgerState {
        if case .ledger(let s)? = try state(of: StreamName.ledger) { return s }
        return LedgerState()
    }
}


/// A flag set once, read from any thread.
final class CurrentFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
