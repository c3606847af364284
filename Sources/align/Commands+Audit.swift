import AlignmentDomain
import AlignmentLedger
import AlignmentProjections
import ArgumentParser
import EventLog
import Foundation

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Who did what, and when: answers that show the events they rest on.",
        discussion: "Every answer lists the positions of its events and the log's head, so it can be checked with `align verify --checkpoint`.",
        subcommands: [Definition.self, WhoApproved.self, Actor.self, Stream.self, Overrides.self])

    static func printTrail(_ t: AuditTrail, json: Bool, describe: (RecordedEvent) -> String) {
        if json {
            Output.line("{\"events\":[\(t.events.map(Output.envelope).joined(separator: ","))],\"head\":\"\(t.head)\",\"ok\":true}")
            return
        }
        if t.events.isEmpty { Output.line("(no events)") }
        for e in t.events {
            Output.line("#\(e.position)  \(e.occurredAt.iso8601)  \(e.actor)  \(describe(e))")
        }
        Output.line("head \(t.head)  (check with `align verify --checkpoint \(t.head)`)")
    }

    static func describe(_ e: RecordedEvent) -> String {
        guard let d = try? DomainEvent.decode(type: e.type, schemaVersion: Int(e.schemaVersion), payload: e.payload) else {
            return "\(e.type) on \(e.stream)"
        }
        switch d {
        case .definitionProposed(let x): return "proposed \(x.definition) v\(x.version) \"\(x.title)\""
        case .definitionSignedOff(let x): return "signed off \(x.definition) v\(x.version)\(x.comment.map { ": \($0)" } ?? "")"
        case .definitionRejected(let x): return "rejected \(x.definition) v\(x.version): \(x.reason)"
        case .definitionActivated(let x):
            return "activated \(x.definition) v\(x.version) with \(x.signOffs)/\(x.quorum) sales sign-offs"
                + (x.supersedes.map { ", superseding v\($0)" } ?? "") + (x.override.map { "; OVERRIDE of \($0.rule): \($0.reason)" } ?? "")
        case .definitionRetired(let x): return "retired \(x.definition)" + (x.version.map { " (v\($0) was active)" } ?? "")
        case .campaignLaunched(let x): return "launched \(x.campaign) revision \(x.revision)\(x.reviewed ? " (reviewed)" : " (NOT reviewed)")" + (x.override.map { "; OVERRIDE: \($0.reason)" } ?? "")
        case .campaignReviewed(let x): return "\(x.approved ? "approved" : "requested changes to") \(x.campaign) revision \(x.revision)"
        case .leadHandedOff(let x): return "handed off \(x.lead) under \(x.definition) v\(x.definitionVersion) with \(x.signals.count) signal(s)" + (x.override.map { "; OVERRIDE: \($0.reason)" } ?? "")
        case .leadRejected(let x): return "rejected lead \(x.lead): \(x.reason.rawValue)"
        default: return "\(e.type) on \(e.stream)"
        }
    }

    struct Definition: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A definition's whole story: proposals, sign-offs, rejections, activations, supersession.", discussion: """
            Example:
              align audit definition mql --version 2
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Definition id.") var id: String
        @Option(help: "Only events about this version (and its supersession).") var version: Int?
        func run() throws {
            try align.run(global) {
                let l = try global.open()
                var t = try l.auditStream(StreamName.definition(id))
                if t.events.isEmpty { throw CLIError.notFound("no lead definition '\(id)'; see `align definition list`") }
                if let version {
                    t.events = t.events.filter { e in
                        guard let d = try? DomainEvent.decode(type: e.type, schemaVersion: Int(e.schemaVersion), payload: e.payload) else { return false }
                        switch d {
                        case .definitionProposed(let x): return x.version == version
                        case .definitionSignedOff(let x): return x.version == version
                        case .definitionRejected(let x): return x.version == version
                        case .definitionActivated(let x): return x.version == version || x.supersedes == version
                        case .definitionRetired(let x): return x.version == version
                        default: return false
                        }
                    }
                }
                AuditCommand.printTrail(t, json: global.json, describe: AuditCommand.describe)
            }
        }
    }

    struct WhoApproved: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "who-approved", abstract: "The version active at a time and the sales members who signed it off.", discussion: """
            Examples:
              align audit who-approved mql
              align audit who-approved mql --at 2026-05-01
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Definition id.") var id: String
        func run() throws {
            try align.run(global) {
                let at = try global.businessTime() ?? Date()
                let ledger = try global.open()
                let started = DispatchTime.now().uptimeNanoseconds
                var a = try ledger.whoApproved(id, at: at)
                a.queryMicroseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1000
                if global.json { Output.json(encodable: a); return }
                guard let v = a.version else {
                    Output.line("No version of '\(id)' was active at \(Output.date(at)).")
                    Output.line("head \(a.head)")
                    return
                }
                Output.line("'\(id)' v\(v) \"\(a.title ?? "")\" was active at \(Output.date(at)): from \(a.activeFrom.map(Output.date) ?? "?")\(a.activeUntil.map { " until \(Output.date($0))" } ?? "") (activated at #\(a.activationPosition ?? 0))")
                if a.signOffs.isEmpty { Output.line("  signed off by nobody") }
                for s in a.signOffs { Output.line("  signed off by \(s.actor) at \(Output.date(s.at)) (#\(s.position))\(s.comment.map { ": \($0)" } ?? "")") }
                if let o = a.override { Output.line("  activated by OVERRIDE of rule \(o.rule): \(o.reason)") }
                Output.line("head \(a.head)")
            }
        }
    }

    struct Actor: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything one person did.", discussion: """
            Example:
              align audit actor sam --since 2026-04-01 --until 2026-05-01
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Actor id.") var id: String
        @Option(help: "From this business time (ISO 8601).") var since: String?
        @Option(help: "Before this business time (ISO 8601).") var until: String?
        func run() throws {
            try align.run(global) {
                let s = try since.map { try parseTime($0, "--since") }, u = try until.map { try parseTime($0, "--until") }
                let t = try global.open().auditActor(id, since: s, until: u)
                AuditCommand.printTrail(t, json: global.json, describe: AuditCommand.describe)
            }
        }
    }

    struct Stream: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every event of one stream.", discussion: """
            Example:
              align audit stream campaign/q2-webinar
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Stream name, e.g. lead/L-1001.") var stream: String
        func run() throws {
            try align.run(global) {
                let t = try global.open().auditStream(stream)
                AuditCommand.printTrail(t, json: global.json, describe: AuditCommand.describe)
            }
        }
    }

    struct Overrides: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every rule set aside by revops, with the reason.", discussion: """
            Example:
              align audit overrides --json
            """)
        @OptionGroup var global: GlobalOptions
        func run() throws {
            try align.run(global) {
                let (os, head) = try global.open().auditOverrides()
                if global.json {
                    let e = JSONEncoder()
                    e.dateEncodingStrategy = .iso8601
                    e.outputFormatting = [.sortedKeys]
                    let body = String(decoding: (try? e.encode(os)) ?? Data("[]".utf8), as: UTF8.self)
                    Output.line("{\"head\":\"\(head)\",\"ok\":true,\"overrides\":\(body)}")
                    return
                }
                if os.isEmpty { Output.line("(no overrides)") }
                Output.table(["POSITION", "AT", "BY", "EVENT", "STREAM", "RULE", "REASON"], os.map {
                    ["#\($0.position)", Output.date($0.at), $0.actor, $0.type, $0.stream, $0.rule, $0.reason]
                })
                Output.line("head \(head)")
            }
        }
    }
}

func parseTime(_ s: String, _ option: String) throws -> Date {
    guard let d = DomainTime.parse(s) else { throw CLIError.usage("\(option) \(s.debugDescription) is not an ISO 8601 time such as 2026-03-01T09:00:00Z") }
    return d
}

struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "What was in force at a point in time, replayed from the log.", discussion: """
        Replays the log from the start up to a position, or up to a business time, and shows the active
        definitions, open campaigns, leads by status and the content plan then.

        Examples:
          align state --at 2026-05-01
          align state --position 1200 --json
        """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "Replay through this position.") var position: UInt64?

    func run() throws {
        try align.run(global) {
            if position != nil && global.at != nil { throw CLIError.usage("give --at or --position, not both") }
            let until = try global.businessTime().map { $0.addingTimeInterval(0.000_001) }
            let l = try global.open()
            let r = try l.replay(to: position, until: until, [.state])
            var active: [(String, Int)] = [], campaigns: [(String, String)] = [], leads: [String: Int] = [:], plan: [(String, String)] = []
            for (stream, s) in r.state.states {
                switch s {
                case .definition(let d): if let v = d.activeVersion { active.append((d.id, v)) }
                case .campaign(let c): if c.status != .closed && c.status != .none { campaigns.append((c.id, c.status.rawValue)) }
                case .lead(let x): if x.status != .none { leads[x.status.rawValue, default: 0] += 1 }
                case .content(let c): if let a = c.asset { plan.append((a.asset, a.stage.rawValue)) }
                default: _ = stream
                }
            }
            active.sort { $0.0 < $1.0 }; campaigns.sort { $0.0 < $1.0 }; plan.sort { $0.0 < $1.0 }
            let head = try l.log.head()
            if global.json {
                Output.json([
                    "position": r.position, "head": "\(head)", "at": global.at as Any,
                    "activeDefinitions": active.map { ["definition": $0.0, "version": $0.1] },
                    "openCampaigns": campaigns.map { ["campaign": $0.0, "status": $0.1] },
                    "leadsByStatus": leads, "contentPlan": plan.map { ["asset": $0.0, "stage": $0.1] },
                ] as [String: Any])
                return
            }
            Output.line("State as of \(global.at.map { "business time \($0)" } ?? "position \(r.position)") (replayed \(r.position) positions; head \(head))")
            Output.line("active definitions: " + (active.isEmpty ? "none" : active.map { "\($0.0) v\($0.1)" }.joined(separator: ", ")))
            Output.line("open campaigns:     " + (campaigns.isEmpty ? "none" : campaigns.map { "\($0.0) (\($0.1))" }.joined(separator: ", ")))
            Output.line("leads by status:    " + (leads.isEmpty ? "none" : leads.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
            Output.line("content plan:       " + (plan.isEmpty ? "empty" : plan.map { "\($0.0) (\($0.1))" }.joined(separator: ", ")))
        }
    }
}
