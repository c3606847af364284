/// A SHA-256 chain hash, stored inline without allocation.
public struct ChainHash: Hashable, Sendable, CustomStringConvertible {
    /// The 32 bytes as four big-endian words.
    public var a: UInt64, b: UInt64, c: UInt64, d: UInt64

    /// The hash before the first record: 32 zero bytes.
    public static let genesis = ChainHash(a: 0, b: 0, c: 0, d: 0)

    package init(a: UInt64, b: UInt64, c: UInt64, d: UInt64) { (self.a, self.b, self.c, self.d) = (a, b, c, d) }

    /// Reads 32 bytes (in order).
    package init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= 32)
        a = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        b = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        c = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        d = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// Parses 64 hex digits.
    public init?(hex: String) {
        let u = Array(hex.utf8)
        guard u.count == 64 else { return nil }
        var words: [UInt64] = []
        for w in 0..<4 {
            var v: UInt64 = 0
            for j in 0..<16 {
                let c = u[w * 16 + j]
                let n: UInt8
                switch c {
                case 48...57: n = c - 48
                case 97...102: n = c - 87
                case 65...70: n = c - 55
                default: return nil
                }
                v = v << 4 | UInt64(n)
            }
            words.append(v)
        }
        self.init(a: words[0], b: words[1], c: words[2], d: words[3])
    }

    /// The 32 bytes.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        write(into: &out, at: 0)
        return out
    }

    package func write(into buffer: inout [UInt8], at offset: Int) {
        for (i, w) in [a, b, c, d].enumerated() {
            var be = w.bigEndian
            withUnsafeBytes(of: &be) { src in
                for j in 0..<8 { buffer[offset + i * 8 + j] = src[j] }
            }
        }
    }

    /// 64 lower-case hex digits.
    public var hex: String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        appendHex(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the 64 lower-case hex digits (no String on the way: export writes one per event).
    public func appendHex(to out: inout [UInt8]) {
        func word(_ w: UInt64) {
            var shift: UInt64 = 64
            while shift > 0 {
                shift -= 4
                let v = UInt8(truncatingIfNeeded: (w >> shift) & 0xF)
                out.append(v < 10 ? 48 + v : 87 + v)
            }
        }
        word(a); word(b); word(c); word(d)
    }

    /// The hex digits.
    public var description: String { hex }

    /// Hands the 32 bytes, in order, to `body` (no allocation).
    @inline(__always) public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var words = (a.bigEndian, b.bigEndian, c.bigEndian, d.bigEndian)
        return try withUnsafeBytes(of: &words) { try body($0) }
    }

    /// The hash made of exactly 32 bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self = bytes.withUnsafeBytes { ChainHash(bytes: $0) }
    }
}
