// The analytics kit's own tests run with the Swift ones: tools/test_plot_trend.py (standard library only) checks that
// the trend chart breaks a line at a period with no data instead of drawing it across (issue 13, item 8).
import Foundation
import Testing

@Suite("tools/plot_trend.py")
struct AnalyticsToolTests {
    @Test func emptyPeriodsAreGapsInTheTrend() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tools/test_plot_trend.py").path
        try #require(FileManager.default.fileExists(atPath: script), "tools/test_plot_trend.py is not at \(script)")
        let python = ProcessInfo.processInfo.environment["ALIGN_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
        let r = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), [python, script], environment: ProcessInfo.processInfo.environment,
                               scratch: FileManager.default.temporaryDirectory)
        #expect(r.code == 0, "\(script): \(r.out)\(r.err)")
        #expect(r.err.contains("OK"), "\(r.err)")
    }
}
