/// A signed head of the log's Merkle tree, as the log keeps it: the tree size, its root, and the signed note
/// (opaque to the log: the service signs and parses it).
public struct StoredTreeHead: Equatable, Sendable {
    /// The number of leaves (events) the head covers.
    public var size: UInt64
    /// The root hash of the first `size` leaves.
    public var root: ChainHash
    /// The signed note, as signed.
    public var note: [UInt8]

    public init(size: UInt64, root: ChainHash, note: [UInt8]) {
        self.size = size
        self.root = root
        self.note = note
    }
}
