import Foundation
import SplitMix

extension UUID {
    /// A time-ordered UUID (version 7): ids made in order land at the end of the id index.
    /// The 74 random bits come from a process-wide generator seeded once from the system (one system call per
    /// process instead of two per id).
    public static func v7(now: Date = Date()) -> UUID {
        let ms = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let (r1, r2) = IDRandom.shared.next2()
        var b = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { b[i] = UInt8((ms >> UInt64(8 * (5 - i))) & 0xFF) }
        b[6] = 0x70 | UInt8(r1 & 0x0F)
        b[7] = UInt8((r1 >> 8) & 0xFF)
        b[8] = 0x80 | UInt8((r2) & 0x3F)
        for i in 9..<16 { b[i] = UInt8((r2 >> UInt64(8 * (i - 8))) & 0xFF) }
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    package var byteArray: [UInt8] {
        withUnsafeBytes(of: uuid) { Array($0) }
    }

    package init(bytes p: UnsafeRawBufferPointer) {
        // Start from zeros, not `UUID().uuid`: that generated a random UUID (a getrandom call) per decoded event.
        var u: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &u) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: p[0..<16])) }
        self.init(uuid: u)
    }
}

/// The random bits of new ids: SplitMix64 seeded once from the system's generator; thread-safe.
final class IDRandom: @unchecked Sendable {
    static let shared = IDRandom()
    private let lock = NSLock()
    private var generator: SplitMix64

    private init() {
        var g = SystemRandomNumberGenerator()
        generator = SplitMix64(seed: g.next())
    }

    func next2() -> (UInt64, UInt64) {
        lock.lock()
        defer { lock.unlock() }
        return (generator.next(), generator.next())
    }
}
