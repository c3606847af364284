import AlignmentDomain
import EventLog
import Foundation

/// The export formats.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// One JSON envelope per line.
    case jsonl
    /// One row per event, the payload flattened to dotted columns.
    case csv
}

extension AlignmentLedger {
    /// Refuses an event type name this ledger does not know (a typo would otherwise export nothing, with exit 0).
    public static func checkTypes(_ types: Set<String>) throws {
        let known = DomainEvent.types.map(\.name)
        if let unknown = types.sorted().first(where: { !known.contains($0) }) {
            throw DomainError.invalid("unknown event type '\(unknown)'; the types are \(known.joined(separator: ", "))")
        }
    }

    /// Streams the events `filter` lets through, as `format`, to `write` in chunks of about 1 MiB (constant memory:
    /// CSV reads the log twice, first for its columns). `progress` hears the position read every 100,000 events.
    /// Answers the number of events written and the head the export read up to.
    public func export(_ filter: EventFilter, as format: ExportFormat, progress: ((UInt64, UInt64) -> Void)? = nil,
                       to write: ([UInt8]) throws -> Void) throws -> (events: Int, head: Checkpoint) {
        try AlignmentLedger.checkTypes(filter.types)
        let head = try log.head()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        func flushIfFull() throws {
            if buffer.count >= 1 << 20 { try write(buffer); buffer.removeAll(keepingCapacity: true) }
        }
        func each(_ body: (RecordedEvent) throws -> Void) throws {
            let from = filter.from ?? 1, to = min(filter.to ?? head.position, head.position)
            if let stream = filter.stream {
                for e in try log.read(stream: stream) where e.position >= from && e.position <= to && filter.admits(e) { try body(e) }
            } else {
                try log.replay(from: from, through: to) { e in
                    if filter.admits(e) { try body(e) }
                    if e.position % 100_000 == 0 { progress?(e.position, head.position) }
                }
            }
        }
        var count = 0
        switch format {
        case .jsonl:
            try each { e in
                EventEnvelope.appendLine(e, to: &buffer)
                count += 1
                try flushIfFull()
            }
        case .csv:
            // Pass 1: the payload columns (memory grows with distinct columns, not events).
            var columns = Set<String>()
            try each { e in for (k, _) in CSVRows.flatten(e.payload) { columns.insert(k) } }
            let payloadColumns = columns.sorted()
            buffer += CSVRows.line(CSVRows.envelopeColumns + payloadColumns.map { "payload." + $0 }).utf8
            try each { e in
                buffer += CSVRows.row(e, payloadColumns: payloadColumns).utf8
                count += 1
                try flushIfFull()
            }
        }
        if !buffer.isEmpty { try write(buffer) }
        return (count, head)
    }
}
