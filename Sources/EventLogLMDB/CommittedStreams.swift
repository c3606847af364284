import EventLog
import Foundation

/// Stream ids and last versions as of the writer's last commit, kept across transactions so that appends to known
/// streams skip two index lookups per stream. Trusted only while the log's head is still the one that commit wrote:
/// an append from another process moves the head, and the next transaction then starts afresh.
final class CommittedStreams {
    var head: Checkpoint?
    var streams: [StreamKey: LMDBTransaction.StreamState] = [:]
    /// The unindexed tail and the indexed position as of that commit.
    var tail: Tail?
    var indexed: UInt64 = 0
    var nextStreamID: UInt32?
    /// The Merkle tree's right edge as of that commit.
    var tree: MerkleBuilder?
    /// Bound on the entries kept (the cache is emptied when it would grow past it).
    static let maxEntries = 100_000

    func reset() {
        head = nil
        streams.removeAll(keepingCapacity: true)
        nextStreamID = nil
        tail = nil
        tree = nil
    }
}
