// The cost of Ed25519 in this build (swift-crypto, BoringSSL) on one core: what signing adds to each event an
// application appends, and the single-core floor that `align verify`'s parallel signature checks are measured against.
import Crypto
import Foundation
import SplitMix

enum SigningBench {
    /// Median microseconds per signature and per check of 300-byte messages over `n` operations, `runs` times.
    static func run(n: Int = 20_000, runs: Int = 5) throws -> (signMicros: Double, verifyMicros: Double) {
        let key = Curve25519.Signing.PrivateKey()
        let publicKey = key.publicKey
        var rng = SplitMix64(seed: 11)
        let messages = (0..<n).map { _ in (0..<300).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
        var sign: [Double] = [], verify: [Double] = []
        var signatures: [Data] = []
        for _ in 0..<runs {
            let t0 = nowNS()
            signatures = try messages.map { try key.signature(for: $0) }
            sign.append(Double(nowNS() - t0) / 1_000 / Double(n))
            let t1 = nowNS()
            var ok = 0
            for (m, s) in zip(messages, signatures) where publicKey.isValidSignature(s, for: m) { ok += 1 }
            verify.append(Double(nowNS() - t1) / 1_000 / Double(n))
            precondition(ok == n, "a signature did not verify")
        }
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        return (median(sign), median(verify))
    }
}
