import AlignmentDomain
import EventLog
import Foundation
import JSONCore
import SplitMix

extension AlignmentLedger {
    /// Creates a ledger at `path` and plays a realistic quarter through the real commands and rules (refusals
    /// included), narrating to `say`.
    ///
    /// A seed replays the same history: every event's type, stream, actor, business and recorded times and payload
    /// (all but key material), hence the same answers (scorecard, state, lists, audits). Not the same bytes: the ledger
    /// id, the event and correlation ids and the cast's keys (unless `keys` holds them already) are new on each run,
    /// and so are the signatures, the hashes and the head.
    ///
    /// The quarter is played in business-time order on a clock of its own (`DemoClock`): each step is recorded a
    /// minute after its business time, and the leads and content requests go in one apply transaction per day of
    /// business time, so that nothing is backdated by more than a day and the time rules hold as they would for a
    /// team recording its work as it goes.
    /// Every actor of the cast signs with a key of its own, taken from (or generated in) `keys`.
    public static func playDemoQuarter(at path: String, seed: UInt64, leads: Int, keys: KeyStore, say: (String) -> Void) throws -> AlignmentLedger {
        var rng = SplitMix64(seed: seed)  // a seed replays the same quarter
        let q = Date(timeIntervalSince1970: 1_775_034_000)  // 2026-04-01T09:00:00Z
        func day(_ d: Double, _ h: Double = 0) -> Date { q.addingTimeInterval((d * 24 + h) * 3600) }
        let clock = DemoClock(start: day(0))

        say("== The alignment ledger demo: one quarter at Acme (seed \(seed), \(leads) leads) ==")
        say("ledger: \(path)")
        var signers: [String: EventSigner] = [:]
        func key(_ actor: String) throws -> ActorKey {
            let k = keys.hasKey(for: actor) ? try keys.load(actor) : try keys.generate(for: actor)
            signers[actor] = k
            return k
        }
        say("keys: \(keys.directory)")
        let (l, _) = try AlignmentLedger.create(at: path, admin: "rita", name: "Rita Revops", at: day(0), key: try key("rita"),
                                                logKeys: keys, clock: clock.read)
        func run(_ actor: String, _ at: Date, _ name: String, _ args: [String: JSONValue]) throws -> [RecordedEvent] {
            clock.advance(to: at)
            return try l.execute(try Command.parse(name, args), as: actor, at: at, signer: signers[actor])
        }
        /// `actor.add` arguments with the actor's new key and its proof.
        func withKey(_ id: String, _ args: [String: JSONValue]) throws -> [String: JSONValue] {
            let g = try key(id).grant
            return args.merging(["key": .string(g.key.text), "proof": .string(Base64URL.encode(g.proof))]) { a, _ in a }
        }
        func s(_ v: String) -> JSONValue { .string(v) }
        func n(_ v: Int) -> JSONValue { .number(Double(v)) }
        func refused(_ actor: String, _ at: Date, _ name: String, _ args: [String: JSONValue]) {
            do {
                _ = try run(actor, at, name, args)
                say("  (unexpectedly allowed: \(name))")
            } catch {
                say("  refused as it should be: \(error)")
            }
        }

        // The team, and marketing's content plan for each stage of the buy cycle.
        let marketers = ["maria", "mo", "meg"], sellers = ["sam", "sofia", "sid", "sue"]
        for m in marketers { _ = try run("rita", day(0, 1), "actor.add", try withKey(m, ["id": s(m), "name": s(m.capitalized + " (marketing)"), "role": s("marketing")])) }
        for x in sellers { _ = try run("rita", day(0, 1), "actor.add", try withKey(x, ["id": s(x), "name": s(x.capitalized + " (sales)"), "role": s("sales")])) }
        _ = try run("rita", day(0, 2), "actor.add", try withKey("vic", ["id": s("vic"), "name": s("Vic Viewer"), "role": s("viewer")]))
        say("\nTeam: revops rita; marketing \(marketers.joined(separator: ", ")); sales \(sellers.joined(separator: ", ")); viewer vic")
        let stages = Stage.allCases.map(\.rawValue)
        let assets = ["pricing-guide", "roi-calculator", "fintech-case-study", "onboarding-checklist", "expansion-playbook"]
        for (i, a) in assets.enumerated() {
            _ = try run("meg", day(1), "content.plan", ["asset": s(a), "title": s(a.replacingOccurrences(of: "-", with: " ")), "stage": s(stages[i])])
        }

        // Lead definitions.
        say("\n-- Lead definitions (failure mode 1: definitions made without sales) --")
        _ = try run("maria", day(1), "definition.propose", ["id": s("mql"), "title": s("Any webinar attendee"),
                                                            "engagement": s("webinar.attended>=1")])
        _ = try run("sam", day(2), "definition.reject", ["id": s("mql"), "version": n(1), "reason": s("too broad: students and agencies")])
        say("maria proposed mql v1; sam rejected it")
        refused("maria", day(2, 1), "definition.activate", ["id": s("mql"), "version": n(1)])
        _ = try run("rita", day(3), "policy.set", ["quorum": n(2)])
        _ = try run("maria", day(4), "definition.propose", ["id": s("mql"), "title": s("Engaged mid-market SaaS"),
                                                            "fit": .array([s("employees>=200"), s("industry in [saas,fintech]")]),
                                                            "engagement": s("webinar.attended>=1"), "rationale": s("Q1 win analysis")])
        _ = try run("sam", day(5), "definition.sign-off", ["id": s("mql"), "version": n(2), "comment": s("matches our ICP")])
        refused("maria", day(5, 1), "definition.activate", ["id": s("mql"), "version": n(2)])
        _ = try run("sofia", day(6), "definition.sign-off", ["id": s("mql"), "version": n(2)])
        _ = try run("maria", day(7), "definition.activate", ["id": s("mql"), "version": n(2)])
        say("quorum set to 2; mql v2 signed off by sam and sofia, then activated")

        // Campaigns.
        say("\n-- Campaigns (failure modes 3 and 5: briefs too early, campaigns without sales) --")
        _ = try run("maria", day(8), "campaign.draft", ["id": s("q2-webinar"), "name": s("Q2 pricing webinar"), "audience": s("RevOps leaders"),
                                                        "channel": .array([s("email"), s("linkedin")]), "launch-date": s("2026-04-15")])
        _ = try run("maria", day(8, 1), "campaign.request-review", ["id": s("q2-webinar")])
        _ = try run("sam", day(9), "campaign.review", ["id": s("q2-webinar"), "request-changes": .bool(true), "comment": s("offer is weak")])
        _ = try run("maria", day(10), "campaign.draft", ["id": s("q2-webinar"), "name": s("Q2 pricing webinar"), "offer": s("free pricing audit"),
                                                         "channel": .array([s("email"), s("linkedin")])])
        _ = try run("sam", day(11), "campaign.review", ["id": s("q2-webinar"), "approve": .bool(true)])
        _ = try run("maria", day(12), "campaign.brief", ["id": s("q2-webinar"), "summary": s("Pricing webinar with a free audit offer"),
                                                         "talking-point": .array([s("ask how they price today"), s("offer the audit")])])
        _ = try run("maria", day(13), "campaign.launch", ["id": s("q2-webinar")])
        say("q2-webinar: changes requested, redrafted, approved by sam, briefed, launched")

        // The rest of the quarter: the leads and content requests, written down first, then played in business-time
        // order with what else happened meanwhile (a flash sale, mql v3, context required again).
        say("\n-- The rest of the quarter: leads (failure mode 2: handoffs with demographics only), content requests (failure mode 4) --")
        let signalNames = ["demo.requested", "pricing.visited", "webinar.attended", "whitepaper.downloaded"]
        _ = try run("rita", day(14), "policy.set", ["require-context": .bool(false), "off-definition": s("flag"),
                                                    "add-signal": .array(signalNames.map(s))])
        say("policy from day 14: context not required (the old habit), handoffs that miss the definition flagged, not refused;")
        say("  signal names from a vocabulary (\(signalNames.joined(separator: ", "))). From day 50: context required, off-definition refused")
        let industries = ["saas", "fintech", "saas", "fintech", "saas", "retail", "health"]
        let reasons = ["not-icp", "bad-timing", "no-budget", "insufficient-context", "no-response"]
        // The criteria in force on a day (v2 until day 42, then v3), as the ledger will judge the handoffs, so that the
        // quarter can be written down ahead: which handoffs qualify, which the policy refuses from day 50 (revops
        // forces a few), and sales accepting qualified leads more often than the others (the closed loop).
        let v2 = (fit: [try Criterion.parse("employees>=200"), try Criterion.parse("industry in [saas,fintech]")],
                  engagement: [try Criterion.parse("webinar.attended>=1")])
        let v3 = (fit: [try Criterion.parse("employees>=150")], engagement: [try Criterion.parse("pricing.visited>=2 within 30d")])
        /// Lead `i`'s lines (handoff, then acceptance and maybe conversion, or rejection; or only a handoff the rules
        /// refuse), drawing from `rng`.
        func leadLines(_ i: Int, _ rng: inout SplitMix64) -> [DemoLine] {
            var out: [DemoLine] = []
            let d = 15 + Double(i) / Double(leads) * 74
            let t = day(d)
            let withSignals = d >= 50 || rng.next() % 100 < 55
            let id = s("L-\(10000 + i)")
            let employees = 50 + Int(rng.next() % 2000), industry = industries[Int(rng.next() % UInt64(industries.count))]
            var args: [String: JSONValue] = ["id": id, "definition": s("mql"),
                                             "profile": .object(["company": s("Company \(i)"), "employees": s(String(employees)),
                                                                 "industry": s(industry)])]
            var signals: [Signal] = []
            if withSignals {
                if rng.next() % 100 < 70 { signals.append(Signal(name: "webinar.attended", at: t.addingTimeInterval(-2 * 86400))) }
                for v in 0..<Int(rng.next() % 4) { signals.append(Signal(name: "pricing.visited", at: t.addingTimeInterval(-Double(v + 1) * 3 * 86400))) }
                if rng.next() % 100 < 30 { signals.append(Signal(name: "whitepaper.downloaded", at: t.addingTimeInterval(-9 * 86400))) }
                if signals.isEmpty { signals.append(Signal(name: "whitepaper.downloaded", at: t.addingTimeInterval(-86400))) }
                args["signal"] = .array(signals.map { .object(["name": s($0.name), "at": s(DomainTime.format($0.at))]) })
            }
            // flash-sale is launched on day 30 at 11:00; it sources leads from day 31.
            if rng.next() % 100 < 40 { args["campaign"] = s(d < 31 || rng.next() % 2 == 0 ? "q2-webinar" : "flash-sale") }
            let owner = sellers[Int(rng.next() % 4)]
            args["owner"] = s(owner)
            let criteria = d < 42 ? v2 : v3
            let met = Criteria.evaluate(fit: criteria.fit, engagement: criteria.engagement,
                                        profile: ["employees": String(employees), "industry": industry], signals: signals, at: t).met
            var marketer = marketers[Int(rng.next() % 3)]
            let roll = rng.next() % 100
            if !met && d >= 50 {
                // Refused from day 50; revops forces one in four, for an account it names.
                guard roll < 25 else {
                    out.append(DemoLine(at: t, actor: marketer, name: "lead.handoff", args: args, refused: true))
                    return out
                }
                marketer = "rita"
                args["override"] = .bool(true)
                args["reason"] = s("strategic account named by the CRO")
            }
            out.append(DemoLine(at: t, actor: marketer, name: "lead.handoff", args: args))
            // One lead in twenty is never answered: the scorecard counts it past the SLA.
            let answer = rng.next() % 100
            guard answer >= 5 else { return out }
            let delay = Double(1 + rng.next() % 60) * 3600
            let accept = met ? answer < 80 : answer < 38
            if accept {
                out.append(DemoLine(at: t.addingTimeInterval(delay), actor: owner, name: "lead.accept", args: ["id": id]))
                if rng.next() % 100 < 30 {
                    out.append(DemoLine(at: t.addingTimeInterval(delay + 7 * 86400), actor: owner, name: "lead.convert",
                                        args: ["id": id, "amount": n(Int(5000 + rng.next() % 50000))]))
                }
            } else {
                let reason = met ? reasons[Int(rng.next() % 3)] : withSignals ? reasons[Int(rng.next() % 2)] : reasons[3 + Int(rng.next() % 2)]
                out.append(DemoLine(at: t.addingTimeInterval(delay), actor: owner, name: "lead.reject", args: ["id": id, "reason": s(reason)]))
            }
            return out
        }
        // The content requests draw from the generator after every lead: a first pass over the leads finds where it
        // stands then (and numbers the leads' lines), so that the quarter is the same as when the leads were
        // written down whole before being played.
        var afterLeads = rng
        var leadLineCount = 0
        for i in 0..<leads { leadLineCount += leadLines(i, &afterLeads).count }
        let requests = max(10, leads / 50)
        var contentLines: [DemoLine] = []
        for r in 0..<requests {
            let t = day(20 + Double(r) / Double(requests) * 60)
            let id = s("REQ-\(r + 1)")
            func add(_ actor: String, _ at: Date, _ name: String, _ args: [String: JSONValue]) {
                contentLines.append(DemoLine(at: at, seq: leadLineCount + contentLines.count, actor: actor, name: name, args: args))
            }
            add(sellers[r % 4], t, "content.request", ["id": id, "what": s("material for deal \(r)"), "stage": s(stages[r % 5])])
            let roll = afterLeads.next() % 100
            if roll < 55 {
                add("meg", t.addingTimeInterval(86400), "content.triage", ["id": id, "map-to": s(assets[r % 5])])
            } else if roll < 70 {
                add("meg", t.addingTimeInterval(86400), "content.triage", ["id": id, "add-to-plan": s("asset-from-req-\(r + 1)")])
            } else if roll < 80 {
                add("meg", t.addingTimeInterval(86400), "content.triage", ["id": id, "decline": .bool(true), "reason": s("covered by the plan")])
            } else {
                // Ad hoc, outside the plan: the policy refuses it, so revops forces it, in the open.
                add("rita", t.addingTimeInterval(86400), "content.triage", ["id": id, "ad-hoc": .bool(true), "override": .bool(true),
                                                                           "reason": s("deal closes this week")])
            }
            if roll < 70 || roll >= 80 { add("meg", t.addingTimeInterval(3 * 86400), "content.fulfil", ["id": id]) }
        }
        contentLines.sort { ($0.at, $0.seq) < ($1.at, $1.seq) }

        // What else happened, at its business time.
        enum Happening { case flashSale, proposeV3, signOffV3, activateV3, contextRequired }
        var happenings: [(at: Date, what: Happening)] = [(day(30), .flashSale), (day(40), .proposeV3), (day(41), .signOffV3),
                                                         (day(42), .activateV3), (day(50), .contextRequired)]
        func happen(_ h: Happening) throws {
            switch h {
            case .flashSale:
                _ = try run("mo", day(30), "campaign.draft", ["id": s("flash-sale"), "name": s("Flash sale"), "channel": s("email")])
                refused("mo", day(30, 1), "campaign.launch", ["id": s("flash-sale")])
                _ = try run("rita", day(30, 2), "campaign.launch", ["id": s("flash-sale"), "override": .bool(true), "reason": s("competitor launch")])
                say("flash-sale launched by OVERRIDE without a sales review (no brief either)")
            case .proposeV3:
                _ = try run("mo", day(40), "definition.propose", ["id": s("mql"), "title": s("Engaged SaaS incl. pricing-page visitors"),
                                                                  "fit": s("employees>=150"), "engagement": s("pricing.visited>=2")])
            case .signOffV3:
                _ = try run("sid", day(41), "definition.sign-off", ["id": s("mql"), "version": n(3)])
            case .activateV3:
                _ = try run("rita", day(42), "definition.activate", ["id": s("mql"), "version": n(3), "override": .bool(true),
                                                                     "reason": s("board asked for pipeline by month end")])
                say("mql v3 had 1 of 2 sign-offs; rita activated it by OVERRIDE (recorded with its reason)")
            case .contextRequired:
                _ = try run("rita", day(50), "policy.set", ["require-context": .bool(true), "off-definition": s("refuse")])
            }
        }
        // Played in business-time order: one apply transaction per day of business time (at most 5,000 lines), recorded a
        // minute after its last line; what else happened runs between them at its time.
        var batch: [ApplyItem] = []
        var refusedHandoffs = 0
        func flush() throws {
            guard let last = batch.last?.at else { return }
            clock.advance(to: last)
            _ = try l.apply(batch, signers: signers)
            batch.removeAll(keepingCapacity: true)
        }
        func play(_ line: DemoLine) throws {
            while let next = happenings.first, next.at <= line.at {
                try flush()
                try happen(next.what)
                happenings.removeFirst()
            }
            if let first = batch.first?.at, line.at.timeIntervalSince(first) >= 86400 || batch.count >= 5000 { try flush() }
            if line.refused {
                // A handoff the rules refuse writes nothing; the first refusal is told, the others counted.
                do {
                    clock.advance(to: line.at)
                    _ = try l.execute(try Command.parse(line.name, line.args), as: line.actor, at: line.at, signer: signers[line.actor])
                    say("  (unexpectedly allowed: \(line.name) \(line.args["id"].map { "\($0)" } ?? ""))")
                } catch {
                    if refusedHandoffs == 0 { say("  refused as it should be: \(error)") }
                    refusedHandoffs += 1
                }
                return
            }
            batch.append(ApplyItem(line: line.seq + 1, command: try Command.parse(line.name, line.args), actor: line.actor, at: line.at))
        }
        // The leads' lines are written down lead by lead (handoffs in business-time order, each lead's later lines
        // after its handoff) and played once nothing written later can come before them: a few days of lines are
        // held at a time, not the quarter.
        var pending = DemoLineHeap()
        var nextContent = 0
        func playUntil(_ t: Date?) throws {
            while true {
                let lead = pending.first, content = nextContent < contentLines.count ? contentLines[nextContent] : nil
                guard let line = [lead, content].compactMap({ $0 }).min(by: { ($0.at, $0.seq) < ($1.at, $1.seq) }),
                      t.map({ line.at < $0 }) ?? true else { return }
                if line.seq == lead?.seq { _ = pending.pop() } else { nextContent += 1 }
                try play(line)
            }
        }
        var seq = 0
        for i in 0..<leads {
            var lines = leadLines(i, &rng)
            try playUntil(lines[0].at)
            for k in lines.indices { lines[k].seq = seq; seq += 1; pending.push(lines[k]) }
        }
        try playUntil(nil)
        try flush()
        for h in happenings { try happen(h.what) }
        say("\(leads - refusedHandoffs) leads handed off, \(refusedHandoffs) handoffs refused for missing the definition; \(requests) content requests raised by sales and triaged by marketing")

        // A refused command writes nothing.
        say("\n-- Rules hold --")
        let end = clock.now.date.addingTimeInterval(3600)
        _ = try run("sue", end, "content.request", ["id": s("REQ-LATE"), "what": s("one more deck"), "stage": s("decision")])
        let before = try l.head()
        refused("vic", end, "lead.accept", ["id": s("L-10000")])
        refused("sam", end, "definition.sign-off", ["id": s("mql"), "version": n(2)])
        refused("maria", end, "lead.handoff", ["id": s("L-X"), "definition": s("mql")])
        refused("sue", day(39), "definition.sign-off", ["id": s("mql"), "version": n(3)])
        refused("maria", end.addingTimeInterval(-10 * 86400), "lead.handoff",
                ["id": s("L-Y"), "definition": s("mql"), "signal": s("pricing.visited@" + DomainTime.format(end.addingTimeInterval(-11 * 86400)))])
        refused("rita", end, "actor.roles", ["id": s("rita"), "role": .array([s("revops"), s("sales")])])  // no self-dealing
        refused("maria", end, "lead.handoff", ["id": s("L-Z"), "definition": s("mql"), "profile": .object(["employees": s("900")]),
                                               "signal": s("x@" + DomainTime.format(end.addingTimeInterval(-86400)))])  // not a signal name
        refused("sue", end, "definition.reject", ["id": s("mql"), "version": n(3), "reason": s("pricing visits are not intent")])
        refused("meg", end, "content.triage", ["id": s("REQ-LATE"), "ad-hoc": .bool(true), "reason": s("the deal wants a deck")])
        refused("meg", end, "content.triage", ["id": s("REQ-LATE"), "map-to": s("pricing-guide")])  // an awareness asset
        say("head unchanged after refusals: \(try l.head() == before)")

        return l
    }
}

