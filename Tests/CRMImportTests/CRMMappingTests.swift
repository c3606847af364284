import AlignmentDomain
import CRMImport
import Foundation
import Testing

@Suite struct CRMMappingTests {
    func parse(_ json: String) throws(CRMImportError) -> CRMMapping { try CRMMapping.parse(json: Data(json.utf8)) }

    func message(_ json: String) -> String? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            if case .mapping(let m) = error { return m }
            return "\(error)"
        }
    }

    @Test func aTinyFileIsEnough() throws {
        let m = try parse(#"{"definition": {"id": "mql"}, "handoffActor": "maria"}"#)
        #expect(m.definition == CRMMapping.Definition(id: "mql"))
        #expect(m.leadPrefix == "")
        #expect(m.users.isEmpty && m.defaultOwner == nil)
    }

    @Test func theFixtureMappingsLoad() throws {
        let sf = try Fixture.mapping("salesforce-mapping.json")
        #expect(sf.definition == CRMMapping.Definition(id: "mql", version: 1))
        #expect(sf.stages == ["Nurture": .open])
        #expect(sf.rejectionReasons == ["Closed - Not Converted": .notICP])
        _ = try Fixture.mapping("hubspot-mapping.json")
    }

    @Test func errorsNameTheKey() {
        #expect(message(#"{"handoffActor": "maria"}"#)?.hasPrefix("\"definition\" is required") == true)
        #expect(message(#"{"definition": {"id": "mql"}}"#)?.hasPrefix("\"handoffActor\" is required") == true)
        #expect(message(#"{"definition": {"id": "mql"}, "handoffActor": "maria", "stage": {}}"#)?.hasPrefix("unknown key \"stage\"") == true)
        #expect(message(#"{"definition": {"id": "mql"}, "handoffActor": "maria", "stages": {"Nurture": "nurture"}}"#)
            == "\"stages\": \"Nurture\" maps to \"nurture\", which is not one of open, handoff, accepted, rejected, converted")
        #expect(message(#"{"definition": {"id": "mql"}, "handoffActor": "maria", "rejectionReasons": {"X": "nope"}}"#)?
            .hasPrefix("\"rejectionReasons\": \"X\" maps to \"nope\"") == true)
        #expect(message(#"{"definition": {"id": "mql"}, "handoffActor": "maria", "signals": {"Task:Call": "a call!"}}"#)?
            .hasPrefix("\"signals\".\"Task:Call\": \"a call!\" is not a signal name") == true)
        #expect(message(#"{"definition": {"id": "mql"}, "handoffActor": "maria", "signals": {"Call": "call"}}"#)?
            .hasPrefix("\"signals\": \"Call\" is not one of") == true)
        #expect(message(#"{"definition": {"id": "mql"}, "handoffActor": "maria", "users": {"005": "sam smith"}}"#)?
            .hasPrefix("\"users\".\"005\": \"sam smith\" is not an id") == true)
        #expect(message(#"{"definition": {"id": "mql", "version": 0}, "handoffActor": "maria"}"#)?.hasPrefix("\"definition\".\"version\" must be 1 or more") == true)
        #expect(message(#"{"definition": {"id": "mql"}, "handoffActor": 7}"#) == "\"handoffActor\" must be a string")
        #expect(message(#"{"definition": "mql", "handoffActor": "maria"}"#)?.hasPrefix("\"definition\" must be") == true)
        #expect(message("{").map { $0.hasPrefix("not JSON") } == true)
    }

    @Test func loadNamesTheFile() {
        #expect(throws: CRMImportError.mapping("/nonexistent/m.json: cannot read the file")) {
            try CRMMapping.load(path: "/nonexistent/m.json")
        }
    }

    @Test func defaultStagesAreTheCRMsOwn() {
        #expect(CRMMapping.defaultStages(.salesforce)["Closed - Not Converted"] == .rejected)
        #expect(CRMMapping.defaultStages(.hubspot)["marketingqualifiedlead"] == .handoff)
        #expect(CRMMapping.defaultStages(.hubspot)["BAD_TIMING"] == .rejected)
        #expect(CRMMapping.defaultRejectionReasons(.hubspot)["BAD_TIMING"] == .badTiming)
    }
}
