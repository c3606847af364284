import Foundation

/// The compact binary form of kept read models (`docs/FORMAT.md`, "Kept read models"): written and read by hand,
/// field by field, because Codable's dynamic machinery cost more than the folds themselves in a rebuild.
///
/// Integers are LEB128 varints (signed ones zigzag-encoded), strings a varint byte count and UTF-8, dates the
/// 8 little-endian bytes of their `timeIntervalSinceReferenceDate` (exact), optionals a 0/1 byte, arrays a varint
/// count, enums their raw string. Readers check every length against what is left and never trap on bad bytes.
public struct BinaryWriter {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always) public mutating func u8(_ v: UInt8) { bytes.append(v) }
    @inline(__always) public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    public mutating func uvarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func int(_ v: Int) { uvarint(UInt64(bitPattern: Int64((v << 1) ^ (v >> 63)))) }

    public mutating func double(_ v: Double) {
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func date(_ d: Date) { double(d.timeIntervalSinceReferenceDate) }

    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { u in
            uvarint(UInt64(u.count))
            bytes.append(contentsOf: u)
        }
    }

    public mutating func raw<E: RawRepresentable>(_ e: E) where E.RawValue == String { string(e.rawValue) }

    public mutating func optional<T>(_ v: T?, _ body: (inout BinaryWriter, T) -> Void) {
        guard let v else { return u8(0) }
        u8(1)
        body(&self, v)
    }

    public mutating func array<T>(_ a: [T], _ body: (inout BinaryWriter, T) -> Void) {
        uvarint(UInt64(a.count))
        for e in a { body(&self, e) }
    }

    /// A dictionary, in key order (so equal dictionaries give equal bytes).
    public mutating func dictionary<V>(_ d: [String: V], _ body: (inout BinaryWriter, V) -> Void) {
        uvarint(UInt64(d.count))
        if d.count == 1, let (k, v) = d.first {
            string(k)
            body(&self, v)
            return
        }
        // String order: deterministic, and a plain byte comparison for ASCII keys (the UTF-8 order for composed ones).
        for (k, v) in d.sorted(by: { $0.key < $1.key }) {
            string(k)
            body(&self, v)
        }
    }

    public mutating func value<T: BinaryCodable>(_ v: T) { v.write(to: &self) }
}
