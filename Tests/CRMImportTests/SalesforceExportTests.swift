import AlignmentDomain
import CRMImport
import Foundation
import Testing

@Suite struct SalesforceExportTests {
    let t = Fixture.t

    func read(_ dir: URL? = nil, mapping: CRMMapping? = nil, skipBadRows: Bool = false) throws -> CRMReading {
        try SalesforceExport.read(directory: dir ?? Fixture.url("salesforce"), mapping: mapping ?? Fixture.mapping("salesforce-mapping.json"),
                                  skipBadRows: skipBadRows)
    }

    @Test func handoffAcceptConvertWithAmountFromTheHistory() throws {
        let r = try read()
        let steps = r.steps(of: "00Q000000000001")
        #expect(steps.map(\.key) == ["salesforce/00Q000000000001/handoff/1", "salesforce/00Q000000000001/accept/1",
                                     "salesforce/00Q000000000001/convert/1"])
        #expect(steps.map(\.at) == [t("2026-03-02T14:05:00Z"), t("2026-03-05T10:00:00Z"), t("2026-03-20T09:00:00Z")])
        #expect(steps.map(\.actor) == ["maria", "sam", "sam"])
        #expect(steps.map(\.source) == ["salesforce:Lead/00Q000000000001", "salesforce:LeadHistory/017000000000001",
                                        "salesforce:LeadHistory/017000000000002"])
        #expect(steps.allSatisfy { $0.lead == "sf-00Q000000000001" })

        var h = HandoffArgs(id: "sf-00Q000000000001", definition: "mql")
        h.version = 1
        h.owner = "sam"
        h.campaign = "spring-webinar"
        h.profile = ["company": "Acme, Inc.", "industry": "Software", "employees": "250", "source": "Webinar"]
        // The earliest responded membership sources the lead; the response after the handoff is not its signal.
        h.signals = [Signal(name: "webinar.attended", at: t("2026-02-27"), detail: "Spring webinar, 2026"),
                     Signal(name: "call.completed", at: t("2026-03-01"), detail: "Intro call, booked\nfrom the webinar")]
        #expect(steps.first?.command == .leadHandoff(h))
        #expect(steps.last?.command == .leadConvert(id: "sf-00Q000000000001", opportunity: "006000000000001", amount: 48000))
    }

    @Test func rejectionWithTheMappedReasonByTheOwnerFoundThroughUserCSV() throws {
        let steps = try read().steps(of: "00Q000000000002")
        #expect(steps.map(\.key) == ["salesforce/00Q000000000002/handoff/1", "salesforce/00Q000000000002/reject/1"])
        #expect(steps.map(\.actor) == ["maria", "sue"])
        #expect(steps.last?.command == .leadReject(id: "sf-00Q000000000002", reason: .notICP, note: "Closed - Not Converted"))
        // A quoted company name across two lines is one line in the profile.
        #expect(steps.first?.handoff?.profile["company"] == "Globex Holdings")
        #expect(steps.first?.handoff?.campaign == nil)
    }

    @Test func recycleAndASecondHandoffToTheNewOwner() throws {
        let steps = try read().steps(of: "00Q000000000003")
        #expect(steps.map(\.key) == ["salesforce/00Q000000000003/handoff/1", "salesforce/00Q000000000003/accept/1",
                                     "salesforce/00Q000000000003/recycle/1", "salesforce/00Q000000000003/handoff/2"])
        #expect(steps.map(\.actor) == ["maria", "sam", "sam", "maria"])
        #expect(steps.map(\.at) == [t("2026-03-04T08:00:00Z"), t("2026-03-05T09:00:00Z"), t("2026-03-10T09:00:00Z"), t("2026-03-15T10:00:00Z")])
        #expect(steps.first?.handoff?.owner == "sam")
        #expect(steps.last?.handoff?.owner == "sue")
        #expect(steps[2].command == .leadRecycle(id: "sf-00Q000000000003"))
    }

    @Test func straightToConvertedIsHandoffAcceptAndConvertAtOnce() throws {
        let r = try read()
        let steps = r.steps(of: "00Q000000000004")
        #expect(steps.map(\.key) == ["salesforce/00Q000000000004/handoff/1", "salesforce/00Q000000000004/accept/1",
                                     "salesforce/00Q000000000004/convert/1"])
        #expect(steps.allSatisfy { $0.at == t("2026-03-18") && $0.source == "salesforce:Lead/00Q000000000004" })
        #expect(steps.last?.command == .leadConvert(id: "sf-00Q000000000004", opportunity: "006000000000002", amount: 12500.5))
        let h = steps.first?.handoff
        #expect(h?.profile["company"] == "Umbrella \"Labs\"")
        // Its campaign is not in the mapping: no campaign, and a note.
        #expect(h?.campaign == nil)
        #expect(h?.signals == [Signal(name: "campaign.responded", at: t("2026-03-01"), detail: "Pricing page")])
        #expect(r.notes.contains { $0.contains("campaign the mapping does not map") && $0.contains("701000000000002") })
        #expect(r.notes.contains { $0.hasPrefix("2 leads went from open straight") })
    }

    @Test func epochMillisecondsAndEmptyValues() throws {
        let steps = try read().steps(of: "00Q000000000007")
        #expect(steps.map(\.key) == ["salesforce/00Q000000000007/handoff/1", "salesforce/00Q000000000007/accept/1"])
        #expect(steps.map(\.at) == [t("2026-03-08T16:30:00Z"), t("2026-03-08T16:30:00Z")])
        // Empty values are left out of the profile.
        #expect(steps.first?.handoff?.profile == ["company": "Hooli"])
    }

    @Test func mergedAndDeletedLeadsAreSkippedWithANote() throws {
        let r = try read()
        #expect(r.steps(of: "00Q000000000005").isEmpty)
        #expect(r.steps(of: "00Q000000000006").isEmpty)
        #expect(r.notes.contains("1 leads merged into another (MasterRecordId) were skipped (00Q000000000005 → 00Q000000000001)"))
        #expect(r.notes.contains("1 leads deleted in Salesforce (IsDeleted) were skipped (00Q000000000006)"))
        #expect(r.notes.contains { $0.contains("rows name a lead the export does not hold") && $0.contains("LeadHistory.csv:10") })
        #expect(r.rows == 32)
        #expect(r.skipped.isEmpty)
    }

    @Test func keysAreStableWithAndWithoutTheHistoryFile() throws {
        let dir = try Fixture.salesforceCopy(leaving: ["LeadHistory.csv"])
        defer { Fixture.remove(dir) }
        let with = try read()
        let without = try read(dir)
        // Without the history, each lead's current status alone: the same keys, fewer of them for a recycled lead.
        #expect(Set(without.keys).isSubset(of: Set(with.keys)))
        #expect(Set(with.keys).subtracting(without.keys) == ["salesforce/00Q000000000003/accept/1", "salesforce/00Q000000000003/recycle/1",
                                                            "salesforce/00Q000000000003/handoff/2"])
        // Placed by the rule: converted at ConvertedDate, rejected at LastModifiedDate.
        #expect(without.steps(of: "00Q000000000001").map(\.at) == Array(repeating: t("2026-03-20"), count: 3))
        #expect(without.steps(of: "00Q000000000002").map(\.at) == Array(repeating: t("2026-03-04T11:00:00Z"), count: 2))
        #expect(without.steps(of: "00Q000000000001").last?.command
            == .leadConvert(id: "sf-00Q000000000001", opportunity: "006000000000001", amount: 48000))
    }

    @Test func anUnknownStatusIsRefusedNamingTheMappingToAdd() throws {
        var m = try Fixture.mapping("salesforce-mapping.json")
        m.stages = [:]
        #expect {
            try read(mapping: m)
        } throws: { e in
            guard case CRMImportError.unmapped(let list) = e else { return false }
            return list == ["Lead Status \"Nurture\" (LeadHistory.csv:6): add \"stages\": {\"Nurture\": \"open\"} (or \"handoff\", \"accepted\", \"rejected\", \"converted\")"]
        }
    }

    @Test func anUnmappedOwnerIsRefusedUnlessThereIsADefaultOwner() throws {
        var m = try Fixture.mapping("salesforce-mapping.json")
        m.users = ["sue@example.com": "sue"]
        #expect {
            try read(mapping: m)
        } throws: { e in
            guard case CRMImportError.unmapped(let list) = e else { return false }
            return list == ["user \"005000000000001\" (Lead.csv:2): add \"users\": {\"005000000000001\": \"ACTOR\"}, or set \"defaultOwner\""]
        }
        m.defaultOwner = "sam"
        #expect(try read(mapping: m).keys == read().keys)
    }

    @Test func badRowsNameFileAndLineOrAreSkipped() throws {
        let dir = try Fixture.salesforceCopy()
        defer { Fixture.remove(dir) }
        let lead = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.path).first { $0.lowercased() == "lead.csv" })
        try Fixture.append("""
            "00Q000000000008","false","","2026-13-45T00:00:00.000Z","","Open - Not Contacted","005000000000001","Web","X","","","false","",""
            "00Q000000000009","false"

            """, to: dir.appendingPathComponent(lead))
        // Lead 2's company spans two lines: the rows appended start on lines 10 and 11.
        let expected = [
            BadRow(file: "Lead.csv", line: 10, message: "CreatedDate \"2026-13-45T00:00:00.000Z\" is not a date (ISO 8601 such as 2026-03-02T14:05:00.000Z, 2026-03-02, or epoch milliseconds)"),
            BadRow(file: "Lead.csv", line: 11, message: "2 fields, the header has 14"),
        ]
        #expect(throws: CRMImportError.badRows(expected)) { try read(dir) }
        let skipped = try read(dir, skipBadRows: true)
        #expect(skipped.skipped == expected)
        #expect(skipped.keys == (try read()).keys)
    }

    @Test func aMissingFileOrColumnIsNamed() throws {
        let dir = try Fixture.salesforceCopy(leaving: ["Lead.csv"])
        defer { Fixture.remove(dir) }
        #expect {
            try read(dir)
        } throws: { e in
            guard case CRMImportError.missing(let m) = e else { return false }
            return m.contains("has no Lead.csv")
        }
        try "Id,CreatedDate,Status\n00Q000000000001,2026-03-02,Open - Not Contacted\n".write(to: dir.appendingPathComponent("lead.csv"), atomically: true, encoding: .utf8)
        #expect {
            try read(dir)
        } throws: { e in
            guard case CRMImportError.missing(let m) = e else { return false }
            return m.hasPrefix("lead.csv has no column 'OwnerId'")
        }
    }

    @Test func streamingGivesTheSameStepsAndNotesWithoutKeepingThem() throws {
        let r = try read()
        var streamed: [ImportStep] = []
        let s = try SalesforceExport.stream(directory: Fixture.url("salesforce"), mapping: Fixture.mapping("salesforce-mapping.json")) {
            streamed.append($0)
        }
        #expect(streamed == r.steps)
        #expect(s.steps.isEmpty)
        #expect(s.notes == r.notes)
        #expect(s.rows == r.rows)
    }

    @Test func streamingARefusedExportGivesNoStep() throws {
        var m = try Fixture.mapping("salesforce-mapping.json")
        m.users = [:]
        var count = 0
        #expect(throws: CRMImportError.self) {
            try SalesforceExport.stream(directory: Fixture.url("salesforce"), mapping: m) { _ in count += 1 }
        }
        #expect(count == 0)
    }

    @Test func stepsAreInTimeOrderPerLeadAndLeadsInFileOrder() throws {
        let r = try read()
        var seen: [String] = []
        for s in r.steps where seen.last != s.lead {
            #expect(!seen.contains(s.lead))
            seen.append(s.lead)
        }
        #expect(seen == ["sf-00Q000000000001", "sf-00Q000000000002", "sf-00Q000000000003", "sf-00Q000000000004", "sf-00Q000000000007"])
        for lead in seen {
            let times = r.steps.filter { $0.lead == lead }.map(\.at)
            #expect(times == times.sorted())
        }
        // Every signal is dated at or before its handoff, with a name the ledger takes.
        for s in r.steps {
            for sig in s.handoff?.signals ?? [] {
                #expect(sig.at <= s.at)
                #expect(Signal.isName(sig.name))
            }
        }
    }
}

