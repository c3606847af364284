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

    enum CodingKeys: String, CodingKey { case ok, events, head, seconds, firstBadPosition, reason, checkpointMatched, signatures }

    /// Sound with the head and the checkpoint it extends, or the first bad position.
    public var lines: [String] {
        if let firstBadPosition { return [Terminal.safe("NOT SOUND: first bad position \(firstBadPosition): \(reason ?? "")")] }
        var out = ["sound: \(events) events, chain, indexes and signatures check out (\(FixedPoint.format(seconds, places: 2)) s)", "head \(head)"]
        if let s = signatures {
            out.append("signatures: \(s.signed) signed by \(s.keys) key\(s.keys == 1 ? "" : "s")"
                       + (s.imported > 0 ? " (\(s.imported) imports signed by revops)" : "") + ", \(s.unsigned) unsigned"
                       + (s.checksPerSecond > 0 ? "; \(Int(s.checksPerSecond)) Ed25519 checks/s" : ""))
            if let g = s.genesisKey { out.append("genesis key \(g) (keep it beside your checkpoint)") }
        }
        return out + (checkpointMatched == true ? ["the log extends checkpoint \(checkpoint.map(\.description) ?? "")"] : [])
    }
}

extension AlignmentLedger {
    /// `verify`, timed, as an answer a front end prints.
    public func verifyAnswer(checkpoint: Checkpoint?, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> VerifyAnswer {
        let started = Date()
        let r = try verify(checkpoint: checkpoint, progress: progress)
        // Signatures are checked on a sound chain only: a damaged record names its position already.
        let s = r.isSound ? try verifySignatures(progress: progress) : nil
        let problem = r.problem.map { ($0.position, $0.reason) }
            ?? s?.firstBadPosition.map { ($0, "bad signature: " + (s?.reason ?? "")) }
        return VerifyAnswer(ok: problem == nil, events: r.events, head: r.head.description, seconds: Date().timeIntervalSince(started),
                            firstBadPosition: problem?.0, reason: problem?.1, checkpointMatched: r.checkpointMatched,
                            signatures: s, checkpoint: checkpoint)
    }
}
