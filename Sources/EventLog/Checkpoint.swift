/// A checkpoint of the log: its head position and hash. Publish it elsewhere; `verify` proves the log still extends it.
public struct Checkpoint: Hashable, Sendable, CustomStringConvertible {
    /// The head position.
    public var position: UInt64
    /// The chain hash at that position.
    public var hash: ChainHash

    /// A checkpoint at `position` with `hash`.
    public init(position: UInt64, hash: ChainHash) {
        self.position = position
        self.hash = hash
    }

    /// Parses `POSITION:HASH`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let p = UInt64(parts[0]), let h = ChainHash(hex: String(parts[1])) else { return nil }
        self.init(position: p, hash: h)
    }

    /// `POSITION:HASH`.
    public var description: String { "\(position):\(hash.hex)" }
}
