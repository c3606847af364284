import AlignmentDomain
import CRMImport
import Foundation
import Testing

@Suite struct HubSpotExportTests {
    let t = Fixture.t

    func read(_ contacts: String = "hubspot/contacts-labels.csv", history: Bool = false, leads: Bool = false,
              mapping: CRMMapping? = nil) throws -> CRMReading {
        try HubSpotExport.read(contacts: Fixture.url(contacts), history: history ? Fixture.url("hubspot/history.csv") : nil,
                               leads: leads ? Fixture.url("hubspot/leads.csv") : nil,
                               mapping: mapping ?? Fixture.mapping("hubspot-mapping.json"))
    }

    @Test func labelsExportWalksTheBecameDates() throws {
        let r = try read()
        let steps = r.steps(of: "501")
        #expect(steps.map(\.key) == ["hubspot/501/handoff/1", "hubspot/501/accept/1", "hubspot/501/convert/1"])
        #expect(steps.map(\.at) == [t("2026-03-02T10:00:00Z"), t("2026-03-05T12:00:00Z"), t("2026-03-20T15:00:00Z")])
        #expect(steps.map(\.actor) == ["maria", "sam", "sam"])
        #expect(steps.allSatisfy { $0.source == "hubspot:contact/501" && $0.lead == "hs-501" })
        var h = HandoffArgs(id: "hs-501", definition: "mql")
        h.owner = "sam"
        h.profile = ["company": "Acme, Inc.", "industry": "Software", "employees": "250", "source": "Organic Search"]
        h.signals = [Signal(name: "form.submitted", at: t("2026-03-01T09:00:00Z"), detail: "Pricing webinar")]
        #expect(steps.first?.command == .leadHandoff(h))
        #expect(steps.last?.command == .leadConvert(id: "hs-501", opportunity: nil, amount: nil))
        #expect(r.steps(of: "504").isEmpty)
    }

    @Test func leadStatusRejectsWithItsReason() throws {
        let r = try read()
        let bo = r.steps(of: "502")
        #expect(bo.map(\.key) == ["hubspot/502/handoff/1", "hubspot/502/reject/1"])
        #expect(bo.map(\.at) == [t("2026-03-03T09:00:00Z"), t("2026-03-06T17:00:00Z")])
        #expect(bo.last?.command == .leadReject(id: "hs-502", reason: .other, note: "Unqualified"))
        #expect(bo.last?.actor == "sue")
        let cy = r.steps(of: "503")
        #expect(cy.map(\.key) == ["hubspot/503/handoff/1", "hubspot/503/reject/1"])
        #expect(cy.last?.command == .leadReject(id: "hs-503", reason: .badTiming, note: "Bad Timing"))
        #expect(cy.first?.handoff?.profile == ["company": "Initech South", "source": "Direct Traffic"])
    }

    @Test func internalNamesAndEpochMillisecondsReadTheSame() throws {
        let labels = try read()
        let names = try read("hubspot/contacts-internal.csv")
        #expect(names.keys == labels.keys)
        #expect(names.steps.map(\.at) == labels.steps.map(\.at))
        #expect(names.steps.map(\.actor) == labels.steps.map(\.actor))
        #expect(names.steps.compactMap(\.handoff) == labels.steps.compactMap(\.handoff))
        #expect(names.steps(of: "503").last?.command == .leadReject(id: "hs-503", reason: .badTiming, note: "BAD_TIMING"))
    }

    @Test func historyDatesTheStagesWithTheSameKeys() throws {
        let without = try read()
        let with = try read(history: true)
        #expect(with.keys == without.keys)
        let ada = with.steps(of: "501")
        #expect(ada.map(\.source) == ["hubspot:history/501/lifecyclestage@1772445600000", "hubspot:history/501/lifecyclestage@1772712000000",
                                      "hubspot:history/501/lifecyclestage@1774018800000"])
        // The conversion the history also holds is one signal, not two.
        #expect(ada.first?.handoff?.signals.count == 1)
        #expect(with.steps(of: "503").map(\.at) == [t("2026-03-09T13:00:00Z"), t("2026-03-09T13:00:00Z")])
        #expect(with.notes.contains { $0.contains("rows name a contact the export does not hold") && $0.contains("history.csv:12") })
    }

    @Test func theLeadsObjectGivesTheDisqualificationReason() throws {
        let r = try read(history: true, leads: true)
        #expect(r.steps(of: "502").last?.command == .leadReject(id: "hs-502", reason: .notICP, note: "Not a fit"))
        #expect(r.steps(of: "503").last?.command == .leadReject(id: "hs-503", reason: .badTiming, note: "BAD_TIMING"))
    }

    @Test func anUnknownLifecycleStageIsRefused() throws {
        let dir = try Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("contacts.csv")
        try "Record ID,Create Date,Lifecycle Stage,Contact owner\n7,2026-03-01T09:00:00Z,Nurture,Sam Sales\n"
            .write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: CRMImportError.unmapped([
            "Lifecycle Stage \"Nurture\" (contacts.csv:2): add \"stages\": {\"Nurture\": \"open\"} (or \"handoff\", \"accepted\", \"rejected\", \"converted\")",
        ])) {
            try HubSpotExport.read(contacts: file, mapping: Fixture.mapping("hubspot-mapping.json"))
        }
    }
}

@Suite struct HubSpotOwnerTests {
    @Test func aContactWithoutAnOwnerNeedsTheDefaultOwner() throws {
        let dir = try Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("contacts.csv")
        try "Record ID,Create Date,Lifecycle Stage,Lead Status,Contact owner\n7,2026-03-01T09:00:00Z,Sales Qualified Lead,,\n"
            .write(to: file, atomically: true, encoding: .utf8)
        var m = try Fixture.mapping("hubspot-mapping.json")
        #expect(throws: CRMImportError.unmapped(["a lead without an owner (contacts.csv:2): set \"defaultOwner\" to the sales actor who takes such leads"])) {
            try HubSpotExport.read(contacts: file, mapping: m)
        }
        m.defaultOwner = "sue"
        let r = try HubSpotExport.read(contacts: file, mapping: m)
        #expect(r.keys == ["hubspot/7/handoff/1", "hubspot/7/accept/1"])
        #expect(r.steps.map(\.actor) == ["maria", "sue"])
        #expect(r.steps.first?.handoff?.owner == "sue")
    }
}
