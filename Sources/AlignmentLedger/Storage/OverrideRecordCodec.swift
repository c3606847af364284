import JSONCore

extension AlignmentLedger {
    /// The few override records of `rm.audit-overrides` are canonical JSON through JSONCore.
    static let overrideEncoder = JSONValueEncoder()
    static let overrideDecoder = JSONValueDecoder()

    /// An override's row.
    static func encodeOverride(_ o: OverrideRecord) throws -> [UInt8] { try overrideEncoder.encodeCanonical(o) }
    /// The override of a row.
    static func decodeOverride(_ b: [UInt8]) throws -> OverrideRecord { try overrideDecoder.decode(OverrideRecord.self, fromJSON: b) }
}
