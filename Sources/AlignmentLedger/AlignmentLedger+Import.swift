import AlignmentDomain
import AlignmentProjections
import CRMImport
import EventLog
import Foundation

/// A CRM export to import (`align import salesforce DIR`, `align import hubspot FILE`).
public enum CRMExport: Sendable {
    /// A folder of a Salesforce data export (or Data Loader / Bulk API extracts with the same headers).
    case salesforce(directory: String)
    /// A HubSpot contacts export, with an optional long-format property history and Leads-object export.
    case hubspot(contacts: String, history: String?, leads: String?)

    /// The name the import is recorded under (`RecordsImported.source`).
    var name: String {
        switch self {
        case .salesforce(let dir): "salesforce export \(dir)"
        case .hubspot(let contacts, _, _): "hubspot export \(contacts)"
        }
    }
}

/// How to import a CRM export.
public struct CRMImportOptions: Sendable {
    public var export: CRMExport
    /// The mapping file (JSON; docs/IMPORT-MAPPING.md).
    public var mapping: String
    /// Skip malformed rows (each listed) instead of refusing the whole export.
    public var skipBadRows = false
    /// Read and decide everything, append nothing: the report is the scorecard the import would leave.
    public var dryRun = false
    /// The report's period and breakdown (as `align scorecard`).
    public var period: Scorecard.Period = .quarter
    public var by: Scorecard.Breakdown?
    public var since: Date?
    /// The time open leads are aged at in the report (default: now).
    public var agedAt: Date?
    /// Commands per write transaction (each commits; a re-run skips what was appended).
    public var batchSize = 10_000

    public init(export: CRMExport, mapping: String) {
        self.export = export
        self.mapping = mapping
    }
}

/// Where a long import is.
public enum CRMImportProgress: Sendable {
    /// Reading the export: rows so far, bytes of the total.
    case reading(file: String, rows: Int, bytes: Int64, totalBytes: Int64)
    /// Deciding (dry run) or appending: the new steps done so far (they arrive lead by lead: no total is known).
    case writing(done: Int)
}

/// What an import did (or, dry, would do).
public struct CRMImportOutcome: Encodable, Sendable {
    public struct Row: Encodable, Sendable {
        public var file: String
        public var line: Int
        public var message: String
    }

    public struct Refusal: Encodable, Sendable {
        public var key: String
        public var source: String
        public var error: String
    }

    public var dryRun: Bool
    /// Data rows read over every file.
    public var rows: Int
    /// Leads in the export that stand for at least one step.
    public var leads: Int
    /// Steps the export stands for, those already in the ledger (a key imported before), and the new ones.
    public var steps: Int
    public var alreadyImported: Int
    public var new: Int
    /// Events appended (0 on a dry run).
    public var events: Int
    /// Handoffs recorded as flagged imports, by the rule they break.
    public var flagged: [String: Int]
    /// Malformed rows skipped (`skipBadRows`).
    public var skippedRows: [Row]
    public var notes: [String]
    /// Steps the ledger's rules refuse outright (not flaggable); a real import stops at the first batch holding one.
    public var refused: [Refusal]
    /// The ledger's scorecard once the import is in (on a dry run: as it would be).
    public var scorecard: Scorecard
    public var seconds: Double
    /// The head after the import, `POSITION:HASH` (nil on a dry run, or when nothing was appended).
    public var head: String?
}

/// A real import stopped at a batch the ledger's rules refused; the batches before it are in (a re-run skips them).
public struct CRMImportRefused: Error, Sendable, CustomStringConvertible {
    public var appended: Int
    public var refusals: [CRMImportOutcome.Refusal]

    public var description: String {
        let lines = refusals.prefix(50).map { "  \($0.key) (\($0.source)): \(Terminal.safe($0.error))" }.joined(separator: "\n")
        let more = refusals.count > 50 ? "\n  ... and \(refusals.count - 50) more" : ""
        return "the ledger's rules refuse \(refusals.count) step(s) of the export; \(appended) step(s) were appended before them "
            + "(re-running the import skips those):\n\(lines)\(more)\nrun the import with --dry-run to see every refusal at once"
    }
}

