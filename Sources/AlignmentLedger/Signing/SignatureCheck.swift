import AlignmentDomain
import AlignmentProjections
import EventLog
import Foundation

/// Checks a stored event's signature against the ledger's key state just before it: the key is registered, not
/// revoked, and belongs to the event's actor (or, for an import, to an active revops member); the signature is the
/// key's over `EventSignature.message`. Split in two so that the cheap part runs in order and the Ed25519 check can
/// run on all cores (`verify`).
enum SignatureCheck {
    /// What the cheap part leaves to check: the key, the message and the signature.
    struct Pending: @unchecked Sendable {  // immutable values
        var position: UInt64
        var key: PublicKey
        var message: [UInt8]
        var signature: [UInt8]

        /// Nil when the signature checks, else why it does not.
        var problem: String? { key.verifies(signature, of: message) ? nil : "the signature does not check against key \(key.id)" }
    }

    /// The outcome of the cheap part for one event.
    enum Outcome {
        /// No signature, and none required.
        case unsigned
        /// The crypto check remains.
        case pending(Pending, keyID: String)
        /// Everything but the crypto check passed, and it was not asked for.
        case skipped(keyID: String)
        case bad(String)
    }

    /// What the cheap part needs to know of the log before an event, beyond the ledger's state.
    struct Context {
        let ledgerID: UUID
        /// The chain hash of the record just before the event.
        var previous: ChainHash = .genesis
        /// The correlation id of the ledger's creation (its first event's).
        var genesis: UUID?
        /// `RecordsImported` events seen so far: their id and the key that signed them.
        var imports: [UUID: String] = [:]
        /// Whether every event before this one was seen (a fold from position 1, verify): an import's cause must then be
        /// among `imports`. A catch-up from a later position cannot tell, and checks the signer only.
        var seenAll = true

        /// The signature field and correlation id of the event just before, when it came from a signed command: the
        /// later events of that command follow it with the same field. (A fold that starts after position 1 sets it from
        /// the event before its first, as it sets `previous`.)
        var command: (field: [UInt8], correlation: UUID?)?

        /// Records what an event tells the next one (call after checking it).
        mutating func passed(_ e: RecordedEvent, decoded: DomainEvent?) {
            previous = e.hash
            command = CommandSignatureField.isCommand(e.signature) ? (e.signature, e.correlationID) : nil
            if e.position == 1 { genesis = e.correlationID }
            if case .recordsImported? = decoded, let sig = EventSignature(field: e.signature) { imports[e.id] = sig.keyID }
        }
    }

    /// The cheap part: `ledger` is the ledger's state just before `e` (with `decoded` its domain event, when known).
    /// Without `crypto`, the Ed25519 check is not prepared (its message is not built): `.pending` then carries none.
    static func inspect(_ e: RecordedEvent, decoded: DomainEvent?, ledger: LedgerState, context c: Context, crypto: Bool = true) -> Outcome {
        let genesis = e.position == 1 || (c.genesis != nil && e.correlationID == c.genesis)
        // Within the actor's authority, signed or not (an old ledger's unsigned history included).
        // An import's signer (checked below to be an active revops member whose RecordsImported caused it).
        let importer = EventSignature(field: e.signature).flatMap { $0.imported ? ledger.keys[$0.keyID]?.actor : nil }
        if let d = decoded, let why = Authority.problem(d, actor: e.actor, position: e.position, genesis: genesis, ledger: ledger, importer: importer) {
            return .bad("not within the actor's authority: \(why)")
        }
        guard !e.signature.isEmpty else {
            return ledger.signaturesRequired ? .bad("the event is not signed, and this ledger requires signatures") : .unsigned
        }
        if CommandSignatureField.isCommand(e.signature) { return inspectCommand(e, ledger: ledger, context: c, crypto: crypto) }
        guard let sig = EventSignature(field: e.signature) else { return .bad("the signature field is not one this build reads") }
        let record: KeyRecord
        if case .ledgerInitialized(let i)? = decoded, e.position == 1, let text = i.key, let k = try? PublicKey(text: text) {
            // The first event introduces the admin's key and is signed by it.
            record = KeyRecord(id: k.id, actor: i.admin, publicKey: k.text, registeredAt: 1)
        } else {
            guard let r = ledger.keys[sig.keyID] else { return .bad("key \(sig.keyID) is not registered") }
            guard r.active else { return .bad("key \(sig.keyID) of '\(r.actor)' was revoked at position \(r.revokedAt ?? 0)") }
            record = r
        }
        if sig.imported {
            guard let a = ledger.actors[record.actor], a.active, a.roles.contains(.revops) else {
                return .bad("key \(sig.keyID) signs an import, but its actor '\(record.actor)' is not an active revops member")
            }
            guard let cause = e.causationID, c.imports[cause] == sig.keyID || (!c.seenAll && c.imports[cause] == nil) else {
                return .bad("an import must be caused by an earlier RecordsImported event signed by the same key (\(sig.keyID))")
            }
        } else if record.actor != e.actor, !genesis {
            return .bad("key \(sig.keyID) is '\(record.actor)'s, but the event's actor is '\(e.actor)'")
        }
        guard crypto else { return .skipped(keyID: sig.keyID) }
        guard let key = try? PublicKey(text: record.publicKey) else { return .bad("key \(sig.keyID) is not a usable public key") }
        let message = EventSignature.message(ledgerID: c.ledgerID, e, previous: c.previous, keyID: sig.keyID, imported: sig.imported)
        return .pending(Pending(position: e.position, key: key, message: message, signature: sig.signature), keyID: sig.keyID)
    }
}

