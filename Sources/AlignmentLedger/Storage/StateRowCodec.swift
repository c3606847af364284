import AlignmentDomain
import AlignmentProjections
import Foundation

extension AlignmentLedger {
    /// A kept state's row in `rm.state`: its hand-written binary form (`BinaryCodable`, docs/FORMAT.md).
    static func encodeState(_ s: EntityState) -> [UInt8] { s.binary }
    /// The kept state of a `rm.state` row; throws `BinaryError` on bad bytes.
    static func decodeState(_ b: [UInt8]) throws -> EntityState { try EntityState(binary: b) }

    /// The kept state of the `rm.state` row with key `key`. The rows many commands read and few change (the ledger's:
    /// every actor, role and key; definitions; campaigns) are decoded once per distinct content (`stateRowMemo`): every
    /// signed command reads the ledger's row twice (the key check before the writer, and again inside it), and a handoff
    /// its definition's. Decoding is a pure function of the bytes, so equal bytes give an equal state. Measured
    /// (`align-bench serve-floor`, 64 clients): decoding the ledger's row was 33 % of the floor's CPU samples before
    /// this memo, the definition's 3 % of the writer thread's.
    static func decodeState(_ b: [UInt8], key: [UInt8]) throws -> EntityState {
        guard StateRowMemo.keeps(key) else { return try decodeState(b) }
        if let s = stateRowMemo.state(key, b) { return s }
        let s = try decodeState(b)
        stateRowMemo.keep(key, b, s)
        return s
    }

    /// The shared rows decoded last, with their bytes (process-wide: the state depends on the bytes alone).
    static let stateRowMemo = StateRowMemo()
}

/// Decoded state rows and the bytes each was decoded from, for the rows many commands share.
///
/// `@unchecked Sendable`: the entries are read and replaced under `lock` only; the values are immutable value types.
final class StateRowMemo: @unchecked Sendable {
    private let lock = NSLock()
    private var rows: [[UInt8]: (bytes: [UInt8], state: EntityState)] = [:]
    /// Rows kept at most; past it the memo starts again empty.
    static let capacity = 64

    /// Whether rows with this key are kept: the ledger's, definitions' and campaigns' (leads and content requests are
    /// many, each read by few commands).
    static func keeps(_ key: [UInt8]) -> Bool {
        key.elementsEqual(StreamName.ledger.utf8) || key.starts(with: "definition/".utf8) || key.starts(with: "campaign/".utf8)
    }

    /// The state decoded from bytes equal to `b` for `key`, if it is the one kept.
    func state(_ key: [UInt8], _ b: [UInt8]) -> EntityState? {
        lock.withLock {
            guard let kept = rows[key], kept.bytes.count == b.count else { return nil }
            // memcmp: `==` on the arrays compared them element by element (4 % of the floor's samples for the ledger's row).
            let same = kept.bytes.withUnsafeBytes { x in
                b.withUnsafeBytes { y in
                    guard let p = x.baseAddress, let q = y.baseAddress else { return x.count == y.count }
                    return memcmp(p, q, x.count) == 0
                }
            }
            return same ? kept.state : nil
        }
    }

    func keep(_ key: [UInt8], _ b: [UInt8], _ s: EntityState) {
        lock.withLock {
            if rows.count >= StateRowMemo.capacity, rows[key] == nil { rows.removeAll() }
            rows[key] = (b, s)
        }
    }
}
