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
        case ok, events, head, seconds, firstBadPosition, reason, checkpointMatched, signatures, treeRoot, treeStored, signedCheckpoint, verdict, heads
    }

    /// Sound with the head and the checkpoint it extends, or the first bad position.
    public var lines: [String] {
        if let firstBadPosition { return [Terminal.safe("NOT SOUND: first bad position \(firstBadPosition): \(reason ?? "")")] }
        if let verdict, let h = heads {
            return [Terminal.safe("NOT SOUND: \(verdict): \(reason ?? "")"),
                    "signed checkpoint: \(h.checkpointSize) events, root \(h.checkpointRoot)",
                    "this ledger:       \(h.ledgerSize) events, root \(h.ledgerRoot)"
                    + (h.ledgerRootAtCheckpoint.map { "; at \(h.checkpointSize) events, root \($0)" } ?? "")]
        }
        var out = ["sound: \(events) events, chain, indexes and signatures check out (\(FixedPoint.format(seconds, places: 2)) s)", "head \(head)"]
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
        return out + (checkpointMatched == true ? ["the log extends checkpoint \(checkpoint.map(\.description) ?? "")"] : [])
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
        let r = try verify(checkpoint: checkpoint, progress: progress)
        // Signatures are checked on a sound chain only: a damaged record names its position already.
        let s = r.isSound ? try verifySignatures(progress: progress) : nil
        let problem = r.problem.map { ($0.position, $0.reason) }
            ?? s?.firstBadPosition.map { ($0, "bad signature: " + (s?.reason ?? "")) }
        var answer = VerifyAnswer(ok: problem == nil, events: r.events, head: r.head.description, seconds: Date().timeIntervalSince(started),
                                  firstBadPosition: problem?.0, reason: problem?.1, checkpointMatched: r.checkpointMatched,
                                  signatures: s, checkpoint: checkpoint)
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
                (answer.ok, answer.reason) = (false, e.description)
            }
            answer.seconds = Date().timeIntervalSince(started)
        }
        return answer
    }
}