extension AlignmentLedger {
    /// Reads a CRM export through its mapping and imports the lead history it stands for, signed by `importer` (an
    /// active revops member; each batch is caused by a `RecordsImported` event with the export's name and the reason). Each step is keyed by
    /// its CRM record (`ImportStep.key`): steps imported before are skipped. Handoffs that break an overridable rule
    /// are recorded as flagged imports, not refused (`DecisionContext.source`).
    ///
    /// Malformed rows refuse the whole export before anything is written (unless `skipBadRows`). The steps are
    /// appended `batchSize` at a time, each batch in its own transaction; a batch the rules refuse stops the import
    /// (`CRMImportRefused`) with the batches before it in. `dryRun` decides every step against the ledger's state
    /// replayed in memory and appends nothing; its scorecard is the one the real import leaves.
    public func importCRM(_ options: CRMImportOptions, importer importerAuthority: ImportAuthority,
                          progress: (@Sendable (CRMImportProgress) -> Void)? = nil) throws -> CRMImportOutcome {
        let started = Date()
        // Only a revops member takes on others' history; said before the export is read, not once per step.
        let importer = importerAuthority.signer.actor
        guard let a = try ledgerState().actors[importer], a.active, a.roles.contains(.revops) else {
            throw DomainError.refused(rule: Rule.role, message: "an import is signed by an active revops member, and '\(importer)' is not one; run it --as a revops member with their key")
        }
        let mapping = try CRMMapping.load(path: options.mapping)
        let authority = ImportAuthority(signer: importerAuthority.signer, source: options.export.name, reason: importerAuthority.reason)
        // The log's clock: the time the steps are recorded at (what the dry run decides them as of, too).
        let recordedAt = try log.transaction { $0.now.date }
        let now = options.agedAt ?? Date()
        let batchSize = max(1, options.batchSize)

        var outcome = CRMImportOutcome(
            dryRun: options.dryRun, rows: 0, leads: 0, steps: 0, alreadyImported: 0, new: 0, events: 0, flagged: [:], skippedRows: [],
            notes: [], refused: [], scorecard: Scorecard.compute(buckets: [], period: options.period, since: nil, until: nil, by: nil, aging: nil),
            seconds: 0, head: nil)
        let memory = options.dryRun ? try InMemoryDecisions(self, importer: authority.signer, recordedAt: recordedAt) : nil
        var batch: [ApplyItem] = []
        var batchSteps: [ImportStep] = []
        var lastLead: String?

        /// Appends the batch in one transaction; a refusal stops the import with the batches before it in.
        func flush() throws {
            guard !batch.isEmpty else { return }
            do {
                let recorded = try apply(batch, signers: [:], importing: authority)
                outcome.events += recorded.count
                if let last = recorded.last { outcome.head = Checkpoint(position: last.position, hash: last.hash).description }
                for e in recorded where e.type == "LeadHandedOff" {
                    if let rule = flaggedRule(e) { outcome.flagged[rule, default: 0] += 1 }
                }
            } catch let e as ApplyError {
                let steps = batchSteps
                throw CRMImportRefused(appended: outcome.new - steps.count, refusals: e.problems.map { p in
                    let s = steps[min(steps.count - 1, max(0, p.line - 1))]
                    return .init(key: s.key, source: s.source, error: p.error)
                })
            }
            batch.removeAll(keepingCapacity: true)
            batchSteps.removeAll(keepingCapacity: true)
            progress?(.writing(done: outcome.new))
        }

        // Each lead's steps arrive in business-time order, lead after lead, once the whole export has been read and
        // checked (malformed rows and values the mapping does not know refuse it before the first step).
        let each: (ImportStep) throws -> Void = { step in
            outcome.steps += 1
            if step.lead != lastLead { outcome.leads += 1; lastLead = step.lead }
            if try self.log.event(id: self.applyEventID(step.key)) != nil { outcome.alreadyImported += 1; return }
            outcome.new += 1
            if let memory {
                try memory.decide(step)
                if outcome.new % 50_000 == 0 { progress?(.writing(done: outcome.new)) }
                return
            }
            batch.append(ApplyItem(line: batch.count + 1, command: step.command, actor: step.actor, at: step.at, key: step.key, source: step.source))
            batchSteps.append(step)
            if batch.count >= batchSize { try flush() }
        }
        let report: (ReadProgress) -> Void = { p in
            progress?(.reading(file: p.file, rows: p.rows, bytes: p.bytes, totalBytes: p.totalBytes))
        }
        let reading: CRMReading
        switch options.export {
        case .salesforce(let dir):
            reading = try SalesforceExport.stream(directory: URL(fileURLWithPath: dir), mapping: mapping, skipBadRows: options.skipBadRows,
                                                  progress: report, each: each)
        case .hubspot(let contacts, let history, let leads):
            reading = try HubSpotExport.stream(contacts: URL(fileURLWithPath: contacts), history: history.map { URL(fileURLWithPath: $0) },
                                               leads: leads.map { URL(fileURLWithPath: $0) }, mapping: mapping,
                                               skipBadRows: options.skipBadRows, progress: report, each: each)
        }
        outcome.rows = reading.rows
        outcome.skippedRows = reading.skipped.map { .init(file: $0.file, line: $0.line, message: $0.message) }
        outcome.notes = reading.notes
        if let memory {
            outcome.flagged = memory.flagged
            outcome.refused = memory.refused
            outcome.scorecard = Scorecard.compute(buckets: memory.projector.scorecard.buckets.map { ($0.key, $0.value) }, period: options.period,
                                                  since: options.since, until: nil, by: options.by,
                                                  aging: OpenAging(asOf: now, slaHours: try memory.projector.state.policy().slaHours))
        } else {
            try flush()
            outcome.scorecard = try scorecard(period: options.period, since: options.since, until: nil, by: options.by, now: now)
        }
        outcome.seconds = Date().timeIntervalSince(started)
        return outcome
    }

