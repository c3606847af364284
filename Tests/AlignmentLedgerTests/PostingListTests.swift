import Testing
@testable import AlignmentLedger
import AlignmentProjections

@Suite("audit-actor posting lists") struct PostingListTests {
    @Test func positionsRoundTripThroughListsOfAtMost512() throws {
        var positions: [UInt64] = []
        var p: UInt64 = 1
        for i in 0..<1_300 {
            p += UInt64(1 + (i * 7919) % 300_000)  // gaps from 1 to 300,000
            positions.append(p)
        }
        let lists = AlignmentLedger.actorPostings("maria", positions)
        #expect(lists.count == 3)
        var back: [UInt64] = []
        for (key, value) in lists {
            #expect(key.starts(with: Array("maria".utf8) + [0]) && key.count == 6 + 8)
            let first = key.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let part = try AlignmentLedger.postingPositions(first: first, value)
            #expect(part.count <= 512)
            back += part
        }
        #expect(back == positions)
        // Keys sort by actor, then by first position: lists of one actor come back in order.
        #expect(lists.map(\.key) == lists.map(\.key).sorted { $0.lexicographicallyPrecedes($1) })
        // A damaged list is refused, never trapped on.
        #expect(throws: (any Error).self) { try AlignmentLedger.postingPositions(first: 1, [0x80, 0x80]) }
    }
}

@Suite("scorecard bucket rows") struct ScorecardBucketRowTests {
    /// `addBucket` sums a kept row straight into a total: the same total as decoding the row, then adding it.
    @Test func addingARowAsItDecodesEqualsDecodingThenAdding() throws {
        var a = Bucket(), b = Bucket()
        a[.handoffs] = 7; a[.accepted] = 3; a.delays = [12: 2, 300: 1]
        b[.handoffs] = 5; b[.rejected] = 4; b[.rejectedNotICP] = 4; b.delays = [12: 1, 45: 6]
        var summed = a
        try AlignmentLedger.addBucket(AlignmentLedger.encodeBucket(b), into: &summed, delays: true)
        var expected = a
        expected.add(try AlignmentLedger.decodeBucket(AlignmentLedger.encodeBucket(b)))
        #expect(summed == expected)
        #expect(summed.delays == [12: 3, 45: 6, 300: 1])
        // Without delays: the counters only.
        var countsOnly = Bucket()
        try AlignmentLedger.addBucket(AlignmentLedger.encodeBucket(b), into: &countsOnly, delays: false)
        #expect(countsOnly.counts == b.counts && countsOnly.delays.isEmpty)
        // A damaged row is refused, never trapped on.
        var sink = Bucket()
        #expect(throws: (any Error).self) { try AlignmentLedger.addBucket(AlignmentLedger.encodeBucket(b) + [1], into: &sink, delays: true) }
        #expect(throws: (any Error).self) { try AlignmentLedger.addBucket([0xFF, 0xFF], into: &sink, delays: true) }
    }
}