extension SignatureCheck {
    /// The cheap part for an event recorded from a signed command (scheme 2): the line reads, names the event's actor
    /// and business time; the event is the command's first (its id derived from the nonce) or follows it with the same
    /// field; the key is registered, not revoked and the actor's. Whether the events are what the command decides is
    /// the folds' check (`SignatureGate`, with the state at hand).
    static func inspectCommand(_ e: RecordedEvent, ledger: LedgerState, context c: Context, crypto: Bool) -> Outcome {
        guard let f = CommandSignatureField(field: e.signature) else { return .bad("the signed command field is not one this build reads") }
        let s = f.command
        let line: SignedLine
        do { line = try s.parsed() } catch { return .bad("its signed command does not read: \(error)") }
        guard line.actor == e.actor else { return .bad("its command is signed as '\(line.actor)', but the event's actor is '\(e.actor)'") }
        guard Timestamp(line.at) == e.occurredAt else { return .bad("its business time is not the signed command's") }
        if e.id != AlignmentLedger.applyEventID(ledgerID: c.ledgerID, key: line.key) {
            // A later event of the same command: right after the one before, with the same field and correlation id.
            guard let before = c.command, before.field == e.signature, before.correlation == e.correlationID else {
                return .bad("it carries a signed command, but is neither the command's first event (whose id its nonce gives) nor follows it")
            }
        }
        guard let record = ledger.keys[s.keyID] else { return .bad("key \(s.keyID) is not registered") }
        guard record.active else { return .bad("key \(s.keyID) of '\(record.actor)' was revoked at position \(record.revokedAt ?? 0)") }
        guard record.actor == e.actor else { return .bad("key \(s.keyID) is '\(record.actor)'s, but the event's actor is '\(e.actor)'") }
        guard crypto else { return .skipped(keyID: s.keyID) }
        guard let key = try? PublicKey(text: record.publicKey) else { return .bad("key \(s.keyID) is not a usable public key") }
        let message = SignedCommand.message(ledgerID: c.ledgerID, keyID: s.keyID, line: s.line)
        return .pending(Pending(position: e.position, key: key, message: message, signature: s.signature), keyID: s.keyID)
    }
}

/// What `verify` found of the signatures.
public struct SignatureReport: Encodable, Sendable, Equatable {
    /// Events signed by their actor's key (or by a revops key, for imports).
    public var signed: UInt64 = 0
    /// Of which imports.
    public var imported: UInt64 = 0
    /// Events without a signature (history from before the ledger required them).
    public var unsigned: UInt64 = 0
    /// Distinct keys that signed.
    public var keys: Int = 0
    /// The key that signed the ledger's creation (nil on a ledger created unsigned). Keep it beside a checkpoint: a log
    /// rewritten from its first event under another admin key verifies on its own, and only these catch it.
    public var genesisKey: String?
    /// The first event whose signature does not check, and why.
    public var firstBadPosition: UInt64?
    public var reason: String?
    /// Ed25519 checks per second (on every core).
    public var checksPerSecond: Double = 0
}

