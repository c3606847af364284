import Testing
@testable import AlignmentLedger

@Suite("kept checkpoints codec") struct CheckpointCodecTests {
    /// The byte-level reading (`parseCheckpointsFast`) agrees with the general one on what `encodeCheckpoints` writes,
    /// and declines (nil) whatever it does not read the same way, so that the general reading answers it.
    @Test func fastReadingAgreesWithTheGeneralOne() {
        func same(_ a: [ProjectionName: (version: Int, position: UInt64)], _ b: [ProjectionName: (version: Int, position: UInt64)]) -> Bool {
            a.count == b.count && a.allSatisfy { k, v in b[k].map { $0.version == v.version && $0.position == v.position } ?? false }
        }
        let written: [[ProjectionName: (version: Int, position: UInt64)]] = [
            [.state: (3, 0), .scorecard: (7, 0), .audit: (4, 0)],
            [.state: (12, 1_234_567), .scorecard: (7, 1_234_567), .audit: (4, 1_234_567)],
            [.state: (1, 9_999_999_999_999_999_999), .audit: (Int.max, 9)],
            [.scorecard: (0, 42)],
        ]
        for c in written {
            let b = AlignmentLedger.encodeCheckpoints(c)
            let fast = AlignmentLedger.parseCheckpointsFast(b)
            #expect(fast != nil)
            #expect(same(fast ?? [:], AlignmentLedger.parseCheckpoints(b)))
            #expect(same(fast ?? [:], c))
        }
        for text in ["", ";", "state:1:2;", "state:1:2;;audit:4:5", "state:+1:2", "state:-1:2", "state:1:2:3", "stat:1:2",
                     "statex:1:2", "state:1", "state::2", "state:1:", "state:1:99999999999999999999", "state:1:18446744073709551615", "audit:4:5;state:x:1", "state :1:2"] {
            let b = Array(text.utf8)
            if let fast = AlignmentLedger.parseCheckpointsFast(b) {
                #expect(same(fast, AlignmentLedger.parseCheckpoints(b)), "\(text)")
            }
        }
    }
}
