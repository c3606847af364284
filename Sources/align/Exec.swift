import AlignmentDomain
import AlignmentLedger
import EventLog
import Foundation
import JSONCore

/// Builds the `apply`-format arguments from parsed options, so the command line and `align apply` share one
/// parser and one set of checks (`Command.parse`).
struct ArgsBuilder {
    var values: [String: JSONValue] = [:]

    mutating func set(_ key: String, _ v: String?) { if let v { values[key] = .string(v) } }
    mutating func set(_ key: String, _ v: Int?) { if let v { values[key] = .number(Double(v)) } }
    mutating func set(_ key: String, _ v: Double?) { if let v { values[key] = .number(v) } }
    mutating func set(_ key: String, _ v: Bool) { if v { values[key] = .bool(true) } }
    mutating func set(_ key: String, bool v: Bool?) { if let v { values[key] = .bool(v) } }
    mutating func set(_ key: String, _ v: [String]) { if !v.isEmpty { values[key] = .array(v.map(JSONValue.string)) } }
}

enum Exec {
    /// Parses, checks and runs one command as the acting user, then prints what was recorded.
    static func run(_ g: GlobalOptions, _ name: String, _ args: ArgsBuilder, summary: ([RecordedEvent], [DomainEvent]) -> String) throws {
        try align.run(g) {
            let command = try Command.parse(name, args.values)
            let actor = try g.actorID()
            let at = try g.businessTime()
            let ledger = try g.open()
            let events = try ledger.execute(command, as: actor, at: at)
            let domain = events.compactMap { try? DomainEvent.decode(type: $0.type, schemaVersion: Int($0.schemaVersion), payload: $0.payload) }
            Output.recorded(events, summary: summary(events, domain), json: g.json, head: events.last.map { Checkpoint(position: $0.position, hash: $0.hash) })
        }
    }
}
