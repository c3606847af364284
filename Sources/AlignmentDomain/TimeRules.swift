import Foundation
import ISOTime

// Honest business time. A command's business time (`--at`) is the caller's claim; its recorded time is the log's
// clock. The claim may not lie in the future, before what the command depends on, or before the last event of its
// stream; backdating past the policy's window needs an override (or an import, which keeps history's dates in the
// open); and a command is judged by the policy and the actor's roles in force at its business time.

extension Rule {
    /// The business time is later than the recorded time plus `BusinessTime.clockSkew`.
    public static let notInFuture = "business-time-not-in-future"
    /// The business time is earlier than what the command depends on (a sign-off before its proposal, an acceptance
    /// before its handoff, a review before its draft, a signal after its handoff, a fulfilment before its request).
    public static let afterDependency = "business-time-after-dependency"
    /// The business time is earlier than the last event already on the same stream.
    public static let streamOrder = "business-time-stream-order"
    /// The business time is earlier than the recorded time by more than the policy's `maxBackdateHours`.
    public static let maxBackdate = "max-backdate"
}

/// Business-time arithmetic shared by the rules and the views.
public enum BusinessTime {
    /// How far a business time may lie after its recording (clocks disagree a little).
    public static let clockSkew: TimeInterval = 300
    /// The earliest business time: 1970-01-01T00:00:00Z.
    public static let earliest = Date(timeIntervalSince1970: 0)
    /// The latest business time: 9999-12-31T23:59:59.999999Z.
    public static let latest = Date(timeIntervalSince1970: 253_402_300_799.999_999)

    /// The later of an optional time and a time.
    public static func later(_ a: Date?, _ b: Date) -> Date { a.map { max($0, b) } ?? b }

    /// Where an event stands in its stream's order: its business time, but no later than its recording plus the
    /// clock skew. The same as the business time for every event these rules accept; an event of an older ledger
    /// dated in the future of its recording (year 9999) would otherwise close its stream to every later command.
    public static func streamTime(_ r: Recorded) -> Date { min(r.at, r.recordedAt.addingTimeInterval(clockSkew)) }

    /// Whether `t` lies in the years 1970–9999 (UTC).
    public static func inRange(_ t: Date) -> Bool { t >= earliest && t <= latest }

    /// Whether an entry recorded at `recordedAt` for business time `at` was backdated by more than `hours`.
    public static func isBackdated(at: Date, recordedAt: Date, hours: Int) -> Bool {
        recordedAt.timeIntervalSince(at) > Double(hours) * 3600
    }

    /// `backdated 19d` when the entry was backdated by more than `hours`, else nil (what views print beside it).
    public static func mark(at: Date, recordedAt: Date, hours: Int) -> String? {
        isBackdated(at: at, recordedAt: recordedAt, hours: hours) ? "backdated " + span(recordedAt.timeIntervalSince(at)) : nil
    }

    /// A duration in its largest whole unit: `19d`, `5h`, `12m`, `40s`.
    public static func span(_ seconds: TimeInterval) -> String {
        let s = Int(max(0, seconds))
        if s >= 86_400 { return "\(s / 86_400)d" }
        if s >= 3600 { return "\(s / 3600)h" }
        if s >= 60 { return "\(s / 60)m" }
        return "\(s)s"
    }
}

// MARK: - Policies and roles over business time

/// A policy and the business time from which it was in force.
public struct PolicySpan: Codable, Equatable, Sendable {
    public var from: Date
    public var policy: Policy

    public init(from: Date, policy: Policy) {
        self.from = from
        self.policy = policy
    }
}

/// An actor's roles and whether they could act, from a business time on (until the next status).
public struct ActorStatus: Codable, Equatable, Sendable {
    public var from: Date
    public var roles: [Role]
    public var active: Bool

    public init(from: Date, roles: [Role], active: Bool) {
        self.from = from
        self.roles = roles
        self.active = active
    }
}

