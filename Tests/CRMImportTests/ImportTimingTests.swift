import CRMImport
import Foundation
import Testing

/// A timing of a real-sized export, run only on request: `CRM_IMPORT_BENCH_DIR=DIR swift test --filter ImportTimingTests`
/// (DIR holds a Salesforce export; owners fall to `sam`). Prints rows/s; asserts nothing about time.
@Suite struct ImportTimingTests {
    static let dir = ProcessInfo.processInfo.environment["CRM_IMPORT_BENCH_DIR"]

    @Test(.enabled(if: dir != nil)) func readSalesforceExport() throws {
        let mapping = CRMMapping(definition: .init(id: "mql"), handoffActor: "maria", defaultOwner: "sam")
        let start = Date()
        var steps = 0
        let r = try SalesforceExport.stream(directory: URL(fileURLWithPath: Self.dir ?? "."), mapping: mapping, skipBadRows: true) { _ in steps += 1 }
        let seconds = Date().timeIntervalSince(start)
        print("CRMImport: \(r.rows) rows, \(steps) steps in \(String(format: "%.2f", seconds)) s: \(Int(Double(r.rows) / seconds)) rows/s")
        #expect(r.rows > 0)
    }
}
