import JSONCore

/// The CSV form of the export: the envelope columns, then the payload flattened to dotted columns.
enum CSVRows {
    static let envelopeColumns = ["position", "id", "stream", "version", "type", "schemaVersion", "recordedAt", "occurredAt",
                                  "actor", "correlationId", "causationId", "hash"]

    /// One CSV field, quoted when it must be.
    static func field(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// One line of fields.
    static func line(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\n" }

    /// The payload's leaves as dotted paths; lists become JSON text, null an empty field.
    static func flatten(_ payload: [UInt8]) -> [(String, String)] {
        guard let value = try? JSONValue.parse(payload) else { return [] }
        var out: [(String, String)] = []
        func walk(_ v: JSONValue, _ path: String) {
            switch v {
            case .object(let o): for (k, x) in o { walk(x, path.isEmpty ? k : path + "." + k) }
            case .array: out.append((path, v.canonicalText))
            case .string(let s): out.append((path, s))
            case .number, .bool: out.append((path, v.canonicalText))
            case .null: out.append((path, ""))
            }
        }
        walk(value, "")
        return out
    }

    /// The row of one event under `payloadColumns`.
    static func row(_ e: RecordedEvent, payloadColumns: [String]) -> String {
        let flat = Dictionary(flatten(e.payload), uniquingKeysWith: { a, _ in a })
        var row = [String(e.position), e.id.uuidString.lowercased(), e.stream, String(e.version), e.type, String(e.schemaVersion),
                   e.recordedAt.iso8601, e.occurredAt.iso8601, e.actor, e.correlationID?.uuidString.lowercased() ?? "",
                   e.causationID?.uuidString.lowercased() ?? "", e.hash.hex]
        row += payloadColumns.map { flat[$0] ?? "" }
        return line(row)
    }
}