@Suite struct ReadProgressTests {
    @Test func progressIsReportedAboutEvery50000Rows() throws {
        let dir = try Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = "Id,CreatedDate,Status,OwnerId,LeadSource,Company,Industry,NumberOfEmployees,IsConverted,ConvertedDate,ConvertedOpportunityId\n"
        for i in 0..<60_000 { text += "00Q\(i),2026-03-02,,005,,,,,false,,\n" }
        try text.write(to: dir.appendingPathComponent("Lead.csv"), atomically: true, encoding: .utf8)
        var seen: [ReadProgress] = []
        let start = Date()
        let r = try SalesforceExport.read(directory: dir, mapping: CRMMapping(definition: .init(id: "mql"), handoffActor: "maria")) { seen.append($0) }
        let seconds = Date().timeIntervalSince(start)
        #expect(r.rows == 60_000)
        #expect(r.steps.isEmpty)
        #expect(seen.map(\.rows) == [50_000])
        #expect(seen.first.map { $0.file == "Lead.csv" && $0.bytes > 0 && $0.bytes <= $0.totalBytes } == true)
        if ProcessInfo.processInfo.environment["CRM_IMPORT_TIMING"] != nil {
            print("CRMImport: read 60,000 Lead.csv rows in \(seconds) s: \(Int(60_000 / seconds)) rows/s (this build)")
        }
    }
}
