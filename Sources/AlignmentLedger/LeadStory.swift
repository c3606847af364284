import AlignmentDomain
import AlignmentProjections
import EventLog
import Foundation

/// A lead's whole story, read from its stream: each cycle (a handoff and what followed it: the decision, the
/// conversion, the recycle) oldest first, so an earlier rejection of a recycled lead stays in view, as of a business
/// time or now.
///
/// Its JSON holds the lead's state (`id`, `status`, `handoff`, ... as the kept state has them), then `cycles` and `asOf`.
public struct LeadStory: Encodable, Sendable {
    /// Who did something, and when (business time, recorded time, position in the log).
    public struct Step: Encodable, Sendable {
        public var by: String
        public var at: Date
        public var recordedAt: Date
        public var position: UInt64
    }

    /// Sales' decision on a handoff: accepted, or rejected with a reason code and a note.
    public struct Decision: Encodable, Sendable {
        public var outcome: String
        public var by: String
        public var at: Date
        public var recordedAt: Date
        public var position: UInt64
        public var reason: RejectionReason?
        public var note: String?
    }

    /// A conversion to an opportunity, with its amount.
    public struct Conversion: Encodable, Sendable {
        public var by: String
        public var at: Date
        public var recordedAt: Date
        public var position: UInt64
        public var opportunity: String?
        public var amount: Double?
    }

    /// One handoff and what followed it.
    public struct Cycle: Encodable, Sendable {
        /// The handoff as recorded: definition version, owner, profile, signals, campaign and the brief attached, and
        /// the evaluation against the version's criteria (`evaluation`: each criterion met, failed or missing).
        public var handoff: LeadHandedOff
        public var handedOff: Step
        /// True when the lead names a campaign and no brief of it was published before the handoff.
        public var noBrief: Bool
        public var decision: Decision?
        public var conversion: Conversion?
        public var recycled: Step?
    }

    /// The lead's state (as of `asOf`).
    public var state: LeadState
    /// Every cycle, oldest first.
    public var cycles: [Cycle]
    /// The business time the story is told as of (nil: now).
    public var asOf: Date?

    enum CodingKeys: String, CodingKey { case cycles, asOf }

    public func encode(to encoder: Encoder) throws {
        try state.encode(to: encoder)  // the state's fields at the top, as `lead show --json` has always had them
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cycles, forKey: .cycles)
        try c.encodeIfPresent(asOf, forKey: .asOf)
    }
}

extension AlignmentLedger {
    /// A lead's whole story (as of a business time); `DomainError.notFound` when it has none (then).
    public func leadStory(_ id: String, asOf: Date? = nil) throws -> LeadStory {
        let stream = StreamName.lead(id)
        let events = try streamEvents(stream, asOf: asOf)
        let fold = Projector(tx: nil, enabled: [.state], freshState: true)
        var cycles: [LeadStory.Cycle] = []
        for e in events {
            try fold.apply(e)
            func step() -> LeadStory.Step { .init(by: e.actor, at: e.occurredAt.date, recordedAt: e.recordedAt.date, position: e.position) }
            switch try AlignmentLedger.decodedKnown(e) {
            case .leadHandedOff(let h)?:
                cycles.append(.init(handoff: h, handedOff: step(), noBrief: h.noBrief))
            case .leadAccepted?:
                cycles.indices.last.map { cycles[$0].decision = .init(outcome: "accepted", by: e.actor, at: e.occurredAt.date, recordedAt: e.recordedAt.date, position: e.position) }
            case .leadRejected(let r)?:
                cycles.indices.last.map {
                    cycles[$0].decision = .init(outcome: "rejected", by: e.actor, at: e.occurredAt.date, recordedAt: e.recordedAt.date, position: e.position,
                                                reason: r.reason, note: r.note)
                }
            case .leadConverted(let c)?:
                cycles.indices.last.map {
                    cycles[$0].conversion = .init(by: e.actor, at: e.occurredAt.date, recordedAt: e.recordedAt.date, position: e.position,
                                                  opportunity: c.opportunity, amount: c.amount)
                }
            case .leadRecycled?:
                cycles.indices.last.map { cycles[$0].recycled = step() }
            default:
                break
            }
        }
        guard case .lead(let state)? = try fold.state.state(stream), state.status != .none else {
            throw DomainError.notFound("no lead '\(id)'\(AlignmentLedger.asOfNote(asOf)); see `align lead list`")
        }
        return LeadStory(state: state, cycles: cycles, asOf: asOf)
    }
}
