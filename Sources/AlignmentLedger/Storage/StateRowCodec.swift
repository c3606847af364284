import AlignmentDomain
import AlignmentProjections
import Foundation

extension AlignmentLedger {
    /// A kept state's row in `rm.state`: its hand-written binary form (`BinaryCodable`, docs/FORMAT.md).
    static func encodeState(_ s: EntityState) -> [UInt8] { s.binary }
    /// The kept state of a `rm.state` row; throws `BinaryError` on bad bytes.
    static func decodeState(_ b: [UInt8]) throws -> EntityState { try EntityState(binary: b) }

    /// The kept state of the `rm.state` row with key `key`. The ledger's row (every actor, role and key) is read twice
    /// by every signed command (the key check before the writer, and again inside it) and changes only when people or
    /// keys do: it is decoded once per distinct content (`ledgerRowMemo`). Decoding is a pure function of the bytes, so
    /// equal bytes give an equal state. Measured (`align-bench serve-floor`, 64 clients): decoding that row was 33 % of
    /// the floor's CPU samples before this memo.
    static func decodeState(_ b: [UInt8], key: [UInt8]) throws -> EntityState {
        guard key.elementsEqual(StreamName.ledger.utf8) else { return try decodeState(b) }
        if let s = ledgerRowMemo.state(for: b) { return s }
        let s = try decodeState(b)
        ledgerRowMemo.keep(b, s)
        return s
    }

    /// The last ledger row decoded, with its bytes (process-wide: the state depends on the bytes alone).
    static let ledgerRowMemo = StateRowMemo()
}

/// One decoded state row and the bytes it was decoded from.
///
/// `@unchecked Sendable`: the entry is read and replaced under `lock` only; the values are immutable value types.
final class StateRowMemo: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private var decoded: EntityState?

    /// The state decoded from bytes equal to `b`, if it is the one kept.
    func state(for b: [UInt8]) -> EntityState? {
        lock.withLock {
            guard let decoded, bytes.count == b.count else { return nil }
            // memcmp: `==` on the arrays compared them element by element (4 % of the floor's samples).
            let same = bytes.withUnsafeBytes { x in
                b.withUnsafeBytes { y in
                    guard let p = x.baseAddress, let q = y.baseAddress else { return x.count == y.count }
                    return memcmp(p, q, x.count) == 0
                }
            }
            return same ? decoded : nil
        }
    }

    func keep(_ b: [UInt8], _ s: EntityState) {
        lock.withLock { (bytes, decoded) = (b, s) }
    }
}
