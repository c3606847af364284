/// An order-independent 128-bit digest of a multiset of entries (two sums of differently mixed 64-bit words).
package struct Digest: Equatable {
    /// An empty digest.
    package init() {}

    private var s1: UInt64 = 0
    private var s2: UInt64 = 0

    package mutating func add(_ m: (UInt64, UInt64)) {
        s1 &+= m.0
        s2 &+= m.1
    }

    @inline(__always) static func splitmix(_ x0: UInt64) -> UInt64 {
        var z = x0 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always) package static func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> (UInt64, UInt64) {
        let h1 = splitmix(splitmix(splitmix(a) ^ b) ^ c)
        let h2 = splitmix(splitmix(splitmix(c ^ 0x5555_5555_5555_5555) ^ a) ^ b)
        return (h1, h2)
    }
}
