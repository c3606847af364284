// The ledger service on a real LMDB ledger in a temporary directory: refused commands write nothing, `apply` is
// all-or-nothing and reports every bad line, reopening gives the same state, and the kept read model equals a
// rebuild and a replay from scratch.
import Foundation
import Testing
import AlignmentDomain
@testable import AlignmentLedger
import AlignmentProjections
import EventLog
import EventLogLMDB
import SplitMix

// MARK: - Support

/// A fresh ledger path under the temporary directory (not created), removed afterwards.
func withLedgerDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("alignment-ledger-tests-\(UUID().uuidString)", isDirectory: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// 2026-03-01T09:00:00Z.
let ledgerT0 = Date(timeIntervalSince1970: 1_772_355_600)

/// A clock a test sets: the log's recording time (`AlignmentLedger.create(..., clock:)`).
final class TestClock: @unchecked Sendable {
    // @unchecked: `value` is only read and written under `lock`.
    private let lock = NSLock()
    private var value: Timestamp
    init(_ start: Date) { value = Timestamp(start) }
    var now: Timestamp { lock.withLock { value } }
    func set(_ d: Date) { lock.withLock { value = Timestamp(d) } }
    /// Sets the clock to `d` and answers it (a command recorded at its business time).
    func jump(_ d: Date) -> Date {
        set(d)
        return d
    }
    /// The clock as a ledger takes it.
    var read: @Sendable () -> Timestamp { { [self] in now } }
}

/// A ledger with its business clock: each `run` happens one minute after the previous one, and is recorded then
/// (the log's clock follows the business clock, as when people record what they do as they do it).
final class Fixture {
    let path: String
    var ledger: AlignmentLedger
    let clock = TestClock(ledgerT0)
    private(set) var minute = 0

    init(path: String) throws {
        self.path = path
        (ledger, _) = try AlignmentLedger.create(at: path, admin: "rita", name: "Rita Revops", at: ledgerT0, clock: clock.read)
    }

    /// A ledger kept in memory.
    init(inMemory: Void) throws {
        path = "memory"
        (ledger, _) = try AlignmentLedger.createInMemory(admin: "rita", name: "Rita Revops", at: ledgerT0, clock: clock.read)
    }

    /// The ledger at `path` opened again, on this fixture's clock.
    func reopen() throws -> AlignmentLedger { try AlignmentLedger.open(at: path, clock: clock.read) }

    /// The next business time, one minute on; the recording clock moves there too.
    var nextTime: Date {
        minute += 1
        let t = ledgerT0.addingTimeInterval(Double(minute) * 60)
        clock.set(t)
        return t
    }

    @discardableResult
    func run(_ c: Command, as actor: String, at: Date? = nil) throws -> [RecordedEvent] {
        try ledger.execute(c, as: actor, at: at ?? nextTime)
    }

    func handoff(_ id: String, campaign: String? = nil, signals: Bool = true, owner: String? = nil) -> Command {
        var h = HandoffArgs(id: id, definition: "mql")
        h.campaign = campaign
        h.owner = owner
        h.profile = ["company": "Acme", "employees": "450"]
        if signals { h.signals = [Signal(name: "webinar.attended", at: ledgerT0, detail: "Pricing webinar")] }
        return .leadHandoff(h)
    }

    /// People, an active definition, a launched campaign with a brief, a lead, and content.
    func populate() throws {
        try run(.actorAdd(id: "maria", name: "Maria", roles: [.marketing]), as: "rita")
        try run(.actorAdd(id: "sam", name: "Sam", roles: [.sales]), as: "rita")
        try run(.actorAdd(id: "sofia", name: "Sofia", roles: [.sales]), as: "rita")
        try run(.actorAdd(id: "vic", name: "Vic", roles: [.viewer]), as: "rita")
        try run(.definitionPropose(id: "mql", title: "MQL", fit: [try Criterion.parse("employees>=200")],
                                   engagement: [try Criterion.parse("webinar.attended>=1")], rationale: "Q3"), as: "maria")
        try run(.definitionSignOff(id: "mql", version: 1, comment: "ok"), as: "sam")
        try run(.definitionActivate(id: "mql", version: 1, override: nil), as: "maria")
        try run(.campaignDraft(id: "q3", name: "Q3 webinar", audience: "RevOps", offer: "audit", channels: ["email"], launchDate: "2026-07-01"), as: "maria")
        try run(.campaignRequestReview(id: "q3"), as: "maria")
        try run(.campaignReview(id: "q3", approve: true, comment: "good"), as: "sam")
        try run(.campaignBrief(id: "q3", summary: "Pricing webinar", talkingPoints: ["ask about the audit"], offer: "audit"), as: "maria")
        try run(.campaignLaunch(id: "q3", override: nil), as: "maria")
        try run(handoff("L-1", campaign: "q3"), as: "maria")
        try run(.leadAccept(id: "L-1"), as: "sam")
        try run(.contentPlan(asset: "roi", title: "ROI calculator", stage: .decision, persona: "CFO"), as: "maria")
        try run(.contentRequest(id: "REQ-1", what: "security FAQ", stage: .consideration, lead: "L-1", why: nil), as: "sam")
        try run(.contentTriage(id: "REQ-1", outcome: .addedToPlan, asset: "security-faq", reason: nil), as: "maria")
    }
}

/// Every kept state, by stream name.
func keptStates(_ ledger: AlignmentLedger) throws -> [String: EntityState] {
    var out: [String: EntityState] = [:]
    if let l = try ledger.state(of: StreamName.ledger) { out[StreamName.ledger] = l }
    for kind in ["definition", "campaign", "lead", "content"] {
        for s in try ledger.states(kind: kind) { out[streamName(s)] = s }
    }
    return out
}

func streamName(_ s: EntityState) -> String {
    switch s {
    case .ledger: StreamName.ledger
    case .definition(let d): StreamName.definition(d.id)
    case .campaign(let c): StreamName.campaign(c.id)
    case .lead(let l): StreamName.lead(l.id)
    case .content(let c): StreamName.content(c.id)
    }
}

func withFixture<T>(populated: Bool = true, _ body: (Fixture) throws -> T) throws -> T {
    try withLedgerDirectory { path in
        let f = try Fixture(path: path)
        if populated { try f.populate() }
        return try body(f)
    }
}

// MARK: - Tests

@Suite("AlignmentLedger service")
struct LedgerTests {
    @Test func createRecordsTheFirstActorAndPolicy() throws {
        try withLedgerDirectory { path in
            let (ledger, events) = try AlignmentLedger.create(at: path, admin: "rita", name: "Rita", at: ledgerT0, clock: TestClock(ledgerT0).read)
            #expect(events.map(\.type) == ["LedgerInitialized", "ActorRegistered", "PolicyChanged"])
            #expect(events.map(\.position) == [1, 2, 3])
            #expect(try ledger.log.head().position == 3)
            let l = try ledger.ledgerState()
            #expect(l.initialized && l.actors["rita"]?.roles == [.revops] && l.policy == Policy())
            // A second create on the same path is refused and writes nothing.
            #expect(throws: (any Error).self) { try AlignmentLedger.create(at: path, admin: "eve", name: "Eve") }
            #expect(try ledger.log.head().position == 3)
        }
    }

    @Test func aCreateCutShortBeforeItsFirstEventsIsFinishedByTheNext() throws {
        try withLedgerDirectory { path in
            // What an `align init` killed between the log's metadata and its first events leaves: a log, no events.
            do { _ = try EventLog.create(at: path) }
            let (ledger, events) = try AlignmentLedger.create(at: path, admin: "rita", name: "Rita", at: ledgerT0, clock: TestClock(ledgerT0).read)
            #expect(events.map(\.type) == ["LedgerInitialized", "ActorRegistered", "PolicyChanged"])
            #expect(try ledger.ledgerState().actors["rita"]?.roles == [.revops])
            // Once it has events, it is a ledger like any other: refused, untouched.
            do {
                _ = try AlignmentLedger.create(at: path, admin: "eve", name: "Eve")
                Issue.record("a second create succeeded")
            } catch EventLogError.alreadyExists(let p) {
                #expect(p == path)
            }
            #expect(try ledger.log.head().position == 3)
        }
    }

    @Test func theWorkflowsReachTheKeptState() throws {
        try withFixture { f in
            guard case .definition(let d)? = try f.ledger.state(of: "definition/mql") else { Issue.record("no definition"); return }
            #expect(d.activeVersion == 1 && d.versions.first?.signOffs.map(\.actor) == ["sam"])
            guard case .lead(let l)? = try f.ledger.state(of: "lead/L-1") else { Issue.record("no lead"); return }
            #expect(l.status == .accepted && l.handoff?.brief?.version == 1 && l.handedOffBy == "maria")
            guard case .campaign(let c)? = try f.ledger.state(of: "campaign/q3") else { Issue.record("no campaign"); return }
            #expect(c.status == .launched && c.approvedRevision == 1)
            // Triage with --add-to-plan wrote two streams in one command.
            guard case .content(let asset)? = try f.ledger.state(of: "content/security-faq") else { Issue.record("no asset"); return }
            #expect(asset.asset?.fromRequest == "REQ-1")
            guard case .content(let req)? = try f.ledger.state(of: "content/REQ-1") else { Issue.record("no request"); return }
            #expect(req.triage?.outcome == .addedToPlan)
            #expect(try f.ledger.state(of: "lead/L-404") == nil)
        }
    }

    /// Commands refused by different rules; none may write anything.
    static let refusals: [(actor: String, command: Command, rule: String?)] = [
        ("ghost", .leadAccept(id: "L-1"), Rule.activeActor),
        ("vic", .campaignDraft(id: "q4", name: "Q4", audience: nil, offer: nil, channels: [], launchDate: nil), Rule.role),
        ("maria", .definitionSignOff(id: "mql", version: 1, comment: nil), Rule.role),
        ("sam", .definitionSignOff(id: "mql", version: 1, comment: nil), Rule.oneVerdictPerVersion),
        ("maria", .definitionActivate(id: "mql", version: 2, override: nil), Rule.quorum),
        ("maria", .campaignLaunch(id: "q4", override: nil), Rule.campaignReview),
        ("maria", .campaignLaunch(id: "q4", override: "rush"), Rule.override),
        ("rita", .campaignLaunch(id: "q3", override: "again"), Rule.campaignLifecycle),
        ("sam", .leadAccept(id: "L-1"), Rule.leadLifecycle),
        ("maria", .leadHandoff({ var h = HandoffArgs(id: "L-2", definition: "mql"); h.profile = ["a": "b"]; return h }()), Rule.requireContext),
        ("sam", .definitionSignOff(id: "mql", version: 2, comment: nil), Rule.noSelfSignOff),
        ("rita", .actorDeactivate(id: "rita"), Rule.actors),
        ("sam", .leadAccept(id: "L-404"), nil),                                   // not found
        ("maria", .contentTriage(id: "REQ-1", outcome: .mapped, asset: "roi", reason: nil), Rule.contentLifecycle),
    ]

    @Test func refusedCommandsWriteNothing() throws {
        try withFixture { f in
            // Prepare the states the refusals need: v2 proposed by sam, campaign q4 drafted (unreviewed).
            try f.run(.definitionPropose(id: "mql", title: "MQL 2", fit: [try Criterion.parse("employees>=500")], engagement: [], rationale: nil), as: "sam")
            try f.run(.campaignDraft(id: "q4", name: "Q4", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria")
            let head = try f.ledger.log.head()
            let states = try keptStates(f.ledger)
            for r in Self.refusals {
                do {
                    let events = try f.ledger.execute(r.command, as: r.actor, at: f.nextTime)
                    Issue.record("\(r.actor) \(r.command.name) was accepted: \(events.map(\.type))")
                } catch let e as DomainError {
                    if let rule = r.rule { #expect(e.rule == rule, "\(r.actor) \(r.command.name): \(e)") } else { #expect(e.rule == nil, "\(e)") }
                }
                #expect(try f.ledger.log.head() == head, "\(r.actor) \(r.command.name) wrote to the log")
            }
            #expect(try keptStates(f.ledger) == states)
            // The ledger still takes good commands, at the next position.
            let ok = try f.run(.definitionSignOff(id: "mql", version: 2, comment: nil), as: "sofia")
            #expect(ok.map(\.position) == [head.position + 1])
        }
    }

    /// Setting the policy to what it is was refused ("changes nothing"); the README's tour does it on a fresh ledger,
    /// so it is now a no-op: no event, no error.
    @Test func aPolicySetThatChangesNothingRecordsNothing() throws {
        try withFixture { f in
            let head = try f.ledger.log.head()
            let policy = try f.ledger.ledgerState().policy
            let outcome = try f.ledger.perform(.policySet(quorum: policy.quorum, slaHours: nil, requireContext: nil, requireCampaignReview: nil),
                                               as: "rita", at: f.nextTime)
            #expect(outcome.decided.isEmpty && outcome.recorded.isEmpty)
            #expect(outcome.head == head)
            #expect(try f.ledger.log.head() == head)
        }
    }

    func item(_ line: Int, _ actor: String, _ c: Command, _ f: Fixture) -> ApplyItem {
        ApplyItem(line: line, command: c, actor: actor, at: f.nextTime)
    }

    @Test func applyWithARefusedLineWritesNothingAndReportsEveryBadLine() throws {
        try withFixture { f in
            let head = try f.ledger.log.head()
            let states = try keptStates(f.ledger)
            let items = [
                item(1, "maria", .definitionPropose(id: "mql", title: "MQL 2", fit: [try Criterion.parse("employees>=500")], engagement: [], rationale: nil), f),
                item(2, "sofia", .definitionSignOff(id: "mql", version: 2, comment: nil), f),
                item(4, "sofia", .definitionSignOff(id: "mql", version: 2, comment: nil), f),  // second verdict: refused
                item(5, "sam", .definitionSignOff(id: "mql", version: 2, comment: nil), f),
                item(7, "ghost", .leadAccept(id: "L-1"), f),                                    // unknown actor: refused
                item(8, "maria", .definitionActivate(id: "mql", version: 2, override: nil), f),
                item(9, "sam", .leadAccept(id: "L-404"), f),                                    // not found
            ]
            do {
                let events = try f.ledger.apply(items)
                Issue.record("apply with bad lines was accepted: \(events.count) events")
            } catch let e as ApplyError {
                #expect(e.problems.map(\.line) == [4, 7, 9])
                #expect(!e.onlyMalformed)
                #expect(e.problems[0].error.contains(Rule.oneVerdictPerVersion))
                #expect(e.problems[1].error.contains(Rule.activeActor))
                #expect(e.description.contains("line 4") && e.description.contains("nothing was written"))
            }
            #expect(try f.ledger.log.head() == head)
            #expect(try keptStates(f.ledger) == states)
            // Nothing of the failed file leaks into the next command's state: v2 does not exist.
            #expect(throws: DomainError.self) { try f.ledger.execute(.definitionSignOff(id: "mql", version: 2, comment: nil), as: "sofia", at: f.nextTime) }
            #expect(try f.ledger.log.head() == head)
        }
    }

    @Test func applyOfAGoodFileAppendsEverythingInOneGo() throws {
        try withFixture { f in
            let head = try f.ledger.log.head()
            let items = [
                item(1, "maria", .definitionPropose(id: "mql", title: "MQL 2", fit: [try Criterion.parse("employees>=400")], engagement: [], rationale: nil), f),
                item(2, "sofia", .definitionSignOff(id: "mql", version: 2, comment: nil), f),
                item(3, "maria", .definitionActivate(id: "mql", version: 2, override: nil), f),
                item(4, "maria", f.handoff("L-2", campaign: "q3"), f),
                item(5, "sam", .leadReject(id: "L-2", reason: .badTiming, note: "Q1"), f),
                item(6, "sam", .contentRequest(id: "REQ-2", what: "case study", stage: .decision, lead: "L-2", why: nil), f),
                item(7, "maria", .contentTriage(id: "REQ-2", outcome: .addedToPlan, asset: "case-study", reason: nil), f),
            ]
            let events = try f.ledger.apply(items)
            #expect(events.map(\.type) == ["LeadDefinitionProposed", "LeadDefinitionSignedOff", "LeadDefinitionActivated", "LeadHandedOff",
                                           "LeadRejected", "ContentRequested", "ContentPlanned", "ContentRequestTriaged"])
            #expect(events.map(\.position) == Array((head.position + 1)...(head.position + 8)))
            #expect(try f.ledger.log.head().position == head.position + 8)
            #expect(try f.ledger.log.head().hash == events.last?.hash)
            guard case .definition(let d)? = try f.ledger.state(of: "definition/mql") else { Issue.record("no definition"); return }
            #expect(d.activeVersion == 2)
            guard case .lead(let l)? = try f.ledger.state(of: "lead/L-2") else { Issue.record("no lead"); return }
            #expect(l.status == .rejected && l.handoff?.definitionVersion == 2 && l.handoff?.brief?.version == 1 && l.rejection == .badTiming)
            // Lines see the lines before them: the handoff on line 4 used v2, activated on line 3.
            #expect(try f.ledger.apply([]).isEmpty)
        }
    }

    @Test func reopeningGivesTheSameState() throws {
        try withLedgerDirectory { path in
            var f: Fixture? = try Fixture(path: path)
            try f!.populate()
            let head = try f!.ledger.log.head()
            let states = try keptStates(f!.ledger)
            #expect(states.count == 7)
            let clock = f!.clock
            f = nil
            let reopened = try AlignmentLedger.open(at: path, clock: clock.read)
            #expect(try reopened.log.head() == head)
            #expect(try keptStates(reopened) == states)
            for (stream, s) in states { #expect(try reopened.state(of: stream) == s, "\(stream)") }
            // And it keeps working where it left off.
            let e = try reopened.execute(.leadConvert(id: "L-1", opportunity: "OPP-1", amount: 1000), as: "sam", at: clock.jump(ledgerT0.addingTimeInterval(86_400)))
            #expect(e.map(\.position) == [head.position + 1])
        }
    }

    @Test func theKeptReadModelEqualsARebuild() throws {
        try withFixture { f in
            let states = try keptStates(f.ledger)
            let ledgerState = try f.ledger.ledgerState()
            let head = try f.ledger.log.head()
            let calls = Calls()
            try f.ledger.rebuild(progress: { done, total in calls.add(done, total) })
            #expect(try keptStates(f.ledger) == states)
            #expect(try f.ledger.ledgerState() == ledgerState)
            for kind in ["definition", "campaign", "lead", "content"] {
                #expect(try f.ledger.states(kind: kind).count == states.keys.filter { $0.hasPrefix(kind + "/") }.count)
            }
            #expect(calls.last.map { $0 == (head.position, head.position) } == true)
            #expect(try f.ledger.log.head() == head, "a rebuild appends nothing")
        }
    }

    @Test func openingCatchesUpWithEventsTheReadModelHasNotSeen() throws {
        try withLedgerDirectory { path in
            var f: Fixture? = try Fixture(path: path)
            try f!.populate()
            // An event appended to the log directly, behind the service's back (as another tool could).
            let payload = Array(#"{"actor":"otto","name":"Otto","roles":["sales"]}"#.utf8)
            _ = try f!.ledger.log.append(to: "ledger", [ProposedEvent(type: "ActorRegistered", actor: "rita", payload: payload)])
            #expect(try f!.ledger.ledgerState().actors["otto"] == nil)
            let clock = f!.clock
            f = nil
            let reopened = try AlignmentLedger.open(at: path, clock: clock.read)
            #expect(try reopened.ledgerState().actors["otto"]?.roles == [.sales])
            #expect(try reopened.execute(.leadRecycle(id: "L-1"), as: "otto", at: clock.jump(ledgerT0.addingTimeInterval(86_400))).count == 1)
        }
    }

    /// Opening does not bring the read models up to date (it would cost two more transactions per command): a
    /// command folds what they miss in its own transaction, and the first read catches up.
    @Test func aCommandRightAfterOpeningSeesEventsTheReadModelHasNotSeen() throws {
        try withLedgerDirectory { path in
            var f: Fixture? = try Fixture(path: path)
            try f!.populate()
            let payload = Array(#"{"actor":"otto","name":"Otto","roles":["sales"]}"#.utf8)
            _ = try f!.ledger.log.append(to: "ledger", [ProposedEvent(type: "ActorRegistered", actor: "rita", payload: payload)])
            let clock = f!.clock
            f = nil
            let reopened = try AlignmentLedger.open(at: path, clock: clock.read)
            #expect(try reopened.execute(.leadRecycle(id: "L-1"), as: "otto", at: clock.jump(ledgerT0.addingTimeInterval(86_400))).count == 1)
            #expect(try reopened.ledgerState().actors["otto"]?.roles == [.sales])
            #expect(try keptStates(reopened) == keptStates(try AlignmentLedger.open(at: path)))
        }
    }

    /// The kept read model must equal a replay of the whole log through the pure folds, whatever the times: kept
    /// states must keep the log's microseconds (`JSONEncoder`'s `.iso8601` would drop the fraction of a second).
    @Test func theKeptReadModelEqualsAReplayWithSubSecondTimes() throws {
        try withFixture(populated: false) { f in
            let t = ledgerT0.addingTimeInterval(0.25)
            try f.run(.actorAdd(id: "maria", name: "Maria", roles: [.marketing]), as: "rita", at: t)
            try f.run(.actorAdd(id: "sam", name: "Sam", roles: [.sales]), as: "rita", at: t)
            try f.run(.definitionPropose(id: "mql", title: "MQL", fit: [try Criterion.parse("employees>=200")], engagement: [], rationale: nil),
                      as: "maria", at: t.addingTimeInterval(1))
            try f.run(.definitionSignOff(id: "mql", version: 1, comment: nil), as: "sam", at: t.addingTimeInterval(2))
            try f.run(.definitionActivate(id: "mql", version: 1, override: nil), as: "maria", at: t.addingTimeInterval(3))
            let replay = try f.ledger.replay().state
            for (stream, kept) in try keptStates(f.ledger) {
                #expect(try replay.state(stream) == kept, "kept \(stream) differs from a replay")
            }
        }
    }

    /// The same to the rule: v1 is activated at hh:mm:03.600; a handoff at hh:mm:03.300 is before it and must be
    /// refused (with kept times truncated to the second, the activation would seem to start at hh:mm:03).
    @Test func aHandoffBeforeTheActivationIsRefusedToTheSubSecond() throws {
        try withFixture(populated: false) { f in
            try f.run(.actorAdd(id: "maria", name: "Maria", roles: [.marketing]), as: "rita")
            try f.run(.actorAdd(id: "sam", name: "Sam", roles: [.sales]), as: "rita")
            try f.run(.definitionPropose(id: "mql", title: "MQL", fit: [try Criterion.parse("employees>=200")], engagement: [], rationale: nil), as: "maria")
            try f.run(.definitionSignOff(id: "mql", version: 1, comment: nil), as: "sam")
            let activation = f.nextTime.addingTimeInterval(3.6)
            try f.run(.definitionActivate(id: "mql", version: 1, override: nil), as: "maria", at: activation)
            do {
                let e = try f.ledger.execute(f.handoff("L-1"), as: "maria", at: activation.addingTimeInterval(-0.3))
                Issue.record("a handoff 0.3 s before the activation was accepted: \(e.map(\.type))")
            } catch let e as DomainError {
                #expect(e.rule == Rule.definitionActive)
            }
        }
    }

    /// An event appended behind the service's back while it is open (another tool, or a process that keeps no
    /// read models): the next command must decide on it, and its checkpoint must not claim events it never folded.
    @Test func aCommandFoldsWhatTheKeptModelHasNotSeenFirst() throws {
        try withFixture { f in
            let payload = Array(#"{"actor":"otto","name":"Otto","roles":["sales"]}"#.utf8)
            _ = try f.ledger.log.append(to: "ledger", [ProposedEvent(type: "ActorRegistered", actor: "rita", payload: payload)])
            #expect(try f.ledger.ledgerState().actors["otto"] == nil, "the kept model has not seen it yet")
            // Otto may act only if the command sees his registration.
            let e = try f.ledger.execute(.leadRecycle(id: "L-1"), as: "otto", at: f.clock.jump(ledgerT0.addingTimeInterval(86_400)))
            #expect(e.count == 1)
            let head = try f.ledger.log.head().position
            #expect(try f.ledger.ledgerState().actors["otto"]?.roles == [.sales])
            #expect(try f.ledger.projectionCheckpoints().values.allSatisfy { $0.position == head })
            let replay = try f.ledger.replay()
            for (stream, kept) in try keptStates(f.ledger) {
                #expect(try replay.state.state(stream) == kept, "kept \(stream) differs from a replay")
            }
            let kept = try f.ledger.scorecard(period: .week, since: nil, until: nil, byActor: true)
            let replayed = Scorecard.compute(buckets: replay.scorecard.buckets.map { ($0.key, $0.value) }, period: .week,
                                             since: nil, until: nil, byActor: true)
            #expect(kept == replayed)
        }
    }

    /// A rebuild of one model while a tool that keeps no models appends leaves the checkpoints disagreeing: the
    /// models cannot be caught up event by event. A command must not decide on them, nor stamp every checkpoint
    /// current; it brings them up to date first.
    @Test func aCommandOnDisagreeingCheckpointsRebuildsFirst() throws {
        try withFixture { f in
            let ledger = f.ledger
            let payload = Array(#"{"actor":"otto","name":"Otto","roles":["sales"]}"#.utf8)
            let once = Calls()
            try ledger.rebuild([.scorecard], progress: { _, _ in
                guard once.all.isEmpty else { return }
                once.add(0, 0)
                _ = try? ledger.log.append(to: "ledger", [ProposedEvent(type: "ActorRegistered", actor: "rita", payload: payload)])
            })
            let cps = try ledger.projectionCheckpoints()
            #expect(Set(cps.values.map(\.position)).count == 2, "the scorecard's checkpoint moved, the others did not")
            // Otto may act only if the command sees his registration.
            _ = try ledger.execute(.leadRecycle(id: "L-1"), as: "otto", at: f.clock.jump(ledgerT0.addingTimeInterval(86_400)))
            let head = try ledger.log.head().position
            #expect(try ledger.projectionCheckpoints().values.allSatisfy { $0.position == head })
            #expect(try ledger.ledgerState().actors["otto"]?.roles == [.sales])
            let replay = try ledger.replay()
            for (stream, kept) in try keptStates(ledger) {
                #expect(try replay.state.state(stream) == kept, "kept \(stream) differs from a replay")
            }
        }
    }

    /// A rebuild folds outside the writer, so commands go on meanwhile; their events must be in the rebuilt models
    /// when the rebuild commits, and the checkpoints must say so.
    @Test func commandsDuringARebuildAreInTheRebuiltModels() throws {
        try withFixture { f in
            let ledger = f.ledger
            let clock = f.clock
            let before = try ledger.log.head().position
            let once = Calls()
            try ledger.rebuild(progress: { _, _ in
                guard once.all.isEmpty else { return }
                once.add(0, 0)
                // Another writer, while the rebuild folds.
                _ = try? ledger.execute(.actorAdd(id: "otto", name: "Otto", roles: [.sales]), as: "rita", at: clock.jump(ledgerT0.addingTimeInterval(86_400)))
            })
            let head = try ledger.log.head().position
            #expect(head == before + 1, "the command ran during the rebuild")
            #expect(try ledger.ledgerState().actors["otto"]?.roles == [.sales])
            #expect(try ledger.projectionCheckpoints().values.allSatisfy { $0.position == head })
            let replay = try ledger.replay().state
            for (stream, kept) in try keptStates(ledger) {
                #expect(try replay.state(stream) == kept, "kept \(stream) differs from a replay")
            }
        }
    }

    /// While a rebuild runs, readers must never see an empty model whose checkpoint claims it is current (a crash
    /// there would leave it empty for good, since `open` trusts the checkpoints). Rebuilds once cleared the tables in
    /// a transaction of their own; now the old model stays until the rebuilt one replaces it in one transaction.
    @Test(.timeLimit(.minutes(1)))
    func aRebuildNeverShowsAnEmptyModelAsCurrent() throws {
        try withFixture { f in
            let head = try f.ledger.log.head()
            let ledger = f.ledger
            let seen = Calls()
            try ledger.rebuild(progress: { _, _ in
                // Runs while the rebuild folds: what does any other reader see now?
                let current = (try? ledger.projectionCheckpoints()[.state]?.position) == head.position
                let empty: Bool
                do { empty = try ledger.state(of: StreamName.ledger) == nil } catch { empty = false }
                seen.add(current ? 1 : 0, empty ? 1 : 0)
            })
            let inconsistent = seen.all.contains { $0 == (1, 1) }
            #expect(!inconsistent, "during a rebuild, readers saw an empty read model whose checkpoint claims it is current")
        }
    }
}

/// Records progress calls (they may come from the writer thread).
final class Calls: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [(UInt64, UInt64)] = []
    func add(_ a: UInt64, _ b: UInt64) { lock.lock(); values.append((a, b)); lock.unlock() }
    var all: [(UInt64, UInt64)] { lock.lock(); defer { lock.unlock() }; return values }
    var last: (UInt64, UInt64)? { all.last }
}

// MARK: - The service decides as the pure domain does

/// SplitMix64, for reproducible random command sequences.
struct SeededRandom {
    private var rng: SplitMix64
    init(state: UInt64) { rng = SplitMix64(seed: state) }
    mutating func next() -> UInt64 { rng.next() }
    mutating func pick<T>(_ xs: [T]) -> T { xs[Int(next() % UInt64(xs.count))] }
    mutating func chance(_ oneIn: UInt64) -> Bool { next() % oneIn == 0 }
}

@Suite("AlignmentLedger decides as Decider.decide over a pure fold")
struct ServiceMatchesDomainTests {
    static func randomCommand(_ r: inout SeededRandom) -> (String, Command) {
        let actors = ["rita", "maria", "sam", "sofia", "vic", "ghost"]
        let def = r.pick(["mql", "sql"]), camp = r.pick(["c1", "c2"]), lead = r.pick(["L1", "L2"]), item = r.pick(["a1", "r1", "r2"])
        let o: String? = r.chance(5) ? "forced" : nil
        var h = HandoffArgs(id: lead, definition: def)
        h.campaign = r.chance(2) ? camp : nil
        h.signals = r.chance(4) ? [] : [Signal(name: "webinar.attended", at: ledgerT0)]
        h.override = o
        let commands: [(String, Command)] = [
            ("maria", .definitionPropose(id: def, title: "T", fit: [try! Criterion.parse("employees>=200")], engagement: [], rationale: nil)),
            (r.pick(["sam", "sofia", "maria"]), .definitionSignOff(id: def, version: 1 + Int(r.next() % 2), comment: nil)),
            ("sofia", .definitionReject(id: def, version: 1, reason: "no")),
            (o == nil ? "maria" : "rita", .definitionActivate(id: def, version: 1 + Int(r.next() % 2), override: o)),
            ("maria", .definitionRetire(id: def)),
            ("maria", .campaignDraft(id: camp, name: "C", audience: nil, offer: nil, channels: [], launchDate: nil)),
            ("maria", .campaignRequestReview(id: camp)),
            (r.pick(["sam", "maria"]), .campaignReview(id: camp, approve: !r.chance(3), comment: nil)),
            ("maria", .campaignBrief(id: camp, summary: "S", talkingPoints: [], offer: nil)),
            (o == nil ? "maria" : "rita", .campaignLaunch(id: camp, override: o)),
            (o == nil ? "maria" : "rita", .leadHandoff(h)),
            ("sam", .leadAccept(id: lead)),
            ("sofia", .leadReject(id: lead, reason: .notICP, note: nil)),
            ("sam", .leadConvert(id: lead, opportunity: nil, amount: nil)),
            ("sam", .leadRecycle(id: lead)),
            ("maria", .contentPlan(asset: item, title: "A", stage: .decision, persona: nil)),
            ("sam", .contentRequest(id: item, what: "W", stage: .awareness, lead: r.chance(2) ? lead : nil, why: nil)),
            ("maria", .contentTriage(id: item, outcome: .addedToPlan, asset: r.pick(["a1", "a2"]), reason: nil)),
            ("maria", .contentFulfil(id: item, asset: nil)),
            ("rita", .policySet(quorum: r.pick([1, 2]), slaHours: nil, requireContext: r.pick([true, false]), requireCampaignReview: nil)),
        ]
        var (actor, command) = r.pick(commands)
        if r.chance(8) { actor = r.pick(actors) }
        return (actor, command)
    }

    @Test(arguments: 1...12)
    func theServiceAndThePureFoldAgree(_ seed: Int) throws {
        try withFixture(populated: false) { f in
            try f.run(.actorAdd(id: "maria", name: "Maria", roles: [.marketing]), as: "rita")
            try f.run(.actorAdd(id: "sam", name: "Sam", roles: [.sales]), as: "rita")
            try f.run(.actorAdd(id: "sofia", name: "Sofia", roles: [.sales]), as: "rita")
            try f.run(.actorAdd(id: "vic", name: "Vic", roles: [.viewer]), as: "rita")
            // The pure side: a fold of everything in the log so far.
            let fold = CurrentStateFold()
            for e in try f.ledger.log.read(from: 1, limit: 1000) {
                try fold.apply(Recorded(event: try DomainEvent.decode(type: e.type, schemaVersion: Int(e.schemaVersion), payload: e.payload),
                                        actor: e.actor, at: e.occurredAt.date, position: e.position, recordedAt: e.recordedAt.date))
            }
            var r = SeededRandom(state: UInt64(seed))
            var accepted = 0
            for step in 0..<40 {
                let (actor, command) = Self.randomCommand(&r)
                let at = f.nextTime   // whole seconds
                let expected: Result<[DomainEvent], DomainError>
                let ctx = DecisionContext(actor: actor, at: at, recordedAt: f.clock.now.date)
                do { expected = .success(try Decider.decide(command, fold, ctx)) } catch let e as DomainError { expected = .failure(e) }
                let head = try f.ledger.log.head()
                do {
                    let recorded = try f.ledger.execute(command, as: actor, at: at)
                    let decoded = try recorded.map { try DomainEvent.decode(type: $0.type, schemaVersion: Int($0.schemaVersion), payload: $0.payload) }
                    guard case .success(let events) = expected else {
                        Issue.record("step \(step): the service accepted \(actor) \(command.name), the domain refused it: \(expected)")
                        return
                    }
                    #expect(decoded == events, "step \(step): \(actor) \(command.name)")
                    for (e, rec) in zip(events, recorded) {
                        try fold.apply(Recorded(event: e, actor: actor, at: rec.occurredAt.date, position: rec.position, recordedAt: rec.recordedAt.date))
                    }
                    accepted += 1
                } catch let e as DomainError {
                    #expect(expected == .failure(e), "step \(step): \(actor) \(command.name): service \(e), domain \(expected)")
                    #expect(try f.ledger.log.head() == head)
                }
            }
            // The kept read model equals the pure fold, stream by stream.
            for (stream, kept) in try keptStates(f.ledger) {
                #expect(try fold.state(stream) == kept, "\(stream)")
            }
            #expect(accepted > 3)
        }
    }
}