/// What the ledger stream says over business time: every policy with the time it came into force, every actor's
/// status changes (registration, roles, deactivation), and the stream's latest business time. Each list is kept in
/// business-time order (a later change at the same time comes after), so a ledger written before these rules, whose
/// times may go back and forth, still answers `policy(at:)` and `status(of:at:)` by business time.
public struct LedgerTimeline: Codable, Equatable, Sendable {
    public var policies: [PolicySpan] = []
    public var actors: [String: [ActorStatus]] = [:]
    /// The latest business time of the `ledger` stream's events.
    public var lastAt: Date?

    public init() {}

    /// A value with every field given (the kept-state codec builds them).
    public init(policies: [PolicySpan], actors: [String: [ActorStatus]], lastAt: Date?) {
        self.policies = policies
        self.actors = actors
        self.lastAt = lastAt
    }

    /// Folds one event of the `ledger` stream; `current` is the actors' state before it. A change that leaves the policy
    /// or the actor's status as it was at that time adds nothing (a ledger may hold many such events).
    mutating func evolve(_ r: Recorded, actors current: [String: ActorInfo]) {
        lastAt = BusinessTime.later(lastAt, BusinessTime.streamTime(r))
        switch r.event {
        case .policyChanged(let e):
            LedgerTimeline.insert(PolicySpan(from: r.at, policy: e.policy), into: &policies, from: \.from) { $0.policy == $1.policy }
        case .actorRegistered(let e):
            add(e.actor, ActorStatus(from: r.at, roles: e.roles, active: true))
        case .actorRolesChanged(let e):
            add(e.actor, ActorStatus(from: r.at, roles: e.roles, active: current[e.actor]?.active ?? true))
        case .actorDeactivated(let e):
            add(e.actor, ActorStatus(from: r.at, roles: current[e.actor]?.roles ?? [], active: false))
        default:
            break
        }
    }

    private mutating func add(_ actor: String, _ s: ActorStatus) {
        LedgerTimeline.insert(s, into: &actors[actor, default: []], from: \.from) { $0.roles == $1.roles && $0.active == $1.active }
    }

    /// Inserts `item` after every element that starts at or before it (in place; O(1) when it comes last, as it does
    /// once the stream-order rule holds), unless the element it follows already says the same (`same`).
    static func insert<T>(_ item: T, into list: inout [T], from: KeyPath<T, Date>, same: (T, T) -> Bool) {
        let i = after(item[keyPath: from], in: list, from)
        if i > 0, same(list[i - 1], item) { return }
        if i == list.count { list.append(item) } else { list.insert(item, at: i) }
    }

    /// The index of the first element starting later than `t` in a list in ascending order of `from`.
    static func after<T>(_ t: Date, in list: [T], _ from: KeyPath<T, Date>) -> Int {
        if let last = list.last, last[keyPath: from] <= t { return list.count }
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid][keyPath: from] <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The policy in force at business time `t` (nil before the first one).
    public func policy(at t: Date) -> Policy? {
        let i = LedgerTimeline.after(t, in: policies, \.from)
        return i > 0 ? policies[i - 1].policy : nil
    }

    /// An actor's status at business time `t` (nil when they were not registered yet).
    public func status(of actor: String, at t: Date) -> ActorStatus? {
        guard let list = actors[actor] else { return nil }
        let i = LedgerTimeline.after(t, in: list, \.from)
        return i > 0 ? list[i - 1] : nil
    }
}

extension LedgerState {
    /// The policy in force at business time `t` (the first policy before the first change; the current one for a
    /// state without a timeline).
    public func policy(at t: Date) -> Policy {
        timeline.policy(at: t) ?? timeline.policies.first?.policy ?? policy
    }

    /// An actor's status (roles, active) at business time `t`; nil when they were not registered yet.
    public func status(of actor: String, at t: Date) -> ActorStatus? {
        timeline.status(of: actor, at: t)
    }
}

