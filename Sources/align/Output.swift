import AlignmentDomain
import AlignmentLedger
import EventLog
import Foundation

enum Output {
    static func line(_ s: String) {
        FileHandle.standardOutput.write(Data((s + "\n").utf8))
    }

    static func json(_ object: Any, to handle: FileHandle = .standardOutput) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        handle.write(data + Data("\n".utf8))
    }

    static func json<T: Encodable>(encodable value: T) {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        let data = (try? e.encode(value)) ?? Data("{}".utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    static func escape(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// The full envelope of an event as one JSON object (the export and `log --json` format).
    static func envelope(_ e: RecordedEvent) -> String {
        var s = "{\"actor\":\(escape(e.actor))"
        if let c = e.causationID { s += ",\"causationId\":\"\(c.uuidString.lowercased())\"" } else { s += ",\"causationId\":null" }
        if let c = e.correlationID { s += ",\"correlationId\":\"\(c.uuidString.lowercased())\"" } else { s += ",\"correlationId\":null" }
        s += ",\"hash\":\"\(e.hash.hex)\",\"id\":\"\(e.id.uuidString.lowercased())\""
        s += ",\"occurredAt\":\"\(e.occurredAt.iso8601)\",\"payload\":\(e.payloadString),\"position\":\(e.position)"
        s += ",\"recordedAt\":\"\(e.recordedAt.iso8601)\",\"schemaVersion\":\(e.schemaVersion)"
        s += ",\"stream\":\(escape(e.stream)),\"type\":\(escape(e.type)),\"version\":\(e.version)}"
        return s
    }

    /// One line of the human log view.
    static func logLine(_ e: RecordedEvent) -> String {
        let pos = String(e.position).padding(toLength: 7, withPad: " ", startingAt: 0)
        return "\(pos) \(e.occurredAt.iso8601)  \(e.actor.padding(toLength: 10, withPad: " ", startingAt: 0)) \(e.type.padding(toLength: 26, withPad: " ", startingAt: 0)) \(e.stream)@\(e.version)"
    }

    /// Prints the result of a command that appended events.
    static func recorded(_ events: [RecordedEvent], summary: String, json: Bool, head: Checkpoint?) {
        if json {
            let envs = events.map(envelope).joined(separator: ",")
            line("{\"events\":[\(envs)],\"head\":\(head.map { "\"\($0)\"" } ?? "null"),\"ok\":true,\"summary\":\(escape(summary))}")
        } else {
            line(summary)
            for e in events { line("  recorded " + logLine(e)) }
        }
    }

    /// A plain table with a header row.
    static func table(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func fmt(_ r: [String]) -> String {
            r.enumerated().map { i, c in i == r.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        line(fmt(header))
        line(fmt(widths.map { String(repeating: "-", count: $0) }))
        for r in rows { line(fmt(r)) }
    }

    static func date(_ d: Date) -> String { DomainTime.format(d) }
}
