// `importCRM`: a Salesforce export imported into a signed ledger as revops, through the service. The CRM's history
// predates the ledger (January; the ledger starts on 1 March), as it does for a team that starts using it.
import Foundation
import Testing
@testable import AlignmentDomain
@testable import AlignmentLedger
import AlignmentProjections
import CRMImport
import EventLog

@Suite struct CRMImportServiceTests {
    /// The example export of the repository (examples/salesforce: 4 leads, 4 history rows, 1 opportunity), which
    /// docs/IMPORT.md walks through.
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/salesforce").path
    static func file(_ name: String) -> String { (try? String(contentsOfFile: example + "/" + name, encoding: .utf8)) ?? "" }
    static var leads: String { file("Lead.csv") }
    static var history: String { file("LeadHistory.csv") }
    static var mapping: String { file("mapping.json") }

    /// A signed ledger with mql active, and an export folder beside it.
    final class Setup {
        let dir: String
        let fixture: SignedFixture
        let export: String

        init(_ files: [String: String] = [:]) throws {
            dir = NSTemporaryDirectory() + "crm-import-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            fixture = try SignedFixture(path: dir + "/ledger")
            try fixture.propose()
            try fixture.run(.definitionSignOff(id: "mql", version: 1, comment: nil), as: "sam")
            try fixture.run(.definitionActivate(id: "mql", version: 1, override: nil), as: "maria")
            export = dir + "/export"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: example)) ?? []
            try write(Dictionary(uniqueKeysWithValues: names.map { ($0, file($0)) }).merging(files) { $1 })
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        func write(_ files: [String: String]) throws {
            try FileManager.default.createDirectory(atPath: export, withIntermediateDirectories: true)
            for (name, text) in files { try text.write(toFile: export + "/" + name, atomically: true, encoding: .utf8) }
        }

        func options(dryRun: Bool = false) -> CRMImportOptions {
            var o = CRMImportOptions(export: .salesforce(directory: export), mapping: export + "/mapping.json")
            o.dryRun = dryRun
            o.agedAt = Date(timeIntervalSince1970: 1_772_400_000)
            return o
        }

        func run(dryRun: Bool = false) throws -> CRMImportOutcome {
            guard let rita = fixture.signers["rita"] else { throw DomainError.invalid("no key for rita") }
            return try fixture.ledger.importCRM(options(dryRun: dryRun), importer: ImportAuthority(signer: rita, source: "", reason: "CRM history"))
        }
    }

    @Test func aDryRunAppendsNothingAndReportsTheScorecardTheImportLeaves() throws {
        let s = try Setup()
        let before = try s.fixture.ledger.head()
        let dry = try s.run(dryRun: true)
        #expect(try s.fixture.ledger.head() == before)
        #expect(dry.leads == 4 && dry.steps == 8 && dry.new == 8 && dry.alreadyImported == 0 && dry.events == 0 && dry.refused.isEmpty)
        // mql was activated on 1 March: every January handoff is a flagged import, recorded, not refused.
        #expect(dry.flagged == [Rule.definitionActive: 4])
        let real = try s.run()
        #expect(real.events == 9)  // the 8 steps and the import's record
        #expect(real.flagged == dry.flagged)
        #expect(real.scorecard == dry.scorecard)
        #expect(real.scorecard.overall.qualifiedHandoffs.denominator == 4)
    }

    @Test func importedHistoryKeepsItsDatesItsSourcesAndVerifies() throws {
        let s = try Setup()
        _ = try s.run()
        let events = try s.fixture.ledger.streamEvents("lead/00QA")
        #expect(events.map(\.type) == ["LeadHandedOff", "LeadAccepted", "LeadConverted"])
        #expect(events.map { DomainTime.format($0.occurredAt.date) } == ["2026-01-05T10:00:00Z", "2026-01-05T14:00:00Z", "2026-01-09T10:00:00Z"])
        #expect(events.map(\.actor) == ["maria", "sam", "sam"])
        let payloads = events.map { String(decoding: $0.payload, as: UTF8.self) }
        #expect(payloads[1].contains(#""source":"salesforce:LeadHistory/017A1""#))
        #expect(payloads[2].contains(#""amount":12000"#))
        #expect(try s.fixture.ledger.verify(checkpoint: nil).isSound)
        #expect(try s.fixture.ledger.verifyModels().problem == nil)
    }

    @Test func importingAgainAppendsOnlyWhatIsNew() throws {
        let s = try Setup()
        _ = try s.run()
        let head = try s.fixture.ledger.head()
        let again = try s.run()
        #expect(again.new == 0 && again.alreadyImported == 8 && again.events == 0)
        #expect(try s.fixture.ledger.head() == head)
        // Next week's export: 00QD was worked, and a new lead came in.
        try s.write(["Lead.csv": CRMImportServiceTests.leads.replacingOccurrences(of: "Delta,Finance,300,false,,,false,2026-01-08T10:00:00.000Z",
                                                                                  with: "Delta,Finance,300,false,,,false,2026-01-12T10:00:00.000Z")
                        .replacingOccurrences(of: "00QD,2026-01-08T10:00:00.000Z,Open - Not Contacted", with: "00QD,2026-01-08T10:00:00.000Z,Working - Contacted")
                        + "00QE,2026-01-13T10:00:00.000Z,Open - Not Contacted,005B,Web,Epsilon,Finance,700,false,,,false,2026-01-13T10:00:00.000Z\n",
                     "LeadHistory.csv": CRMImportServiceTests.history
                        + "017D1,00QD,Status,Open - Not Contacted,Working - Contacted,2026-01-12T10:00:00.000Z,005B\n"])
        let next = try s.run()
        #expect(next.new == 2 && next.alreadyImported == 8)
        #expect(try s.fixture.ledger.leadStory("00QD").state.status == .accepted)
        #expect(try s.fixture.ledger.leadStory("00QE").state.status == .handedOff)
    }

    @Test func aMalformedRowRefusesTheWholeExportUnlessSkipped() throws {
        let s = try Setup(["LeadHistory.csv": CRMImportServiceTests.history + "017X,00QC,Status,only four\n"])
        let head = try s.fixture.ledger.head()
        #expect(throws: CRMImportError.self) { try s.run() }
        #expect(try s.fixture.ledger.head() == head)
        var o = s.options()
        o.skipBadRows = true
        guard let rita = s.fixture.signers["rita"] else { return }
        let r = try s.fixture.ledger.importCRM(o, importer: ImportAuthority(signer: rita, source: "", reason: "CRM history"))
        #expect(r.skippedRows.map(\.file).contains { $0.hasSuffix("LeadHistory.csv") } && r.new == 8)
    }

    @Test func stepsTheRulesRefuseAreListedByADryRunAndStopARealImport() throws {
        // maria (marketing) as the owner of 005B's leads: a handoff's owner must be in sales, flag or no flag.
        let s = try Setup(["mapping.json": CRMImportServiceTests.mapping.replacingOccurrences(of: #""Sofia Sales": "sofia""#, with: #""Sofia Sales": "maria""#)])
        let dry = try s.run(dryRun: true)
        #expect(!dry.refused.isEmpty && dry.refused.allSatisfy { $0.error.contains("sales") })
        let head = try s.fixture.ledger.head()
        #expect(throws: CRMImportRefused.self) { try s.run() }
        #expect(try s.fixture.ledger.head() == head)  // one batch: nothing was appended
    }
}