extension AlignmentLedger {
    /// Checks every event's signature against the key state just before it, in order; the Ed25519 checks run in
    /// batches on all cores. Stops at the first bad event.
    public func verifySignatures(progress: ((UInt64, UInt64) -> Void)? = nil) throws -> SignatureReport {
        var report = SignatureReport()
        var ledger = LedgerState()
        var keys: Set<String> = []
        var batch: [SignatureCheck.Pending] = []
        var checked: UInt64 = 0
        var cryptoSeconds = 0.0
        let head = try log.head().position
        var context = SignatureCheck.Context(ledgerID: log.ledgerID)
        // Whether any event carries a signed command: those are decided again in a second pass (`checkDecisions`), so a
        // ledger without any pays nothing for it.
        var anyCommand = false
        struct Stop: Error {}

        /// Runs the batch's Ed25519 checks; records the first failure.
        func flush() {
            guard !batch.isEmpty else { return }
            let t0 = Date()
            let problems = Parallel.map(batch) { $0.problem }
            cryptoSeconds += Date().timeIntervalSince(t0)
            checked += UInt64(batch.count)
            if let i = problems.firstIndex(where: { $0 != nil }) {
                report.firstBadPosition = batch[i].position
                report.reason = problems[i]
            }
            batch.removeAll(keepingCapacity: true)
        }

        do {
            try log.replay(from: 1, through: head) { e in
                // Every event is decoded: its authority is checked beside its signature.
                let decoded = AlignmentLedger.decoded(e)
                switch SignatureCheck.inspect(e, decoded: decoded, ledger: ledger, context: context) {
                case .unsigned, .skipped: report.unsigned += 1  // (never skipped: every check is asked for here)
                case .bad(let why):
                    flush()
                    if report.firstBadPosition == nil { report.firstBadPosition = e.position; report.reason = why }
                    throw Stop()
                case .pending(let p, let keyID):
                    if e.position == 1 { report.genesisKey = keyID }
                    report.signed += 1
                    if EventSignature(field: e.signature)?.imported == true { report.imported += 1 }
                    keys.insert(keyID)
                    batch.append(p)
                }
                if !anyCommand, CommandSignatureField.isCommand(e.signature) { anyCommand = true }
                if let d = decoded { ledger.evolve(Recorded(event: d, actor: e.actor, at: e.occurredAt.date, position: e.position)) }
                context.passed(e, decoded: decoded)
                if batch.count >= 8_192 {
                    flush()
                    if report.firstBadPosition != nil { throw Stop() }
                    progress?(e.position, head)
                }
            }
            flush()
        } catch is Stop {}
        // Up to the first bad signature (a decision that does not hold before it is the first problem).
        if anyCommand, let p = try checkDecisions(through: report.firstBadPosition.map { $0 - 1 } ?? head, toTheHead: report.firstBadPosition == nil) {
            (report.firstBadPosition, report.reason) = (p.position, p.reason)
        }
        report.keys = keys.count
        report.checksPerSecond = cryptoSeconds > 0 ? Double(checked) / cryptoSeconds : 0
        return report
    }
}

extension AlignmentLedger {
    /// Decides every signed command in positions 1...`through` again against the state folded from the log just before
    /// it (`CommandDecisions`); the first problem, nil when every one holds. `toTheHead`: `through` is the head, so a
    /// command still owed events at the end is a problem (else they may lie after `through`).
    func checkDecisions(through: UInt64, toTheHead: Bool) throws -> CommandDecisions.Problem? {
        let state = CurrentStateFold { _ in nil }
        var decisions = CommandDecisions(ledgerID: log.ledgerID)
        var problem: CommandDecisions.Problem?
        struct Stop: Error {}
        do {
            try log.replay(from: 1, through: through) { e in
                do { try decisions.check(e, state: state) } catch let p as CommandDecisions.Problem {
                    problem = p
                    throw Stop()
                }
                if let d = AlignmentLedger.decoded(e) {
                    try state.apply(Recorded(event: d, actor: e.actor, at: e.occurredAt.date, position: e.position, recordedAt: e.recordedAt.date),
                                    stream: e.stream)
                }
            }
            if toTheHead { try decisions.finish(at: through) }
        } catch is Stop {
        } catch let p as CommandDecisions.Problem {
            problem = p
        }
        return problem
    }
}

/// Checks the events a fold reads from the log, in order, before they are folded: `SignatureCheck`'s cheap part for
/// each, against the ledger's state by position (which the gate keeps itself, whatever the fold skips), and the Ed25519
/// checks of those `crypto` selects, in parallel batches (`flush`). A bad event throws `EventLogError.corrupt` with its
/// position.
final class SignatureGate {
    private(set) var context: SignatureCheck.Context
    private var ledger: LedgerState
    private let crypto: (RecordedEvent) -> Bool
    private var pending: [SignatureCheck.Pending] = []

    /// `ledger`: the ledger's state just before the first event the gate will see.
    init(context: SignatureCheck.Context, ledger: LedgerState = LedgerState(), crypto: @escaping (RecordedEvent) -> Bool) {
        self.context = context
        self.ledger = ledger
        self.crypto = crypto
    }

    /// Checks `e` (the next event of the log); the Ed25519 check may wait for `flush`. With `state` (the fold's state
    /// just before `e`), the events of a signed command are also checked to be exactly what it decides.
    func check(_ e: RecordedEvent, decoded: DomainEvent?, state: StateSource? = nil) throws {
        switch SignatureCheck.inspect(e, decoded: decoded, ledger: ledger, context: context, crypto: crypto(e)) {
        case .bad(let why): throw SignatureGate.unbelieved(e.position, why)
        case .unsigned, .skipped: break
        case .pending(let p, _): pending.append(p)
        }
        if let state { try checkDecision(e, state: state) }
        context.passed(e, decoded: decoded)
        if e.stream == StreamName.ledger, let d = decoded {
            ledger.evolve(Recorded(event: d, actor: e.actor, at: e.occurredAt.date, position: e.position))
        }
        if pending.count >= 8_192 { try flush() }
    }

