// `align import salesforce` as a revops lead runs it: the example export (examples/salesforce), a dry run, the real
// import, a re-run, and the errors of an export or mapping that does not read.
import Foundation
import Testing

@Suite("align import")
struct ImportCLITests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/salesforce").path

    /// A ledger with the team and mql active, and a copy of the example export in the test's folder.
    func setUp() throws -> (CLI, String) {
        let cli = try CLI()
        try cli.people()
        try cli.activeDefinition()
        let export = cli.dir.appendingPathComponent("export").path
        try FileManager.default.copyItem(atPath: ImportCLITests.example, toPath: export)
        return (cli, export)
    }

    func without(_ key: String, _ o: Any?) -> NSDictionary {
        var d = (o as? [String: Any]) ?? [:]
        d[key] = nil
        return d as NSDictionary
    }

    @Test func aDryRunThenTheImportThenARerun() throws {
        let (cli, export) = try setUp()
        let args = ["import", "salesforce", export, "--mapping", export + "/mapping.json", "--as", "rita"]
        let events = try cli.eventCount()
        let dry = try cli.ok(args + ["--dry-run"])
        #expect(dry.out.contains("dry run: nothing was appended"))
        #expect(dry.out.contains("4 lead(s), 8 step(s): 0 already in the ledger, 8 new"))
        #expect(dry.out.contains("flagged imports") && dry.out.contains("definition-active-at-handoff 4"))
        #expect(dry.out.contains("Alignment scorecard"))
        #expect(try cli.eventCount() == events)
        let dryJSON = try cli.ok(args + ["--dry-run", "--json"]).json()
        #expect(dryJSON["new"] as? Int == 8 && dryJSON["dryRun"] as? Bool == true)

        let real = try cli.ok(args)
        #expect(real.out.contains("imported 8 step(s) as 9 event(s)"))
        #expect(try cli.eventCount() == events + 9)
        // The dry run's report is the scorecard the import left (open leads aged at another minute aside).
        let card = try cli.ok(["scorecard", "--period", "quarter", "--json"]).json()
        #expect(without("asOf", dryJSON["scorecard"]) == without("asOf", card))
        // Who did what, with the CRM's dates, signed by rita as an import.
        let story = try cli.ok(["lead", "show", "00QA"])
        #expect(story.out.contains("2026-01-05T14:00:00Z") && story.out.contains("sam"))
        #expect(try cli.ok(["verify"]).out.contains("sound"))

        let again = try cli.ok(args)
        #expect(again.out.contains("8 already in the ledger, 0 new"))
        #expect(try cli.eventCount() == events + 9)
    }

    @Test func anExportOrMappingThatDoesNotReadChangesNothing() throws {
        let (cli, export) = try setUp()
        let events = try cli.eventCount()
        let args = ["import", "salesforce", export, "--mapping", export + "/mapping.json", "--as", "rita"]
        // A status the mapping does not know: refused, naming the entry to add.
        let leads = try String(contentsOfFile: export + "/Lead.csv", encoding: .utf8)
        try leads.replacingOccurrences(of: "Working - Contacted", with: "Nurture").write(toFile: export + "/Lead.csv", atomically: true, encoding: .utf8)
        try cli.fails(2, args, mentioning: "Nurture")
        try leads.write(toFile: export + "/Lead.csv", atomically: true, encoding: .utf8)
        // A malformed row: named by file and line.
        let history = try String(contentsOfFile: export + "/LeadHistory.csv", encoding: .utf8)
        try (history + "017X,00QC,Status\n").write(toFile: export + "/LeadHistory.csv", atomically: true, encoding: .utf8)
        try cli.fails(2, args, mentioning: "LeadHistory.csv:6")
        try history.write(toFile: export + "/LeadHistory.csv", atomically: true, encoding: .utf8)
        // No Lead.csv; no mapping file; an importer without a key.
        try cli.fails(2, ["import", "salesforce", cli.dir.path, "--mapping", export + "/mapping.json", "--as", "rita"], mentioning: "Lead.csv")
        try cli.fails(2, ["import", "salesforce", export, "--mapping", export + "/absent.json", "--as", "rita"], mentioning: "absent.json")
        try cli.fails(2, args.dropLast(2) + ["--as", "vic"])
        // A marketer (with her key) cannot import: imports are revops's.
        try cli.fails(1, args.dropLast(2) + ["--as", "maria"], mentioning: "revops")
        #expect(try cli.eventCount() == events)
    }

    @Test func helpShowsExamples() throws {
        let cli = try CLI()
        let help = try cli.ok(["import", "salesforce", "--help"], withLedger: false)
        #expect(help.out.contains("align import salesforce export/ --mapping salesforce.json --dry-run"))
        #expect(try cli.ok(["import", "hubspot", "--help"], withLedger: false).out.contains("--history"))
    }
}
