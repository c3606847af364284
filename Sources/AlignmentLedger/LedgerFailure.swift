import AlignmentDomain
import CRMImport
import EventLog

/// Any error of the service, sorted for a front end: what kind of failure, and a message that names no front end's
/// options (a front end adds its own hints from `kind` and `path`).
public struct LedgerFailure: Sendable {
    /// The kinds of failure a front end tells apart.
    public enum Kind: String, Sendable {
        /// The request was malformed.
        case usage
        /// A rule (or the log's concurrency checks) refused it; nothing was written.
        case refused
        /// Something named does not exist.
        case notFound = "not-found"
        /// Storage failed or holds something it should not.
        case storage
    }

    /// The kind.
    public var kind: Kind
    /// What went wrong.
    public var message: String
    /// The rule that refused, for refusals by a rule.
    public var rule: String?
    /// The ledger path, when the failure is about what is (or is not) there: a missing ledger, an existing one.
    public var path: String?
    /// Each refused line of an apply file.
    public var problems: [(line: Int, error: String)] = []
    /// Whether the failure is damage found in the ledger file (a record, an index or a read model that does not read):
    /// a front end then says how to confirm it (`verify`) and recover (a rebuild of the read models, or a backup).
    public var isDamage = false

    /// Whether `error` is one the service throws (a rule's, the apply reader's or storage's), which `init` sorts.
    public static func isLedgerError(_ error: Error) -> Bool {
        error is DomainError || error is ApplyError || error is EventLogError || error is ExportFileError || error is KeyFileError
            || error is CheckpointError || error is NoteError || error is MerkleError
            || error is ReadModelDamage || error is CRMImportError || error is CRMImportRefused
    }


    /// Sorts `error`.
    public init(_ error: Error) {
        switch error {
        case let e as DomainError:
            switch e {
            case .refused(let rule, _): (kind, message, self.rule) = (.refused, e.description, rule)
            case .notFound: (kind, message) = (.notFound, e.description)
            case .invalid: (kind, message) = (.usage, e.description)
            }
        case let e as ApplyError:
            (kind, message, problems) = (e.onlyMalformed ? .usage : .refused, e.description, e.problems)
        case let e as EventLogError:
            switch e {
            case .notALedger(let path, let reason): (kind, message, self.path) = (.notFound, "'\(path)' is not an alignment ledger: \(reason)", path)
            case .alreadyExists(let path): (kind, message, self.path) = (.refused, "a ledger already exists at '\(path)'; it was left untouched", path)
            case .invalidInput: (kind, message) = (.usage, e.description)
            case .wrongExpectedVersion, .idConflict, .partialDuplicate: (kind, message) = (.refused, e.description)
            case .corrupt(let position, let reason): (kind, message, isDamage) = (.storage, "record at position \(position) is damaged: \(reason)", true)
            case .damaged(let what): (kind, message, isDamage) = (.storage, "the ledger file is damaged: \(what)", true)
            default: (kind, message) = (.storage, e.description)
            }
        case let e as CRMImportError:
            // A CRM export that does not read, or a mapping that does not say how to read it: bad input, nothing written.
            (kind, message) = (.usage, e.description)
        case let e as CRMImportRefused:
            (kind, message) = (.refused, e.description)
        case let e as ReadModelDamage:
            (kind, message, isDamage) = (.storage, e.description, true)
        case let e as ExportFileError:
            (kind, message) = (.storage, e.description)
        case let e as KeyFileError:
            switch e {
            case .missing, .insecure, .exists, .passphrase: (kind, message, self.rule) = (.refused, e.description, Rule.signature)
            case .damaged, .io: (kind, message) = (.storage, e.description)
            case .invalidActor: (kind, message) = (.usage, e.description)
            }
        case let e as CheckpointError:
            switch e {
            case .rollback, .fork: (kind, message) = (.storage, e.description)
            case .noLogKey, .logKeyUnavailable, .noCheckpoint, .treeNotBuilt: (kind, message) = (.refused, e.description)
            }
        case let e as NoteError:
            switch e {
            case .malformedKey: (kind, message) = (.usage, e.description)
            case .malformedNote, .badSignature, .noKnownSignature, .malformedCheckpoint: (kind, message) = (.storage, e.description)
            }
        default:
            (kind, message) = (.storage, "\(error)")
        }
    }
}