    /// Whether the events of signed commands are what the commands decide.
    private lazy var decisions = CommandDecisions(ledgerID: context.ledgerID)

    private func checkDecision(_ e: RecordedEvent, state: StateSource) throws {
        do { try decisions.check(e, state: state) } catch let u as CommandDecisions.Problem { throw SignatureGate.unbelieved(u.position, u.reason) }
    }

    /// At the end of a fold from position 1: a signed command whose last events are missing is reported.
    func finish(at position: UInt64) throws {
        do { try decisions.finish(at: position) } catch let u as CommandDecisions.Problem { throw SignatureGate.unbelieved(u.position, u.reason) }
    }

    static func unbelieved(_ position: UInt64, _ why: String) -> EventLogError {
        .corrupt(position: position, reason: "it is not believed: \(why); it is not folded (run `align verify`)")
    }

    /// Runs the waiting Ed25519 checks on all cores; throws at the first that fails.
    func flush() throws {
        guard !pending.isEmpty else { return }
        let problems = Parallel.map(pending) { $0.problem }
        defer { pending.removeAll(keepingCapacity: true) }
        if let i = problems.firstIndex(where: { $0 != nil }) {
            throw EventLogError.corrupt(position: pending[i].position, reason: "it is not believed: \(problems[i] ?? ""); it is not folded (run `align verify`)")
        }
    }
}

/// Checks that the events recorded from signed commands are exactly what the commands decide: at a command's first event
/// (its id derived from the nonce), decides the command again, as its actor at its business time and recording time,
/// against the state just before it; that event and the ones after it must be the decided ones (type, stream, payload),
/// all carrying the command. So whoever can write the ledger cannot record, under someone's signed command, anything the
/// command does not decide. Fed every event in order (with the state before it) by `verify` and by folds from the log.
struct CommandDecisions {
    struct Problem: Error {
        var position: UInt64
        var reason: String
    }

    let ledgerID: UUID
    /// The events the command being checked still owes, the field they carry and the position of its first event.
    private var owed: (field: [UInt8], events: ArraySlice<DomainEvent>, from: UInt64)?

    init(ledgerID: UUID) { self.ledgerID = ledgerID }

    mutating func check(_ e: RecordedEvent, state: StateSource) throws {
        let isCommand = CommandSignatureField.isCommand(e.signature)
        if let o = owed {
            guard isCommand, e.signature == o.field, let expected = o.events.first else { throw missing(o, at: e.position) }
            try CommandDecisions.match(e, expected)
            owed = o.events.count > 1 ? (o.field, o.events.dropFirst(), o.from) : nil
            return
        }
        guard isCommand, let f = CommandSignatureField(field: e.signature), let line = try? f.command.parsed(),
              e.id == AlignmentLedger.applyEventID(ledgerID: ledgerID, key: line.key) else {
            return  // not a signed command's first event (a catch-up may start after one; `SignatureCheck.inspect` judged it)
        }
        let decided: [DomainEvent]
        do {
            decided = try Decider.decide(line.command, state, DecisionContext(actor: line.actor, at: line.at, recordedAt: e.recordedAt.date,
                                                                              keyID: f.command.keyID))
        } catch {
            throw Problem(position: e.position, reason: "its signed command is refused when decided again: \(error)")
        }
        guard let first = decided.first else { throw Problem(position: e.position, reason: "its signed command decides nothing when decided again") }
        try CommandDecisions.match(e, first)
        owed = decided.count > 1 ? (e.signature, decided.dropFirst(), e.position) : nil
    }

    /// After the last event: a command whose last events are missing is reported at `position`.
    func finish(at position: UInt64) throws {
        if let o = owed { throw missing(o, at: position) }
    }

    private func missing(_ o: (field: [UInt8], events: ArraySlice<DomainEvent>, from: UInt64), at position: UInt64) -> Problem {
        Problem(position: position, reason: "the signed command recorded at position \(o.from) decides \(o.events.count) more event(s) than were recorded after it")
    }

    /// Throws unless the stored event `e` is `expected`: same type, stream and canonical payload.
    private static func match(_ e: RecordedEvent, _ expected: DomainEvent) throws {
        guard e.type == expected.type, e.stream == expected.stream, (try? expected.canonicalPayload()) == e.payload else {
            throw Problem(position: e.position, reason: "it is not what its signed command decides (\(expected.type) on \(expected.stream))")
        }
    }
}
