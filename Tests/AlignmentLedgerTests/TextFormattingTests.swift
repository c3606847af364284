import Foundation
import Testing
@testable import AlignmentLedger

@Suite("text formatting") struct TextFormattingTests {
    /// `FixedPoint` replaced `String(format:)` in the text views: the same text for the values they show.
    @Test func fixedPointAgreesWithPrintfOnRatiosHoursAndSeconds() {
        for d in 1...300 {
            for n in 0...d {
                let v = Double(n) / Double(d) * 100
                #expect(FixedPoint.format(v, places: 0) == String(format: "%.0f", v), "\(n)/\(d)")
            }
        }
        for minutes in stride(from: 120, through: 20_000, by: 7) {
            let h = Double(minutes) / 60
            #expect(FixedPoint.format(h, places: 1) == String(format: "%.1f", h), "\(minutes) min")
        }
        for v in [0.0, 0.004, 0.005, 0.015, 0.125, 0.375, 1.5, 2.675, 12.3456, 99.995, 1234.5678] {
            #expect(FixedPoint.format(v, places: 2) == String(format: "%.2f", v), "\(v)")
            #expect(FixedPoint.format(-v, places: 2) == String(format: "%.2f", -v).replacingOccurrences(of: "-0.00", with: "0.00"), "-\(v)")
        }
        #expect(FixedPoint.format(.infinity, places: 2) == "inf")
        #expect(FixedPoint.format(.nan, places: 1) == "nan")
    }

    @Test func tablesPadEveryColumnButTheLast() {
        let lines = TextTable.lines(["A", "LONGER", "LAST"], [["wide cell", "x", "tail"], ["é", "", "z"]])
        #expect(lines == [
            "A          LONGER  LAST",
            "---------  ------  ----",
            "wide cell  x       tail",
            "é                  z",
        ])
    }
}

@Suite("Natural order of ids")
struct NaturalOrderTests {
    @Test func numbersCompareAsNumbers() {
        let ids = ["L-11", "L-2", "L-10000", "L-1", "L-02", "lead-b", "L-2a", "L-", "lead-a", "L-9"]
        #expect(ids.sorted(by: NaturalOrder.less) == ["L-", "L-1", "L-2", "L-2a", "L-02", "L-9", "L-11", "L-10000", "lead-a", "lead-b"])
        #expect(!NaturalOrder.less("L-2", "L-2") && NaturalOrder.less("L-2", "L-11") && !NaturalOrder.less("L-11", "L-2"))
    }
}
