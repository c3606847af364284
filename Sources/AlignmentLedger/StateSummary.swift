import AlignmentDomain
import AlignmentProjections
import EventLog
import Foundation

/// What was in force at a point of the log: active definitions, open campaigns, leads by status, the content plan.
public struct StateSummary: Encodable, Sendable {
    /// A definition and its active version.
    public struct ActiveDefinition: Encodable, Sendable { public var definition: String; public var version: Int }
    /// A campaign that is not closed, and its status.
    public struct OpenCampaign: Encodable, Sendable { public var campaign: String; public var status: String }
    /// An asset of the content plan and its stage.
    public struct PlannedAsset: Encodable, Sendable { public var asset: String; public var stage: String }

    /// The last position replayed (the position of the last event folded).
    public var position: UInt64
    /// How many events were folded: with a business time, those dated at or before it, wherever they lie in the log.
    public var events: Int
    /// The log's head when it was read (`POSITION:HASH`).
    public var head: String
    /// The business time asked for, if one was.
    public var at: String?
    /// Active definitions, by id.
    public var activeDefinitions: [ActiveDefinition] = []
    /// Campaigns drafted or launched, not closed, by id.
    public var openCampaigns: [OpenCampaign] = []
    /// How many leads are in each status.
    public var leadsByStatus: [String: Int] = [:]
    /// The content plan, by asset.
    public var contentPlan: [PlannedAsset] = []
}

extension AlignmentLedger {
    /// Replays the log up to `position`, or up to and including business time `at`, and summarises the state then.
    public func stateSummary(position: UInt64? = nil, at: Date? = nil) throws -> StateSummary {
        let r = try replay(to: position, asOf: at, [.state])
        var s = StateSummary(position: r.position, events: r.events, head: try log.head().description, at: at.map(DomainTime.format))
        for state in r.state.states.values {
            switch state {
            case .definition(let d): if let v = d.activeVersion { s.activeDefinitions.append(.init(definition: d.id, version: v)) }
            case .campaign(let c): if c.status != .closed && c.status != .none { s.openCampaigns.append(.init(campaign: c.id, status: c.status.rawValue)) }
            case .lead(let x): if x.status != .none { s.leadsByStatus[x.status.rawValue, default: 0] += 1 }
            case .content(let c): if let a = c.asset { s.contentPlan.append(.init(asset: a.asset, stage: a.stage.rawValue)) }
            default: break
            }
        }
        s.activeDefinitions.sort { $0.definition < $1.definition }
        s.openCampaigns.sort { $0.campaign < $1.campaign }
        s.contentPlan.sort { $0.asset < $1.asset }
        return s
    }

    /// Every stream's state replayed up to `position` or before business time `until`, streams without a story left out.
    public func replayedStreams(to position: UInt64? = nil, until: Date? = nil) throws -> ReplayedStreams {
        let r = try replay(to: position, until: until, [.state])
        let streams = r.state.states.filter {
            switch $0.value {
            case .definition(let d): d.exists
            case .campaign(let c): c.exists
            case .lead(let x): x.status != .none
            case .content(let c): c.exists
            default: true
            }
        }
        return ReplayedStreams(position: r.position, streams: streams)
    }

    /// The overrides replayed up to `position` or before business time `until`.
    public func replayedOverrides(to position: UInt64? = nil, until: Date? = nil) throws -> ReplayedOverrides {
        let r = try replay(to: position, until: until, [.audit])
        return ReplayedOverrides(position: r.position, overrides: r.overrides)
    }
}

extension AlignmentLedger {
    /// The scorecard replayed from scratch up to `position` or before business time `until`, by month and actor. `now`
    /// ages the leads open then against the SLA of the policy then: as of `until` (or `now`, when earlier); nil: open
    /// leads are counted, not aged.
    public func replayedScorecard(to position: UInt64? = nil, until: Date? = nil, now: Date? = nil) throws -> Scorecard {
        let r = try replay(to: position, until: until, [.scorecard])
        let aging = try now.map { now in OpenAging(asOf: until.map { min($0, now) } ?? now, slaHours: try r.state.policy().slaHours) }
        return Scorecard.compute(buckets: r.scorecard.buckets.map { ($0.key, $0.value) }, period: .month, since: nil, until: nil, by: .actor,
                                 aging: aging)
    }
}

/// Every stream's state as of a past point, replayed.
public struct ReplayedStreams: Encodable, Sendable {
    /// The last position replayed.
    public var position: UInt64
    /// Each stream's state, by stream name.
    public var streams: [String: EntityState]

    /// How many streams of each kind.
    public var lines: [String] {
        var kinds: [String: Int] = [:]
        for k in streams.keys { kinds[String(k.split(separator: "/").first ?? ""), default: 0] += 1 }
        return Terminal.safe(["state replayed through position \(position): " + kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "),
                "(use --json for every stream's state)"])
    }
}

/// The overrides as of a past point, replayed.
public struct ReplayedOverrides: Encodable, Sendable {
    /// The last position replayed (not in the JSON form).
    public var position: UInt64
    /// The overrides, in log order.
    public var overrides: [OverrideRecord]

    enum CodingKeys: String, CodingKey { case overrides }

    /// A line per override.
    public var lines: [String] {
        Terminal.safe(["audit replayed through position \(position): \(overrides.count) override(s)"]
            + overrides.map {
                "  #\($0.position) \(DomainTime.format($0.at)) (recorded \($0.recordedCell(Policy.defaultMaxBackdateHours))) \($0.actor) \($0.type) \($0.stream): \($0.rule): \($0.reason)"
            })
    }
}
