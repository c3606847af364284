import EventLog
import Foundation

/// What `verify` found, with how long it took: sound with the head (and whether it extends the checkpoint given),
/// or the first bad position and why.
public struct VerifyAnswer: Encodable, Sendable {
    /// Whether the chain and the indexes check out.
    public var ok: Bool
    /// The events checked.
    public var events: UInt64
    /// The head (`POSITION:HASH`).
    public var head: String
    /// How long it took.
    public var seconds: Double
    /// The first position that does not check out.
    public var firstBadPosition: UInt64?
    /// Why it does not.
    public var reason: String?
    /// Whether the log extends the checkpoint given (nil: none was).
    public var checkpointMatched: Bool?
    /// The signatures: how many are signed, by how many keys, how many unsigned (nil when the chain failed first).
    public var signatures: SignatureReport?
    /// The kept read models compared with a fresh fold of the log (nil when an earlier part failed first).
    public var models: ModelsReport?
    /// How long each part took, in order: chain, indexes (beside the chain), signatures, models.
    public var parts: [VerifyPart] = []
    /// The checkpoint given (not in the JSON form).
    var checkpoint: Checkpoint?
    /// The Merkle tree's root over every event, recomputed from the records, and the leaves the stored tree covers.
    public var treeRoot: String?
    public var treeStored: UInt64?
    /// The signed checkpoint given, checked and extended by the ledger (with the consistency proof).
    public var signedCheckpoint: CheckpointVerdict?
    /// `ROLLBACK` or `FORK` when the ledger does not extend the signed checkpoint given, with both heads.
    public var verdict: String?
    public var heads: CheckpointHeads?

    enum CodingKeys: String, CodingKey {
        case ok, events, head, seconds, firstBadPosition, reason, checkpointMatched, signatures, models, parts, treeRoot, treeStored,
             signedCheckpoint, verdict, heads
    }

    /// Sound with the head and the checkpoint it extends, or the first bad position (or read model row).
    public var lines: [String] {
        if let firstBadPosition { return [Terminal.safe("NOT SOUND: first bad position \(firstBadPosition): \(reason ?? "")")] }
        if let verdict, let h = heads {
            return [Terminal.safe("NOT SOUND: \(verdict): \(reason ?? "")"),
                    "signed checkpoint: \(h.checkpointSize) events, root \(h.checkpointRoot)",
                    "this ledger:       \(h.ledgerSize) events, root \(h.ledgerRoot)"
                    + (h.ledgerRootAtCheckpoint.map { "; at \(h.checkpointSize) events, root \($0)" } ?? "")] + partLines
        }
        if !ok { return [Terminal.safe("NOT SOUND: \(reason ?? "")")] + partLines }
        let what = models?.checked == true ? "chain, indexes, signatures and read models check out" : "chain, indexes and signatures check out"
        var out = ["sound: \(events) events, \(what) (\(FixedPoint.format(seconds, places: 2)) s)", "head \(head)"]
        if let s = signatures {
            out.append("signatures: \(s.signed) signed by \(s.keys) key\(s.keys == 1 ? "" : "s")"
                       + (s.imported > 0 ? " (\(s.imported) imports signed by revops)" : "") + ", \(s.unsigned) unsigned"
                       + (s.checksPerSecond > 0 ? "; \(Int(s.checksPerSecond)) Ed25519 checks/s" : ""))
            if let g = s.genesisKey { out.append("genesis key \(g) (keep it beside your checkpoint)") }
        }
        if let treeRoot, let treeStored {
            out.append(treeStored == events ? "merkle tree: root \(treeRoot), every stored hash recomputed from the records"
                       : "merkle tree: covers \(treeStored) of \(events) events (written by an older build; the next write completes it)")
        }
        if let c = signedCheckpoint {
            out.append(Terminal.safe("the ledger extends the signed checkpoint of \(c.size) events (\(c.origin), root \(c.root)): consistency proof of \(c.consistency.count) hashes checked"))
        }
        if let m = models {
            if m.checked {
                out.append("read models: \(m.rows) rows of rm.state, rm.scorecard, rm.audit-actor, rm.audit-overrides and the checkpoints equal a fresh fold of positions 1-\(m.position)")
            } else if let note = m.note {
                out.append("read models: not compared: \(note)")
            }
        }
        return out + partLines + (checkpointMatched == true ? ["the log extends checkpoint \(checkpoint.map(\.description) ?? "")"] : [])
    }

    /// One line per part: its time and rate.
    var partLines: [String] {
        parts.isEmpty ? [] : ["parts: " + parts.map(\.text).joined(separator: "; ")]
    }
}

