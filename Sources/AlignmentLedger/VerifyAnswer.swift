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
    /// The checkpoint given (not in the JSON form).
    var checkpoint: Checkpoint?

    enum CodingKeys: String, CodingKey { case ok, events, head, seconds, firstBadPosition, reason, checkpointMatched }

    /// Sound with the head and the checkpoint it extends, or the first bad position.
    public var lines: [String] {
        if let firstBadPosition { return [Terminal.safe("NOT SOUND: first bad position \(firstBadPosition): \(reason ?? "")")] }
        return ["sound: \(events) events, chain and indexes check out (\(FixedPoint.format(seconds, places: 2)) s)", "head \(head)"]
            + (checkpointMatched == true ? ["the log extends checkpoint \(checkpoint.map(\.description) ?? "")"] : [])
    }
}

extension AlignmentLedger {
    /// `verify`, timed, as an answer a front end prints.
    public func verifyAnswer(checkpoint: Checkpoint?, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> VerifyAnswer {
        let started = Date()
        let r = try verify(checkpoint: checkpoint, progress: progress)
        return VerifyAnswer(ok: r.isSound, events: r.events, head: r.head.description, seconds: Date().timeIntervalSince(started),
                            firstBadPosition: r.problem?.position, reason: r.problem?.reason, checkpointMatched: r.checkpointMatched,
                            checkpoint: checkpoint)
    }
}
