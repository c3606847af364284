import Foundation

/// A stream's name as the stores and the records compare it: its UTF-8 bytes. Swift's `String` equality would merge
/// names that are canonically equivalent (`"caf\u{E9}"`, `"cafe\u{301}"`) but stored as two streams.
package struct StreamKey: Hashable, Sendable {
    package let bytes: [UInt8]
    package init(bytes: [UInt8]) { self.bytes = bytes }
    package init(_ name: String) { bytes = Array(name.utf8) }
    package static func == (a: StreamKey, b: StreamKey) -> Bool {
        // memcmp: `[UInt8] ==` compares element by element, and the writer's dictionaries compare keys a lot.
        a.bytes.count == b.bytes.count && a.bytes.withUnsafeBytes { x in
            b.bytes.withUnsafeBytes { y in
                guard let xp = x.baseAddress, let yp = y.baseAddress else { return true }  // both empty
                return memcmp(xp, yp, x.count) == 0
            }
        }
    }
    /// The bytes in one go (an `[UInt8]` hashes element by element).
    package func hash(into h: inout Hasher) { bytes.withUnsafeBytes { h.combine(bytes: $0) } }
}
