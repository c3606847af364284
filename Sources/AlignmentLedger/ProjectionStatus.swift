/// Each kept read model's code version and checkpoint, beside the log's head.
public struct ProjectionStatus: Encodable, Sendable {
    /// One read model.
    public struct Entry: Encodable, Sendable {
        /// Its name (`state`, `scorecard`, `audit`).
        public var name: String
        /// The version this build folds.
        public var codeVersion: Int
        /// The version the kept model was folded with (0: none).
        public var keptVersion: Int
        /// The last position folded into it.
        public var checkpoint: UInt64
    }
    /// The log's head (`POSITION:HASH`).
    public var head: String
    /// The head's position.
    public var headPosition: UInt64
    /// Every read model.
    public var projections: [Entry]
    /// On a ledger opened read only whose kept models lag: the position up to which answers fold in memory what
    /// they lack (not kept). Nil otherwise.
    public var foldedInMemoryThrough: UInt64?
}

extension AlignmentLedger {
    /// Each kept read model's code version and checkpoint.
    public func projectionStatus() throws -> ProjectionStatus {
        try ensureCurrent()
        let cps = try projectionCheckpoints()
        let head = try log.head()
        return ProjectionStatus(head: head.description, headPosition: head.position, projections: ProjectionName.allCases.map {
            .init(name: $0.rawValue, codeVersion: $0.codeVersion, keptVersion: cps[$0]?.version ?? 0, checkpoint: cps[$0]?.position ?? 0)
        }, foldedInMemoryThrough: foldedInMemoryThrough)
    }
}
