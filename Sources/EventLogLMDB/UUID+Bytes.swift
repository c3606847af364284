import EventLog
import Foundation

extension UUID {
    /// The id's bytes as two big-endian words: ordered as the id index orders keys.
    typealias OrderKey = (UInt64, UInt64)
    var orderKey: OrderKey { withBytes { UUID.orderKey($0) } }
    static func orderKey(_ b: UnsafeRawBufferPointer) -> OrderKey {
        (UInt64(bigEndian: b.loadUnaligned(as: UInt64.self)), UInt64(bigEndian: b.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }
}

extension UUID {
    /// Calls `body` with the id's 16 bytes.
    func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        var u = uuid
        return try withUnsafeBytes(of: &u, body)
    }
}