    /// The rule a recorded handoff's flag (its override) names, if it is a flagged import.
    private func flaggedRule(_ e: RecordedEvent) -> String? {
        guard case .leadHandedOff(let h)? = try? AlignmentLedger.decodedKnown(e), let o = h.override, h.source != nil else { return nil }
        return o.rule
    }
}

/// A dry run's decisions: the ledger's state replayed in memory, each step decided against it and folded into it (and
/// into the scorecard), nothing appended. Steps the rules refuse are listed, not folded, and the run goes on.
private final class InMemoryDecisions {
    let projector = Projector(tx: nil, enabled: [.state, .scorecard], freshState: true)
    let importer: EventSigner
    let recordedAt: Date
    var position: UInt64 = 0
    var flagged: [String: Int] = [:]
    var refused: [CRMImportOutcome.Refusal] = []

    init(_ ledger: AlignmentLedger, importer: EventSigner, recordedAt: Date) throws {
        self.importer = importer
        self.recordedAt = recordedAt
        position = try ledger.replay(into: projector).position
    }

    func decide(_ step: ImportStep) throws {
        do {
            let ctx = DecisionContext(actor: step.actor, at: step.at, recordedAt: recordedAt, keyID: importer.keyID,
                                      importedBy: importer.actor, source: step.source)
            for e in try Decider.decide(step.command, projector.state, ctx) {
                position += 1
                if case .leadHandedOff(let h) = e, let o = h.override { flagged[o.rule, default: 0] += 1 }
                try projector.apply(Recorded(event: e, actor: step.actor, at: step.at, position: position, recordedAt: recordedAt),
                                    stream: e.stream, type: e.type)
            }
        } catch let e as DomainError {
            refused.append(.init(key: step.key, source: step.source, error: e.description))
        }
    }
}
