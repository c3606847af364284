import Foundation

/// Reads what `BinaryWriter` wrote. Every read checks the bytes left; malformed input throws `BinaryError`.
public struct BinaryReader {
    private let bytes: [UInt8]
    private var i = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { i == bytes.count }

    @inline(__always) public mutating func u8() throws(BinaryError) -> UInt8 {
        guard i < bytes.count else { throw BinaryError("truncated at byte \(i)") }
        defer { i += 1 }
        return bytes[i]
    }

    public mutating func bool() throws(BinaryError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        case let b: throw BinaryError("byte \(b) at \(i - 1) is not a boolean")
        }
    }

    public mutating func uvarint() throws(BinaryError) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try u8()
            guard shift < 64 else { throw BinaryError("varint too long at byte \(i)") }
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    public mutating func int() throws(BinaryError) -> Int {
        let u = try uvarint()
        return Int(truncatingIfNeeded: Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1))))
    }

    public mutating func double() throws(BinaryError) -> Double {
        guard bytes.count - i >= 8 else { throw BinaryError("truncated at byte \(i)") }
        var bits: UInt64 = 0
        for k in 0..<8 { bits |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
        i += 8
        return Double(bitPattern: bits)
    }

    /// A date within ±10,000 years of 2001 (the rest of the code formats dates as microseconds in an `Int64`).
    public mutating func date() throws(BinaryError) -> Date {
        let t = try double()
        guard t.isFinite, abs(t) < 3.2e11 else { throw BinaryError("date \(t) at byte \(i - 8) is out of range") }
        return Date(timeIntervalSinceReferenceDate: t)
    }

    /// A count of items still to come, each taking at least one byte: bounded by the bytes left.
    public mutating func count() throws(BinaryError) -> Int {
        let n = try uvarint()
        guard n <= UInt64(bytes.count - i) else { throw BinaryError("count \(n) at byte \(i) exceeds the bytes left") }
        return Int(n)
    }

    public mutating func string() throws(BinaryError) -> String {
        let n = try count()
        guard let s = bytes.withUnsafeBufferPointer({ String(validating: $0[i..<(i + n)], as: UTF8.self) }) else {
            throw BinaryError("string at byte \(i) is not valid UTF-8")
        }
        i += n
        return s
    }

    public mutating func raw<E: RawRepresentable>(_: E.Type) throws(BinaryError) -> E where E.RawValue == String {
        let s = try string()
        guard let e = E(rawValue: s) else { throw BinaryError("'\(s)' is not a \(E.self)") }
        return e
    }

    public mutating func optional<T>(_ body: (inout BinaryReader) throws -> T) throws -> T? {
        try bool() ? try body(&self) : nil
    }

    public mutating func array<T>(_ body: (inout BinaryReader) throws -> T) throws -> [T] {
        let n = try count()
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try body(&self)) }
        return out
    }

    public mutating func dictionary<V>(_ body: (inout BinaryReader) throws -> V) throws -> [String: V] {
        let n = try count()
        var out: [String: V] = [:]
        out.reserveCapacity(n)
        for _ in 0..<n {
            let k = try string()
            out[k] = try body(&self)
        }
        return out
    }

    public mutating func value<T: BinaryCodable>(_: T.Type = T.self) throws -> T { try T(from: &self) }
}
