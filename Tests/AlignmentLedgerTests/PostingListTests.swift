import Testing
@testable import AlignmentLedger

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
