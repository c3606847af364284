import AlignmentDomain

extension AlignmentLedger {
    /// The `audit-actor` index holds posting lists: key = actor, a zero byte, the list's first position (8 bytes,
    /// big-endian); value = the following positions as LEB128 deltas from the one before. A list holds at most 512
    /// positions; each flush starts new lists, so nothing is rewritten.
    static func actorPostings(_ actor: String, _ positions: [UInt64]) -> [(key: [UInt8], value: [UInt8])] {
        var out: [(key: [UInt8], value: [UInt8])] = []
        var start = 0
        while start < positions.count {
            let end = min(start + 512, positions.count)
            var key = Array(actor.utf8)
            key.append(0)
            withUnsafeBytes(of: positions[start].bigEndian) { key.append(contentsOf: $0) }
            var w = BinaryWriter(capacity: 2 * (end - start))
            for i in (start + 1)..<end { w.uvarint(positions[i] - positions[i - 1]) }
            out.append((key, w.bytes))
            start = end
        }
        return out
    }

    /// The positions of one posting list of `audit-actor`.
    static func postingPositions(first: UInt64, _ value: [UInt8]) throws -> [UInt64] {
        var out = [first]
        var r = BinaryReader(value)
        while !r.isAtEnd { out.append(out[out.count - 1] &+ (try r.uvarint())) }
        return out
    }
}
