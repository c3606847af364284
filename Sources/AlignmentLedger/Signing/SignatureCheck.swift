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

        /// Records what an event tells the next one (call after checking it).
        mutating func passed(_ e: RecordedEvent, decoded: DomainEvent?) {
            previous = e.hash
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
        report.keys = keys.count
        report.checksPerSecond = cryptoSeconds > 0 ? Double(checked) / cryptoSeconds : 0
        return report
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

    /// Checks `e` (the next event of the log); the Ed25519 check may wait for `flush`.
    func check(_ e: RecordedEvent, decoded: DomainEvent?) throws {
        switch SignatureCheck.inspect(e, decoded: decoded, ledger: ledger, context: context, crypto: crypto(e)) {
        case .bad(let why): throw EventLogError.corrupt(position: e.position, reason: "it is not believed: \(why); it is not folded (run `align verify`)")
        case .unsigned, .skipped: break
        case .pending(let p, _): pending.append(p)
        }
        context.passed(e, decoded: decoded)
        if e.stream == StreamName.ledger, let d = decoded {
            ledger.evolve(Recorded(event: d, actor: e.actor, at: e.occurredAt.date, position: e.position))
        }
        if pending.count >= 8_192 { try flush() }
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
