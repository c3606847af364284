import AlignmentDomain
import AlignmentProjections
import Foundation

extension AlignmentLedger {
    /// A kept state's row in `rm.state`: its hand-written binary form (`BinaryCodable`, docs/FORMAT.md).
    static func encodeState(_ s: EntityState) -> [UInt8] { s.binary }
    /// The kept state of a `rm.state` row; throws `BinaryError` on bad bytes.
    static func decodeState(_ b: [UInt8]) throws -> EntityState { try EntityState(binary: b) }
}
