/// SplitMix64 (Steele, Lea and Flood, 2014): a small, fast generator of 64-bit values. Seeded, it replays the same
/// sequence: the demo's quarter, the bench's workload and the tests' random inputs use it for that.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's state: the seed, advanced once per value.
    public var state: UInt64

    /// A generator that starts from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next value.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
