import Foundation

/// What `verify` found.
public struct VerifyReport: Sendable, Equatable {
    /// A problem and the first position it concerns.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The first position concerned.
        public var position: UInt64
        /// What is wrong, in words.
        public var reason: String
        /// `position N: reason`.
        public var description: String { "position \(position): \(reason)" }
    }

    /// Events checked.
    public var events: UInt64
    /// The head: the last record's position and hash.
    public var head: Checkpoint
    /// The first problem found (nil when the log is sound).
    public var problem: Problem?
    /// True when a checkpoint was given and the log extends it.
    public var checkpointMatched: Bool?
    /// The Merkle tree's root over every record, recomputed from the records.
    public var treeRoot: ChainHash = Merkle.emptyRoot
    /// The leaves the stored Merkle tree covers (below `events` only on a ledger no writer of this build has
    /// written since it was made by an older one: the next write adds the missing leaves). Every stored hash was
    /// found equal to the one recomputed from the records.
    public var treeStored: UInt64 = 0
    /// How long the walks of the store's indexes took, when they ran beside the chain (nil for stores without).
    public var indexSeconds: Double?

    /// A report (for stores).
    package init(events: UInt64, head: Checkpoint, problem: Problem?, checkpointMatched: Bool?) {
        self.events = events
        self.head = head
        self.problem = problem
        self.checkpointMatched = checkpointMatched
    }

    /// True when no problem was found.
    public var isSound: Bool { problem == nil }
}

extension VerifyReport.Problem {
    /// A problem at `position` (for stores).
    package init(_ position: UInt64, _ reason: String) {
        self.position = position
        self.reason = reason
    }
}