// MARK: - The rules

extension DecisionContext {
    /// How long before its recording the command's business time lies (negative: after it).
    public var backdating: TimeInterval { recordedAt.timeIntervalSince(at) }
}

extension Decider {
    /// Refuses a business time outside 1970–9999 (`.invalid`) or later than the recorded time plus the clock skew.
    static func checkClock(_ ctx: DecisionContext) throws {
        guard BusinessTime.inRange(ctx.at) else {
            throw DomainError.invalid("business time \(DomainTime.format(ctx.at)) is outside the years 1970–9999")
        }
        guard ctx.at.timeIntervalSince(ctx.recordedAt) <= BusinessTime.clockSkew else {
            throw DomainError.refused(rule: Rule.notInFuture, message: "business time \(DomainTime.format(ctx.at)) is in the future: it is now "
                + "\(DomainTime.format(ctx.recordedAt)) (\(Int(BusinessTime.clockSkew / 60)) minutes of clock skew allowed); record it when it happens")
        }
    }

    /// The roles `actor` acts with: those they held at the business time, and (unless the command is an import, where
    /// history keeps its people) still hold now. Refuses an actor not registered or not active at the business time.
    static func rolesInForce(_ ledger: LedgerState, _ actor: ActorInfo, _ ctx: DecisionContext) throws -> Set<Role> {
        let when = DomainTime.format(ctx.at)
        guard let then = ledger.status(of: actor.id, at: ctx.at) else {
            // A CRM import's people: the ledger did not know them yet then; they act with the roles they hold now.
            if ctx.source != nil, actor.active { return Set(actor.roles) }
            let since = ledger.timeline.actors[actor.id]?.first.map { " (registered at \(DomainTime.format($0.from)))" } ?? ""
            throw DomainError.refused(rule: Rule.activeActor, message: "'\(actor.id)' was not registered yet at \(when)\(since); a command is judged by the people and roles in force at its business time")
        }
        guard then.active else {
            throw DomainError.refused(rule: Rule.activeActor, message: "actor '\(actor.id)' was deactivated at \(when) and could not act then")
        }
        return ctx.imported ? Set(then.roles) : Set(then.roles).intersection(actor.roles)
    }

    /// The roles of a refusal message: now, and at the business time when they differ.
    static func describeRoles(_ ledger: LedgerState, _ actor: ActorInfo, _ ctx: DecisionContext) -> String {
        let now = actor.roles.map(\.rawValue).joined(separator: ", ")
        guard let then = ledger.status(of: actor.id, at: ctx.at), Set(then.roles) != Set(actor.roles) else { return now }
        return "\(now) (at \(DomainTime.format(ctx.at)): \(then.roles.map(\.rawValue).joined(separator: ", ")); a role counts only if held then and now)"
    }

    /// Genesis: `init`'s business time must lie in 1970–9999, not in the future, and not before its recording by more
    /// than the default window (a new ledger has no history to keep).
    public static func checkGenesis(at: Date, recordedAt: Date) throws {
        let ctx = DecisionContext(actor: "", at: at, recordedAt: recordedAt)
        try checkClock(ctx)
        let window = Policy().maxBackdateHours
        if BusinessTime.isBackdated(at: at, recordedAt: recordedAt, hours: window) {
            throw DomainError.refused(rule: Rule.maxBackdate, message: "a new ledger cannot begin \(BusinessTime.span(ctx.backdating)) before it is "
                + "created (at most \(window) hours); create it now, and import older history")
        }
    }
}

extension Command {
    /// Whether the command takes `--override --reason` (and so can record an override of `max-backdate`).
    var takesOverride: Bool {
        switch self {
        case .definitionActivate, .campaignLaunch, .leadHandoff: true
        default: false
        }
    }
}