/// A line of the demo's quarter, written down before it is played: its business time, its place in the order the
/// lines were written (ties at the same time keep it), who, what.
struct DemoLine {
    var at: Date
    var seq = 0
    var actor: String
    var name: String
    var args: [String: JSONValue]
    /// A step the rules refuse: tried on its own, never part of a batch.
    var refused = false
}

/// The lines written down and not played yet, earliest first (by business time, then `seq`): a binary heap.
struct DemoLineHeap {
    private var items: [DemoLine] = []

    var first: DemoLine? { items.first }

    private func less(_ a: Int, _ b: Int) -> Bool { (items[a].at, items[a].seq) < (items[b].at, items[b].seq) }

    mutating func push(_ line: DemoLine) {
        items.append(line)
        var i = items.count - 1
        while i > 0, less(i, (i - 1) / 2) {
            items.swapAt(i, (i - 1) / 2)
            i = (i - 1) / 2
        }
    }

    mutating func pop() -> DemoLine? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count, less(l, m) { m = l }
            if r < items.count, less(r, m) { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}

/// The demo's clock: the log's recording time, moved on as the quarter is played (a minute after each step's
/// business time), never back.
final class DemoClock: @unchecked Sendable {
    // @unchecked: `value` is only read and written under `lock`.
    private let lock = NSLock()
    private var value: Timestamp

