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
    /// A signed tree head was refused: it does not describe this log, or the log already kept one it contradicts.
    case inconsistentTreeHead(String)
    /// The ledger is open for reading only (its directory, files or file system cannot be written): nothing was written.
    case readOnly(path: String)
    /// The store's file is damaged where no record position can be named (a page of a table or index).
    case damaged(String)

    /// The message for people: the thing, the rule and the way forward.
    public var description: String {
        switch self {
        case .notALedger(let path, let reason):
            "'\(path)' is not an alignment ledger: \(reason). Create a ledger there first, or give the path of an existing ledger."
        case .alreadyExists(let path):
            "a ledger already exists at '\(path)'; it was left untouched. Choose another path to create a new one."
        case .unsupportedFormat(let path, let found, let supported):
            "ledger '\(path)' uses on-disk format version \(found), but this build reads version \(supported). Use a build that reads format \(found)."
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
            "record at position \(position) is damaged: \(reason). Verify the ledger for a full report of the damage."
        case .inconsistentTreeHead(let message):
            "tree head refused: \(message); nothing was signed or kept. Run `align verify` and compare with your published checkpoints."
        case .readOnly(let path):
            "the ledger is read-only: '\(path)' is open for reading only (its directory, files or file system cannot be written), so nothing was written. Reads work; record on the writable ledger."
        case .damaged(let what):
            "the ledger file is damaged: \(what). Verify the ledger for a full report of the damage."
        }
    }
}