extension Rules {
    /// Backdating past the window of the policy in force now, unless the command is an import: the failed check, to
    /// refuse, or to record as the override of an overridable command.
    var backdateFailure: (rule: String, message: String)? {
        guard !ctx.imported else { return nil }
        let hours = ledger.policy.maxBackdateHours
        guard BusinessTime.isBackdated(at: ctx.at, recordedAt: ctx.recordedAt, hours: hours) else { return nil }
        return (Rule.maxBackdate, "business time \(DomainTime.format(ctx.at)) is \(BusinessTime.span(ctx.backdating)) before it is recorded "
            + "(\(DomainTime.format(ctx.recordedAt))); the policy allows \(hours) hours. Record it at its real time, or have revops "
            + "import it (history keeps its dates, in the open)")
    }

    /// The time rules every command passes before its own: what it depends on, then the order of its stream, then the
    /// backdating window for the commands that cannot record an override (the others check it with their overrides).
    func checkBusinessTime(_ command: Command) throws {
        try checkDependencies(command)
        if let (stream, last) = try lastOfStream(command), ctx.at < last {
            throw refuse(Rule.streamOrder, "'\(stream)' already has an event at \(DomainTime.format(last)); a new one cannot be dated "
                + "\(DomainTime.format(ctx.at)), before it")
        }
        if let f = backdateFailure, !command.takesOverride { throw refuse(f.rule, f.message) }
    }

    /// An `Overridable` that also sets aside backdating past the window, recorded when it is the only failed check.
    func overridable(_ reason: String?) -> Overridable {
        var o = Overridable(reason: reason, flagging: reason == nil ? ctx.source : nil)
        if let f = backdateFailure {
            o.last = (f.rule, reason == nil ? f.message + ", or have revops run it with --override --reason TEXT" : f.message)
        }
        return o
    }

    private func checkDependencies(_ command: Command) throws {
        func notBefore(_ t: Date?, _ what: @autoclosure () -> String) throws {
            guard let t, ctx.at < t else { return }
            throw refuse(Rule.afterDependency, "business time \(DomainTime.format(ctx.at)) is before \(what()) at \(DomainTime.format(t))")
        }
        switch command {
        case .definitionSignOff(let id, let v, _), .definitionReject(let id, let v, _), .definitionActivate(let id, let v, _):
            try notBefore(try source.definition(id).version(v)?.proposedAt, "the proposal of '\(id)' v\(v)")
        case .campaignRequestReview(let id), .campaignReview(let id, _, _), .campaignLaunch(let id, _):
            try notBefore(try source.campaign(id).draftedAt, "the latest draft of campaign '\(id)'")
        case .leadAccept(let id), .leadReject(let id, _, _):
            try notBefore(try source.lead(id).handedOffAt, "the handoff of lead '\(id)'")
        case .leadConvert(let id, _, _):
            try notBefore(try source.lead(id).decidedAt, "the acceptance of lead '\(id)'")
        case .leadHandoff(let h):
            if let late = h.signals.first(where: { $0.at > ctx.at }) {
                throw refuse(Rule.afterDependency, "signal '\(late.name)' at \(DomainTime.format(late.at)) is after the handoff's business time "
                    + "\(DomainTime.format(ctx.at)); a handoff carries what happened before it")
            }
        case .contentRequest(_, _, _, let lead?, _):
            try notBefore(try source.lead(lead).handedOffAt, "the handoff of lead '\(lead)'")
        case .contentTriage(let id, _, _, _, _), .contentFulfil(let id, _):
            try notBefore(try source.content(id).requestedAt, "content request '\(id)'")
        default:
            break
        }
    }

