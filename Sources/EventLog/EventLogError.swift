import Foundation

/// Everything the event log can refuse or fail with. Messages name the thing, the rule and the way forward;
/// payload bytes never appear in them.
public enum EventLogError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The path is not a ledger (missing, or not made by this tool).
    case notALedger(path: String, reason: String)
    /// `create` found a ledger already there.
    case alreadyExists(path: String)
    /// The ledger was written in a format this build does not read.
    case unsupportedFormat(path: String, found: UInt32, supported: UInt32)
    /// An append's expected version did not match the stream. `actual` is nil when the stream does not exist.
    case wrongExpectedVersion(stream: String, expected: ExpectedVersion, actual: UInt64?)
    /// An event id is already stored with other content.
    case idConflict(id: UUID, position: UInt64)
    /// Some events of a request are already stored and others are not.
    case partialDuplicate(id: UUID, position: UInt64)
    /// A limit on names or payloads was broken; nothing was written.
    case invalidInput(String)
    /// LMDB or the file system failed.
    case storage(String)
    /// A stored record could not be decoded.
    case corrupt(position: UInt64, reason: String)

    public var description: String {
        switch self {
        case .notALedger(let path, let reason):
            "'\(path)' is not an alignment ledger: \(reason). Create one with `align init`, or point --ledger (ALIGN_LEDGER) at an existing ledger."
        case .alreadyExists(let path):
            "a ledger already exists at '\(path)'; it was left untouched. Choose another --ledger path to create a new one."
        case .unsupportedFormat(let path, let found, let supported):
            "ledger '\(path)' uses on-disk format version \(found), but this build reads version \(supported). Use a build of `align` that knows format \(found)."
        case .wrongExpectedVersion(let stream, let expected, let actual):
            "stream '\(stream)' was expected at \(expected) but is at \(actual.map { "version \($0)" } ?? "no stream (it does not exist)"); nothing was written. Re-read the stream and try again."
        case .idConflict(let id, let position):
            "event id \(id.uuidString.lowercased()) is already stored at position \(position) with different content; nothing was written. Give the new event a new id."
        case .partialDuplicate(let id, let position):
            "event id \(id.uuidString.lowercased()) is already stored (position \(position)) but other events of the same append are not; nothing was written. Retry the append exactly as first sent, or use new ids."
        case .invalidInput(let message):
            message
        case .storage(let message):
            "storage failure: \(message)"
        case .corrupt(let position, let reason):
            "record at position \(position) is damaged: \(reason). Run `align verify` for a full report."
        }
    }
}

/// Limits checked before anything is written.
public enum Limits {
    public static let maxStreamNameBytes = 200
    public static let maxTypeNameBytes = 100
    public static let maxActorBytes = 200
    public static let maxPayloadBytes = 1 << 20
    public static let maxSignatureBytes = 4096
    public static let maxEventsPerAppend = 1_000_000

    static func hasControlCharacters(_ s: String) -> Bool {
        s.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    static func checkStream(_ name: String) throws(EventLogError) {
        let n = name.utf8.count
        if n == 0 { throw .invalidInput("stream name is empty; give a name such as 'lead/L-1'") }
        if n > maxStreamNameBytes { throw .invalidInput("stream name of \(n) bytes is longer than the limit of \(maxStreamNameBytes) bytes") }
        if hasControlCharacters(name) { throw .invalidInput("stream name \(name.debugDescription) contains control characters") }
    }

    static func checkType(_ type: String) throws(EventLogError) {
        let n = type.utf8.count
        if n == 0 || n > maxTypeNameBytes {
            throw .invalidInput("event type name must be 1 to \(maxTypeNameBytes) bytes, got \(n)")
        }
        let ok = type.utf8.allSatisfy { c in
            (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 46 || c == 95 || c == 45
        }
        if !ok { throw .invalidInput("event type \(type.debugDescription) may only use letters, digits, '.', '_' and '-'") }
    }

    static func checkActor(_ actor: String) throws(EventLogError) {
        let n = actor.utf8.count
        if n == 0 || n > maxActorBytes { throw .invalidInput("actor must be 1 to \(maxActorBytes) bytes, got \(n)") }
        if hasControlCharacters(actor) { throw .invalidInput("actor \(actor.debugDescription) contains control characters") }
    }
}