    init(start: Date) { value = Timestamp(start.addingTimeInterval(60)) }

    /// The time now.
    var now: Timestamp { lock.withLock { value } }

    /// The clock as a ledger takes it.
    var read: @Sendable () -> Timestamp { { [self] in now } }

    /// Moves the clock to a minute after `t`, unless it is later already.
    func advance(to t: Date) {
        let next = Timestamp(t.addingTimeInterval(60))
        lock.withLock { value = max(value, next) }
    }
}

extension AlignmentLedger {
    /// Tells what the ledger knows after the demo quarter: counts, the scorecard, an audit answer, overrides, verify.
    public func tellDemoEpilogue(path: String, keys: String, say: (String) -> Void) throws {
        let l = self
        let stats = try l.stats()
        var byStatus: [String: Int] = [:]
        for case .lead(let lead) in try l.states(kind: "lead") { byStatus[lead.status.rawValue, default: 0] += 1 }
        say("\n== What the ledger knows ==")
        say("events \(stats.events), streams \(stats.streams), checkpoint \(stats.head)")
        say("leads: " + byStatus.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        say("")
        // Open leads aged as of the quarter's last recorded step (the demo's own clock), not the machine's.
        let end = try l.log.head().position
        let quarterEnd = try l.log.read(from: end, limit: 1).first?.recordedAt.date
        try l.scorecard(period: .month, since: nil, until: nil, by: nil, now: quarterEnd).reportLines.forEach(say)
        let asOf = Date(timeIntervalSince1970: 1_777_593_600)  // 2026-05-01T00:00:00Z
        let a = try l.whoApproved("mql", at: asOf)
        say("\nWho approved the lead definition in force on 1 May? (`align audit who-approved mql --at 2026-05-01`)")
        if let v = a.version {
            say("  mql v\(v) \"\(a.title ?? "")\", active from \(a.activeFrom.map(DomainTime.format) ?? "?") (event #\(a.activationPosition ?? 0))")
            for s in a.signOffs { say("  signed off by \(s.actor) at \(DomainTime.format(s.at)) (event #\(s.position))") }
        }
        let overrides = try l.auditOverrides().overrides
        var byType: [String: Int] = [:]
        for o in overrides { byType[o.type, default: 0] += 1 }
        say("Overrides on record: \(overrides.count) (" + byType.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "); the first: "
            + overrides.prefix(3).map { "#\($0.position) \($0.type) by \($0.actor) (\($0.reason))" }.joined(separator: "; "))
        let report = try l.verifyAnswer(checkpoint: nil)
        let signed = report.signatures.map { ", \($0.signed) signed by \($0.keys) keys" } ?? ""
        say("\nverify: \(report.ok ? "sound" : "NOT SOUND"), \(report.events) events\(signed); head \(report.head)")
        say("  (the same --seed replays this history and scorecard; ids, keys and so the head are new on each run)")
        let checkpoint = try l.signCheckpoint(keys: KeyStore(directory: keys))
        say("signed checkpoint: \(checkpoint.size) events, Merkle root \(checkpoint.root.hex) (`align checkpoint --latest`;")
        say("  publish it with `align checkpoint --vkey`, and prove one event is in it: `align prove inclusion 30`)")
        say("\nExplore it (the cast's keys are in \(keys)):")
        say("  export ALIGN_LEDGER=\(path) ALIGN_KEYS=\(keys)")
        say("  align scorecard --period week      align audit definition mql      align audit overrides")
        say("  align state --at 2026-05-01        align lead list --status rejected   align log --limit 20")
        say("  align export --format csv --output events.csv   # for pandas or DuckDB (see tools/)")
        say("  align lead accept L-10000 --as sam              # try a rule: it is already decided")
        say("  align import salesforce examples/salesforce --mapping examples/salesforce/mapping.json --dry-run --as rita")
        say("                                                  # CRM history: what it would add (docs/IMPORT.md)")
    }
}