    /// The stream the command appends to and the latest business time already on it (nil: no events yet).
    private func lastOfStream(_ command: Command) throws -> (String, Date)? {
        let stream: String
        let last: Date?
        switch command {
        case .actorAdd, .actorRoles, .actorDeactivate, .policySet, .actorKeyAdd, .actorKeyRotate, .actorKeyRevoke,
             .policyRequireSignatures, .importRecords:
            (stream, last) = (StreamName.ledger, ledger.timeline.lastAt)
        case .definitionPropose(let id, _, _, _, _), .definitionSignOff(let id, _, _), .definitionReject(let id, _, _),
             .definitionActivate(let id, _, _), .definitionRetire(let id):
            (stream, last) = (StreamName.definition(id), try source.definition(id).lastAt)
        case .campaignDraft(let id, _, _, _, _, _), .campaignRequestReview(let id), .campaignReview(let id, _, _),
             .campaignBrief(let id, _, _, _), .campaignLaunch(let id, _), .campaignClose(let id):
            (stream, last) = (StreamName.campaign(id), try source.campaign(id).lastAt)
        case .leadHandoff(let h):
            (stream, last) = (StreamName.lead(h.id), try source.lead(h.id).lastAt)
        case .leadAccept(let id), .leadReject(let id, _, _), .leadConvert(let id, _, _), .leadRecycle(let id):
            (stream, last) = (StreamName.lead(id), try source.lead(id).lastAt)
        case .contentPlan(let id, _, _, _), .contentRequest(let id, _, _, _, _), .contentTriage(let id, _, _, _, _), .contentFulfil(let id, _):
            (stream, last) = (StreamName.content(id), try source.content(id).lastAt)
        }
        return last.map { (stream, $0) }
    }
}

// MARK: - Times typed by people

extension DomainTime {
    /// Why `text` is not a business time the ledger takes, for the person who typed it: a day that does not exist,
    /// a year outside 1970–9999, or not ISO 8601 at all. nil when `parse` accepts it.
    public static func problem(_ text: String) -> String? {
        guard let us = ISOTime.parse(text) else {
            let u = Array(text.utf8)
            func num(_ r: Range<Int>) -> Int? {
                guard r.upperBound <= u.count, u[r].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
                return u[r].reduce(0) { $0 * 10 + Int($1 - 48) }
            }
            if u.count >= 10, u[4] == 45, u[7] == 45, let y = num(0..<4), let m = num(5..<7), let d = num(8..<10) {
                if !(1...12).contains(m) { return "\(text.debugDescription) has no month \(m): months are 01 to 12" }
                let days = [31, y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
                if d < 1 || d > days {
                    return "\(text.debugDescription) is not a day of the calendar: \(String(text.prefix(7))) has \(days) days"
                }
            }
            return "\(text.debugDescription) is not an ISO 8601 time such as 2026-03-01T09:00:00Z (or a date, 2026-03-01)"
        }
        if isLeapSecond(text) {
            return "\(text.debugDescription) is a leap second, which would be stored as the next second; give :59 or the next minute"
        }
        let d = Date(timeIntervalSince1970: Double(us) / 1_000_000)
        guard BusinessTime.inRange(d) else { return "\(text.debugDescription) is outside the years 1970–9999 (UTC)" }
        guard Int64((d.timeIntervalSince1970 * 1_000_000).rounded()) == us else {
            return "\(text.debugDescription) is more precise than the ledger keeps for its year; give whole seconds"
        }
        return nil
    }

    /// Whether `text` names second 60 (`23:59:60Z`): `ISOTime` reads it as the next second, which would not read back
    /// as typed.
    static func isLeapSecond(_ text: String) -> Bool {
        let u = Array(text.utf8.prefix(19))
        return u.count == 19 && (u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: "t") || u[10] == 32) && u[13] == 58 && u[16] == 58
            && u[17] == UInt8(ascii: "6") && u[18] == UInt8(ascii: "0")
    }

    /// `parse`, or a `.invalid` error saying what is wrong with the text (`what` names where it was given).
    public static func parse(_ text: String, _ what: String) throws(DomainError) -> Date {
        if let d = parse(text) { return d }
        throw .invalid("\(what): \(problem(text) ?? "\(text.debugDescription) is not an ISO 8601 time")")
    }
}
