import Foundation

/// Stream name -> stream id, for `verify`: open addressing over one byte arena, so that looking a record's stream
/// name up allocates nothing (a `[[UInt8]: UInt32]` dictionary copied and hashed the name byte by byte per event).
/// Behaves as that dictionary did: setting a name again replaces its id.
package struct StreamTable {
    private var arena: [UInt8] = []
    private var offsets: [Int] = []
    private var lengths: [Int] = []
    private var sids: [UInt32] = []
    private var hashes: [UInt64] = []
    /// Entry index + 1 per slot; 0 is empty.
    private var slots: [Int32] = [Int32](repeating: 0, count: 64)

    /// An empty table.
    package init() {}

    /// Number of distinct names.
    package var count: Int { sids.count }

    @inline(__always) static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(p.count)
        var i = 0
        while i + 8 <= p.count {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < p.count {
            tail |= UInt64(p[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }

    @inline(__always) private func equals(_ e: Int, _ p: UnsafeRawBufferPointer) -> Bool {
        guard lengths[e] == p.count else { return false }
        if p.count == 0 { return true }
        return arena.withUnsafeBytes { a in memcmp(a.baseAddress! + offsets[e], p.baseAddress!, p.count) == 0 }
    }

    /// The entry holding `p`, or the empty slot where it would go.
    @inline(__always) private func find(_ p: UnsafeRawBufferPointer, _ h: UInt64) -> (slot: Int, entry: Int?) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = Int(slots[i])
            if s == 0 { return (i, nil) }
            if hashes[s - 1] == h, equals(s - 1, p) { return (i, s - 1) }
            i = (i + 1) & mask
        }
    }

    package func sid(_ name: UnsafeRawBufferPointer) -> UInt32? {
        find(name, StreamTable.hash(name)).entry.map { sids[$0] }
    }

    package mutating func set(_ name: UnsafeRawBufferPointer, sid: UInt32) {
        let h = StreamTable.hash(name)
        let (slot, entry) = find(name, h)
        if let e = entry { sids[e] = sid; return }
        offsets.append(arena.count)
        lengths.append(name.count)
        arena.append(contentsOf: name)
        sids.append(sid)
        hashes.append(h)
        slots[slot] = Int32(sids.count)
        if sids.count * 2 > slots.count { grow() }
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for e in 0..<sids.count {
            var i = Int(truncatingIfNeeded: hashes[e]) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = Int32(e + 1)
        }
    }
}
