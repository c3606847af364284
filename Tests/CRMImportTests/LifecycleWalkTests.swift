import AlignmentDomain
import CRMImport
import Foundation
import Testing

/// The walk from a lead's dated statuses to ledger commands, on small Salesforce exports written here.
@Suite struct LifecycleWalkTests {
    let t = Fixture.t
    let mapping = CRMMapping(definition: .init(id: "mql", version: 2), handoffActor: "maria", users: ["005000000000001": "sam"])

    /// One lead created at 2026-03-02T09:00:00Z with `status` now, and its status changes `(old, new, time)`.
    func walk(_ status: String, _ changes: [(String, String, String)]) throws -> CRMReading {
        let dir = try Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
            Id,CreatedDate,LastModifiedDate,Status,OwnerId,LeadSource,Company,Industry,NumberOfEmployees,IsConverted,ConvertedDate,ConvertedOpportunityId
            00Q000000000001,2026-03-02T09:00:00Z,2026-03-30T09:00:00Z,\(status),005000000000001,,,,,false,,

            """.write(to: dir.appendingPathComponent("Lead.csv"), atomically: true, encoding: .utf8)
        var history = "Id,LeadId,Field,OldValue,NewValue,CreatedDate,CreatedById\n"
        for (i, c) in changes.enumerated() { history += "0170\(i),00Q000000000001,Status,\(c.0),\(c.1),\(c.2),005000000000001\n" }
        try history.write(to: dir.appendingPathComponent("LeadHistory.csv"), atomically: true, encoding: .utf8)
        return try SalesforceExport.read(directory: dir, mapping: mapping)
    }

    func verbs(_ r: CRMReading) -> [String] { r.keys.map { $0.split(separator: "/").dropFirst(2).joined(separator: "/") } }

    @Test func handedOffStraightToConvertedIsAcceptThenConvertAtOnce() throws {
        let r = try walk("Closed - Converted", [("Open - Not Contacted", "Closed - Converted", "2026-03-09T10:00:00Z")])
        #expect(verbs(r) == ["handoff/1", "accept/1", "convert/1"])
        #expect(r.steps.map(\.at) == [t("2026-03-02T09:00:00Z"), t("2026-03-09T10:00:00Z"), t("2026-03-09T10:00:00Z")])
        #expect(r.steps.first?.handoff?.version == 2)
        #expect(r.notes.isEmpty)
    }

    @Test func rejectedThenHandedOffAgainIsRecycledIntoASecondCycle() throws {
        let r = try walk("Open - Not Contacted", [
            ("Open - Not Contacted", "Closed - Not Converted", "2026-03-03T10:00:00Z"),
            ("Closed - Not Converted", "Open - Not Contacted", "2026-03-10T10:00:00Z"),
            ("Open - Not Contacted", "Working - Contacted", "2026-03-11T10:00:00Z"),
        ])
        #expect(verbs(r) == ["handoff/1", "reject/1", "recycle/1", "handoff/2", "accept/2"])
        #expect(r.steps[1].command == .leadReject(id: "00Q000000000001", reason: .other, note: "Closed - Not Converted"))
        #expect(r.steps[2].at == r.steps[3].at)
    }

    @Test func repeatedAndBackwardStagesChangeNothingAndAreCounted() throws {
        let r = try walk("Working - Contacted", [
            ("Open - Not Contacted", "Working - Contacted", "2026-03-03T10:00:00Z"),
            ("Working - Contacted", "Working - Contacted", "2026-03-04T10:00:00Z"),
            ("Working - Contacted", "Closed - Converted", "2026-03-05T10:00:00Z"),
            ("Closed - Converted", "Working - Contacted", "2026-03-06T10:00:00Z"),
        ])
        #expect(verbs(r) == ["handoff/1", "accept/1", "convert/1"])
        #expect(r.notes == ["2 stage changes changed nothing (a repeated stage, or a step the ledger's lifecycle has no word for) "
                                + "(00Q000000000001: accepted → accepted, 00Q000000000001: converted → accepted)"])
    }

    @Test func changesAtTheSameTimeKeepTheirFileOrder() throws {
        let r = try walk("Closed - Converted", [
            ("Open - Not Contacted", "Working - Contacted", "2026-03-05T10:00:00Z"),
            ("Working - Contacted", "Closed - Converted", "2026-03-05T10:00:00Z"),
        ])
        #expect(verbs(r) == ["handoff/1", "accept/1", "convert/1"])
    }

    @Test func aLeadThatWasNeverHandedOffHasNoSteps() throws {
        let r = try walk("Open - Not Contacted", [])
        #expect(verbs(r) == ["handoff/1"])
        var m = mapping
        m.stages = ["Open - Not Contacted": .open]
        let dir = try Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "Id,CreatedDate,Status,OwnerId,LeadSource,Company,Industry,NumberOfEmployees,IsConverted,ConvertedDate,ConvertedOpportunityId\n00Q1,2026-03-02,Open - Not Contacted,005000000000001,,,,,false,,\n"
            .write(to: dir.appendingPathComponent("Lead.csv"), atomically: true, encoding: .utf8)
        #expect(try SalesforceExport.read(directory: dir, mapping: m).steps.isEmpty)
    }
}
