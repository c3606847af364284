import AlignmentDomain
import AlignmentLedger
import AlignmentProjections
import ArgumentParser
import EventLog
import EventLogLMDB
import Foundation

struct ScorecardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scorecard", abstract: "How aligned marketing and sales are, per period and overall.", discussion: """
        The five indicators (one per failure mode), each as a ratio with its counts, and the lead SLA: median and
        90th percentile minutes from handoff to acceptance, share accepted within the policy's SLA, rejection
        rate by reason and by definition version. Business time decides the period. Read from the kept
        projection (no replay).

        Examples:
          align scorecard
          align scorecard --period week --since 2026-04-01 --until 2026-07-01
          align scorecard --by actor --json
        """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "week, month or quarter.") var period: String = "month"
    @Option(help: "From this business time (ISO 8601).") var since: String?
    @Option(help: "Before this business time (ISO 8601).") var until: String?
    @Option(help: "Break down by: actor.") var by: String?

    func run() throws {
        try align.run(global) {
            guard let p = Scorecard.Period(rawValue: period) else { throw CLIError.usage("--period must be week, month or quarter") }
            if let by, by != "actor" { throw CLIError.usage("--by takes: actor") }
            let s = try since.map { try parseTime($0, "--since") }, u = try until.map { try parseTime($0, "--until") }
            let card = try global.open().scorecard(period: p, since: s, until: u, byActor: by == "actor")
            if global.json { Output.json(encodable: card); return }
            ScorecardCommand.print(card)
        }
    }

    static func pct(_ r: Ratio) -> String {
        guard let v = r.value else { return "-" }
        return String(format: "%.0f%% %lld/%lld", v * 100, r.numerator, r.denominator)
    }

    static func minutes(_ m: Int64?) -> String {
        guard let m else { return "-" }
        return m >= 120 ? String(format: "%.1fh", Double(m) / 60) : "\(m)m"
    }

    static func print(_ card: Scorecard) {
        let header = ["PERIOD", "1 DEF QUORUM", "2 CONTEXT", "3 BRIEF", "4 FROM PLAN", "5 REVIEWED", "MEDIAN", "P90", "IN SLA", "REJECTED"]
        func row(_ r: ScorecardRow) -> [String] {
            [r.period, pct(r.definitionsWithQuorum), pct(r.handoffsWithContext), pct(r.campaignHandoffsWithBrief), pct(r.contentFromPlan),
             pct(r.launchesReviewed), minutes(r.acceptanceMedianMinutes), minutes(r.acceptanceP90Minutes), pct(r.acceptedWithinSLA), pct(r.rejectionRate)]
        }
        Output.line("Alignment scorecard" + (card.since.map { " since \($0)" } ?? "") + (card.until.map { " until \($0)" } ?? ""))
        Output.table(header, card.periods.map(row) + [row(card.overall)])
        Output.line("1 definition versions activated with the sales quorum   2 handoffs with behavioural signals")
        Output.line("3 campaign handoffs that carried the brief             4 content requests served from the plan")
        Output.line("5 launches with an approving sales review              MEDIAN/P90: handoff to acceptance")
        let o = card.overall
        if let m = o.meanSignalsPerHandoff { Output.line(String(format: "mean signals per handoff %.2f; ad-hoc content %@; overrides %lld", m, pct(o.contentAdHoc), o.overrides)) }
        if !o.rejectionsByReason.isEmpty {
            Output.line("rejections by reason: " + o.rejectionsByReason.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !card.byDefinitionVersion.isEmpty {
            Output.line("rejection rate by definition version: " + card.byDefinitionVersion.map { "\($0.definition) v\($0.version) \(pct($0.rejectionRate))" }.joined(separator: ", "))
        }
        if let actors = card.byActor {
            Output.line("")
            Output.table(["ACTOR"] + header.dropFirst(), actors.keys.sorted().map { [$0] + row(actors[$0]!).dropFirst() })
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stream events to JSON Lines or CSV for pandas, DuckDB or a spreadsheet.", discussion: """
        JSON Lines carry the full envelope (valid against schemas/envelope.schema.json) with the payload as an
        object. CSV has one row per event: the envelope columns, then the payload flattened to dotted columns
        (`payload.profile.company`); lists are JSON text. Streams in constant memory.

        Examples:
          align export --output events.jsonl
          align export --format csv --type LeadHandedOff --type LeadAccepted --since 2026-04-01 --output leads.csv
          align export --stream definition/mql --from 100 --to 2000
        """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "jsonl or csv.") var format: String = "jsonl"
    @Option(help: "Only this event type (repeatable).") var type: [String] = []
    @Option(help: "Only this stream.") var stream: String?
    @Option(help: "From this business time.") var since: String?
    @Option(help: "Before this business time.") var until: String?
    @Option(help: "From this position.") var from: UInt64?
    @Option(help: "Through this position.") var to: UInt64?
    @Option(help: "Write here instead of standard output.") var output: String?

    func run() throws {
        try align.run(global) {
            guard format == "jsonl" || format == "csv" else { throw CLIError.usage("--format must be jsonl or csv") }
            if since != nil && from != nil { throw CLIError.usage("give --since or --from, not both") }
            if until != nil && to != nil { throw CLIError.usage("give --until or --to, not both") }
            let s = try since.map { try parseTime($0, "--since") }, u = try until.map { try parseTime($0, "--until") }
            let log = try EventLog.open(at: global.ledgerPath)
            let head = try log.head()
            let types = Set(type)
            let out = try BufferedOutput(path: output)
            let tty = isatty(2) == 1 && output != nil
            func each(_ body: (RecordedEvent) throws -> Void) throws {
                func visit(_ e: RecordedEvent) throws {
                    if !types.isEmpty && !types.contains(e.type) { return }
                    if let s, e.occurredAt.date < s { return }
                    if let u, e.occurredAt.date >= u { return }
                    try body(e)
                }
                if let stream {
                    for e in try log.read(stream: stream) where e.position >= (from ?? 1) && e.position <= (to ?? head.position) { try visit(e) }
                } else {
                    try log.replay(from: from ?? 1, through: min(to ?? head.position, head.position)) { e in
                        try visit(e)
                        if tty && e.position % 100_000 == 0 { FileHandle.standardError.write(Data("\rexported through position \(e.position)/\(head.position)".utf8)) }
                    }
                }
            }
            var count = 0
            if format == "jsonl" {
                try each { e in out.writeEnvelope(e); count += 1 }
            } else {
                // Pass 1: the payload columns (memory grows with distinct columns, not events).
                var columns = Set<String>()
                try each { e in for (k, _) in CSV.flatten(e.payload) { columns.insert(k) } }
                let payloadColumns = columns.sorted()
                let envelope = ["position", "id", "stream", "version", "type", "schemaVersion", "recordedAt", "occurredAt", "actor", "correlationId", "causationId", "hash"]
                out.write((envelope + payloadColumns.map { "payload." + $0 }).map(CSV.field).joined(separator: ",") + "\n")
                try each { e in
                    let flat = Dictionary(CSV.flatten(e.payload), uniquingKeysWith: { a, _ in a })
                    var row = [String(e.position), e.id.uuidString.lowercased(), e.stream, String(e.version), e.type, String(e.schemaVersion),
                               e.recordedAt.iso8601, e.occurredAt.iso8601, e.actor, e.correlationID?.uuidString.lowercased() ?? "",
                               e.causationID?.uuidString.lowercased() ?? "", e.hash.hex]
                    row += payloadColumns.map { flat[$0] ?? "" }
                    out.write(row.map(CSV.field).joined(separator: ",") + "\n")
                    count += 1
                }
            }
            try out.close()
            if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            if output != nil {
                if global.json {
                    Output.json(["ok": true, "events": count, "output": output!, "format": format, "head": "\(head)"] as [String: Any])
                } else {
                    Output.line("exported \(count) events to \(output!) (\(format)); head \(head)")
                }
            }
        }
    }
}

/// Buffered writes to a file or standard output.
final class BufferedOutput {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private let owned: Bool

    init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
                throw CLIError.usage("cannot write '\(path)'")
            }
            handle = h
            owned = true
        } else {
            handle = .standardOutput
            owned = false
        }
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    /// One JSON Lines envelope, written straight into the buffer.
    func writeEnvelope(_ e: RecordedEvent) {
        Output.appendEnvelope(e, to: &buffer)
        buffer.append(10)
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        flush()
        if owned { try handle.close() }
    }
}

enum CSV {
    static func field(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// The payload's leaves as dotted paths; lists become JSON text.
    static func flatten(_ payload: [UInt8]) -> [(String, String)] {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(payload), options: [.fragmentsAllowed]) else { return [] }
        var out: [(String, String)] = []
        func walk(_ v: Any, _ path: String) {
            switch v {
            case let d as [String: Any]:
                for (k, x) in d { walk(x, path.isEmpty ? k : path + "." + k) }
            case let a as [Any]:
                let data = (try? JSONSerialization.data(withJSONObject: a, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
                out.append((path, String(decoding: data, as: UTF8.self)))
            case let n as NSNumber:
                // JSON booleans come back as NSNumbers of type 'c' (char); JSON numbers never do.
                if String(cString: n.objCType) == "c" { out.append((path, n.boolValue ? "true" : "false")) } else { out.append((path, n.stringValue)) }
            case let s as String:
                out.append((path, s))
            case is NSNull:
                out.append((path, ""))
            default:
                out.append((path, "\(v)"))
            }
        }
        walk(obj, "")
        return out
    }
}

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rebuild one projection from scratch, in memory, as of a past point, and print it.", discussion: """
        Projections: state, scorecard, audit.

        Examples:
          align replay --projection scorecard --until 2026-05-01 --json
          align replay --projection state --to 1200 --json > state-at-1200.json
        """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "state, scorecard or audit.") var projection: String
    @Option(help: "Replay through this position.") var to: UInt64?
    @Option(help: "Replay the events before this business time.") var until: String?

    func run() throws {
        try align.run(global) {
            guard let name = ProjectionName(rawValue: projection) else { throw CLIError.usage("--projection must be state, scorecard or audit") }
            if to != nil && until != nil { throw CLIError.usage("give --to or --until, not both") }
            let u = try until.map { try parseTime($0, "--until") }
            let l = try global.open()
            let r = try l.replay(to: to, until: u, [name])
            switch name {
            case .state:
                let streams = r.state.states.filter {
                    if case .definition(let d) = $0.value { return d.exists }
                    if case .campaign(let c) = $0.value { return c.exists }
                    if case .lead(let x) = $0.value { return x.status != .none }
                    if case .content(let c) = $0.value { return c.exists }
                    return true
                }
                if global.json {
                    Output.json(encodable: ReplayedState(position: r.position, streams: streams))
                } else {
                    var kinds: [String: Int] = [:]
                    for k in streams.keys { kinds[String(k.split(separator: "/").first ?? ""), default: 0] += 1 }
                    Output.line("state replayed through position \(r.position): " + kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
                    Output.line("(use --json for every stream's state)")
                }
            case .scorecard:
                let card = Scorecard.compute(buckets: r.scorecard.buckets.map { ($0.key, $0.value) }, period: .month, since: nil, until: nil, byActor: true)
                if global.json { Output.json(encodable: card) } else { ScorecardCommand.print(card) }
            case .audit:
                if global.json {
                    Output.json(encodable: ["overrides": r.overrides])
                } else {
                    Output.line("audit replayed through position \(r.position): \(r.overrides.count) override(s)")
                    for o in r.overrides { Output.line("  #\(o.position) \(Output.date(o.at)) \(o.actor) \(o.type) \(o.stream): \(o.rule): \(o.reason)") }
                }
            }
        }
    }

    struct ReplayedState: Encodable {
        var position: UInt64
        var streams: [String: EntityState]
    }
}

struct Projections: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The read models kept beside the log.", subcommands: [Status.self, Rebuild.self])

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each projection's code version and checkpoint.", discussion: """
            Example:
              align projections status
            """)
        @OptionGroup var global: GlobalOptions
        func run() throws {
            try align.run(global) {
                let l = try global.open()
                let cps = try l.projectionCheckpoints()
                let head = try l.log.head()
                if global.json {
                    Output.json(["head": "\(head)", "projections": ProjectionName.allCases.map {
                        ["name": $0.rawValue, "codeVersion": $0.codeVersion, "keptVersion": cps[$0]?.version ?? 0, "checkpoint": cps[$0]?.position ?? 0]
                    }] as [String: Any])
                    return
                }
                Output.table(["PROJECTION", "VERSION", "CHECKPOINT", "HEAD"], ProjectionName.allCases.map {
                    [$0.rawValue, String(cps[$0]?.version ?? 0), String(cps[$0]?.position ?? 0), String(head.position)]
                })
            }
        }
    }

    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rebuild kept projections from the whole log.", discussion: """
            Projections: state, scorecard, audit (default: all). Shows progress on a terminal.

            Examples:
              align projections rebuild
              align projections rebuild scorecard
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "One projection (state, scorecard, audit); default all.") var name: String?
        func run() throws {
            try align.run(global) {
                var names = ProjectionName.allCases
                if let name {
                    guard let n = ProjectionName(rawValue: name) else { throw CLIError.usage("unknown projection '\(name)'; projections are state, scorecard, audit") }
                    names = [n]
                }
                let l = try global.open()
                let tty = isatty(2) == 1 && !global.json
                let started = Date()
                try l.rebuild(names) { done, total in
                    if tty, done % 20_000 == 0 || done == total {
                        FileHandle.standardError.write(Data("\rrebuilding: \(done)/\(total) events".utf8))
                    }
                }
                if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                let seconds = Date().timeIntervalSince(started)
                let head = try l.log.head()
                if global.json {
                    Output.json(["ok": true, "rebuilt": names.map(\.rawValue), "events": head.position, "seconds": seconds] as [String: Any])
                } else {
                    Output.line("rebuilt \(names.map(\.rawValue).joined(separator: ", ")) from \(head.position) events in \(String(format: "%.2f", seconds)) s")
                }
            }
        }
    }
}