/// One part of `verify`: what it checked, how long it took and at what rate.
public struct VerifyPart: Encodable, Sendable {
    /// `chain`, `indexes`, `signatures` or `models`.
    public var name: String
    public var seconds: Double
    /// Events per second (for `models`: events folded per second, fold and compare together).
    public var eventsPerSecond: Double
    /// Rows compared per second (`models` only).
    public var rowsPerSecond: Double?
    /// Whether it ran beside another part (the index walks run on a second thread beside the chain).
    public var concurrent: Bool?

    init(_ name: String, seconds: Double, events: UInt64, rows: Int? = nil, concurrent: Bool? = nil) {
        self.name = name
        self.seconds = seconds
        eventsPerSecond = seconds > 0 ? Double(events) / seconds : 0
        rowsPerSecond = rows.map { seconds > 0 ? Double($0) / seconds : 0 }
        self.concurrent = concurrent
    }

    var text: String {
        "\(name) \(FixedPoint.format(seconds, places: 3)) s (\(Int(eventsPerSecond)) events/s"
            + (rowsPerSecond.map { ", \(Int($0)) rows/s" } ?? "") + (concurrent == true ? ", beside the chain" : "") + ")"
    }
}

extension AlignmentLedger {
    /// `verify`, timed, as an answer a front end prints.
    /// With `signed` (a signed checkpoint note, and the verifier key to check it with, or nil for the key pinned in
    /// the ledger), a sound ledger must also extend that checkpoint: otherwise the answer is a ROLLBACK or a FORK.
    public func verifyAnswer(checkpoint: Checkpoint?, signed: (note: String, vkey: String?)? = nil,
                             progress: ((UInt64, UInt64) -> Void)? = nil) throws -> VerifyAnswer {
        let started = Date()
        // The note's signature first: a note that does not check is refused before the long walk.
        if let signed { _ = try TreeCheckpoint.open(signed.note, verifiers: try verifiers(signed.vkey)) }
        var parts: [VerifyPart] = []
        var mark = Date()
        func lap() -> Double { defer { mark = Date() }; return Date().timeIntervalSince(mark) }
        let r = try verify(checkpoint: checkpoint, progress: progress)
        parts.append(VerifyPart("chain", seconds: lap(), events: r.events))
        if let s = r.indexSeconds { parts.append(VerifyPart("indexes", seconds: s, events: r.events, concurrent: true)) }
        // Every record and index entry found by a search too (the walks above never read the branch pages' keys).
        var hidden: (UInt64, String)?
        if r.isSound {
            _ = lap()
            if let u = try log.firstUnreachable() {
                let position = u.table == "records" && u.key.count == 8 ? u.key.dropFirst().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } : 1
                hidden = (position, "a search of the \(u.table) for " + (u.table == "records" ? "this record" : "an entry")
                          + " does not find it, though a walk meets it (a damaged branch page): reads would miss it")
            }
            parts.append(VerifyPart("searches", seconds: lap(), events: r.events))
        }
        // Signatures are checked on a sound chain only: a damaged record names its position already.
        let s = r.isSound && hidden == nil ? try verifySignatures(progress: progress) : nil
        if s != nil { parts.append(VerifyPart("signatures", seconds: lap(), events: r.events)) }
        // The read models, against a fold of a log proven sound (a fold of a damaged one proves nothing).
        let m = s != nil && s?.firstBadPosition == nil ? try verifyModels() : nil
        if let m, m.checked { parts.append(VerifyPart("models", seconds: m.seconds, events: m.position, rows: m.rows)) }
        let problem = r.problem.map { ($0.position, $0.reason) } ?? hidden
            ?? s?.firstBadPosition.map { ($0, "bad signature: " + (s?.reason ?? "")) }
        let modelProblem = m?.problem
        var answer = VerifyAnswer(ok: problem == nil && modelProblem == nil, events: r.events, head: r.head.description,
                                  seconds: Date().timeIntervalSince(started),
                                  firstBadPosition: problem?.0, reason: problem?.1 ?? modelProblem?.description, checkpointMatched: r.checkpointMatched,
                                  signatures: s, models: m, parts: parts, checkpoint: checkpoint)
        answer.treeRoot = r.treeRoot.hex
        answer.treeStored = r.treeStored
        if let signed, answer.ok {
            do {
                answer.signedCheckpoint = try checkCheckpoint(note: signed.note, vkey: signed.vkey)
            } catch let e as CheckpointError {
                switch e {
                case .rollback(let h): (answer.verdict, answer.heads) = ("ROLLBACK", h)
                case .fork(let h): (answer.verdict, answer.heads) = ("FORK", h)
                default: throw e
                }
                (answer.ok, answer.reason) = (false, e.finding)
            }
            answer.seconds = Date().timeIntervalSince(started)
        }
        return answer
    }
}
