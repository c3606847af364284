import CRMImport
import Testing

@Suite struct ImportStepTests {
    @Test func badRowsNameFileAndLine() {
        let e = CRMImportError.badRows([BadRow(file: "Lead.csv", line: 7, message: "3 fields, the header has 11")])
        #expect(e.description == "1 malformed row:\n  Lead.csv:7: 3 fields, the header has 11")
    }
}
