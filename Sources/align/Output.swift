import AlignmentDomain
import AlignmentLedger
import EventLog
import Foundation
import ISOTime

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
        var out: [UInt8] = []
        appendEnvelope(e, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the envelope's bytes (keys sorted, payload embedded as stored: canonical JSON).
    static func appendEnvelope(_ e: RecordedEvent, to out: inout [UInt8]) {
        func raw(_ s: StaticString) { s.withUTF8Buffer { out.append(contentsOf: $0) } }
        func uuid(_ u: UUID?) {
            guard let u else { raw("null"); return }
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            out.append(34)
            withUnsafeBytes(of: u.uuid) { b in
                for i in 0..<16 {
                    if i == 4 || i == 6 || i == 8 || i == 10 { out.append(45) }
                    out.append(hex[Int(b[i] >> 4)]); out.append(hex[Int(b[i] & 0xF)])
                }
            }
            out.append(34)
        }
        func time(_ t: Timestamp) { out.append(34); ISOTime.append(microseconds: t.microseconds, to: &out); out.append(34) }
        func number(_ n: UInt64) { out.append(contentsOf: String(n).utf8) }
        raw("{\"actor\":"); appendString(e.actor, to: &out)
        raw(",\"causationId\":"); uuid(e.causationID)
        raw(",\"correlationId\":"); uuid(e.correlationID)
        raw(",\"hash\":\""); out.append(contentsOf: e.hash.hex.utf8)
        raw("\",\"id\":"); uuid(e.id)
        raw(",\"occurredAt\":"); time(e.occurredAt)
        raw(",\"payload\":"); out.append(contentsOf: e.payload)
        raw(",\"position\":"); number(e.position)
        raw(",\"recordedAt\":"); time(e.recordedAt)
        raw(",\"schemaVersion\":"); number(UInt64(e.schemaVersion))
        raw(",\"stream\":"); appendString(e.stream, to: &out)
        raw(",\"type\":"); appendString(e.type, to: &out)
        raw(",\"version\":"); number(e.version)
        out.append(125)
    }

    /// Appends a JSON string literal.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(34)
        for c in s.utf8 {
            switch c {
            case 34: out.append(92); out.append(34)
            case 92: out.append(92); out.append(92)
            case 10: out.append(92); out.append(110)
            case 13: out.append(92); out.append(114)
            case 9: out.append(92); out.append(116)
            case 0..<32:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [92, 117, 48, 48, hex[Int(c >> 4)], hex[Int(c & 0xF)]])
            default: out.append(c)
            }
        }
        out.append(34)
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
