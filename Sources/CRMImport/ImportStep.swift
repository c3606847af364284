import AlignmentDomain
import Foundation

/// One command an import asks the ledger to run: what a CRM's history says happened to a lead, in the ledger's words.
///
/// A reader (`SalesforceExport`, `HubSpotExport`) turns an export into steps, each lead's in business-time order; the
/// service runs them as revops-signed imports. `key` names the step so that importing the same export again, or a
/// newer one that overlaps it, appends only what is new; `source` names the CRM record it comes from (recorded in
/// the event).
public struct ImportStep: Equatable, Sendable {
    /// Stable across exports: `CRM/LEAD/STEP/CYCLE`, e.g. `salesforce/00Q5g00000AbCdE/accept/1`.
    public var key: String
    /// The CRM record behind it: `CRM:OBJECT/RECORD-ID`, e.g. `salesforce:LeadHistory/0175g00000XyZ`.
    public var source: String
    /// The ledger's lead id.
    public var lead: String
    /// The ledger actor who acted (mapped from the CRM user).
    public var actor: String
    /// Business time: when it happened in the CRM.
    public var at: Date
    public var command: Command

    public init(key: String, source: String, lead: String, actor: String, at: Date, command: Command) {
        self.key = key
        self.source = source
        self.lead = lead
        self.actor = actor
        self.at = at
        self.command = command
    }
}

/// A row of an export that could not be read, with where it is.
public struct BadRow: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file's name as given.
    public var file: String
    /// The physical line the row starts on (the header is line 1).
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}

/// What reading an export found.
public struct CRMReading: Sendable {
    /// Every lead's steps, each lead's in business-time order (leads one after another).
    public var steps: [ImportStep]
    /// Data rows read, over every file.
    public var rows: Int
    /// Rows skipped with `skipBadRows` (without it, the first bad rows are thrown as `CRMImportError.badRows`).
    public var skipped: [BadRow]
    /// Things a revops lead should know that are not errors: leads merged away, statuses that changed nothing, records
    /// that name a lead the export does not hold. One line each, counted when there are many of a kind.
    public var notes: [String]

    public init(steps: [ImportStep], rows: Int, skipped: [BadRow], notes: [String]) {
        self.steps = steps
        self.rows = rows
        self.skipped = skipped
        self.notes = notes
    }
}

/// Why an export could not be read. Nothing is imported.
public enum CRMImportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A required file or column is missing, or a file cannot be read.
    case missing(String)
    /// Malformed rows (every one found, in file order), without `skipBadRows`.
    case badRows([BadRow])
    /// Values the mapping does not say how to read (an unknown status, an unmapped user), each with the mapping
    /// entry that would fix it.
    case unmapped([String])
    /// The mapping file itself is wrong.
    case mapping(String)

    public var description: String {
        switch self {
        case .missing(let m): m
        case .badRows(let rows): "\(rows.count) malformed row\(rows.count == 1 ? "" : "s"):\n" + rows.map { "  \($0)" }.joined(separator: "\n")
        case .unmapped(let list): "the mapping does not say how to read:\n" + list.map { "  \($0)" }.joined(separator: "\n")
        case .mapping(let m): "mapping file: \(m)"
        }
    }
}

/// Progress of a long read: rows so far, bytes read of the total (for an ETA).
public struct ReadProgress: Sendable {
    public var file: String
    public var rows: Int
    public var bytes: Int64
    public var totalBytes: Int64

    public init(file: String, rows: Int, bytes: Int64, totalBytes: Int64) {
        self.file = file
        self.rows = rows
        self.bytes = bytes
        self.totalBytes = totalBytes
    }
}
