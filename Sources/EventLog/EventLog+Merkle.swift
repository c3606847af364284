extension EventLog {
    /// The number of leaves of the Merkle tree (the head position; 0 on a ledger no writer of this build has written).
    public func treeSize() throws -> UInt64 { try store.treeSize() }

    /// The root of the Merkle tree's first `size` leaves.
    public func treeRoot(size: UInt64) throws -> ChainHash {
        let have = try store.treeSize()
        guard size <= have else { throw MerkleError.treeTooSmall(asked: size, size: have) }
        return try Merkle.root(size: size, store.treeHashes)
    }

    /// The inclusion proof of the event at `position` in the tree of `treeSize` leaves (leaf index `position - 1`).
    public func inclusionProof(position: UInt64, treeSize: UInt64) throws -> [ChainHash] {
        let have = try store.treeSize()
        guard treeSize <= have else { throw MerkleError.treeTooSmall(asked: treeSize, size: have) }
        guard position >= 1 else { throw MerkleError.leafOutsideTree(index: 0, size: treeSize) }
        return try Merkle.inclusionProof(index: position - 1, size: treeSize, store.treeHashes)
    }

    /// The consistency proof from the tree of `old` leaves to the tree of `new` leaves.
    public func consistencyProof(from old: UInt64, to new: UInt64) throws -> [ChainHash] {
        let have = try store.treeSize()
        guard new <= have else { throw MerkleError.treeTooSmall(asked: new, size: have) }
        return try Merkle.consistencyProof(oldSize: old, newSize: new, store.treeHashes)
    }

    /// The record at `position` exactly as stored (a Merkle leaf), with the chain hash of the record before it.
    public func storedRecord(at position: UInt64) throws -> (bytes: [UInt8], previous: ChainHash)? {
        try store.storedRecord(at: position)
    }

    /// The newest signed tree head kept (nil when none was ever kept).
    public func latestTreeHead() throws -> StoredTreeHead? { try store.latestTreeHead() }

    /// The signed tree head kept for exactly `size` leaves.
    public func treeHead(size: UInt64) throws -> StoredTreeHead? { try store.treeHead(size: size) }
}
