import AlignmentDomain
import Crypto
import Foundation

/// Sign-in challenges a server checks without keeping them, so that asking for challenges (anyone may) costs it no
/// memory and cannot lock others out: a challenge is 8 bytes of expiry (Unix seconds, big-endian), 8 random bytes and
/// the first 16 bytes of HMAC-SHA256 of those 16 under a secret made when the server starts (a restart makes the
/// outstanding ones void, as it ends the sessions). Only used ones are remembered, until they expire, by the caller.
public struct SignInChallenges: Sendable {
    /// 32 random bytes (kept as bytes: swift-crypto's `SymmetricKey` is not `Sendable`).
    private let secret: [UInt8]

    public init() {
        var g = SystemRandomNumberGenerator()
        secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    /// A new challenge (`SignIn.challengeBytes` long) good until `expires`.
    public func make(expires: Date) -> [UInt8] {
        var body = [UInt8](repeating: 0, count: 16)
        let seconds = UInt64(max(0, expires.timeIntervalSince1970.rounded(.up)))
        for i in 0..<8 { body[i] = UInt8(truncatingIfNeeded: seconds >> (56 - 8 * UInt64(i))) }
        var g = SystemRandomNumberGenerator()
        for i in 8..<16 { body[i] = UInt8.random(in: 0...255, using: &g) }
        return body + tag(body)
    }

    /// When `challenge` expires, if this server made it; nil for any other bytes (a forged or altered challenge, one of
    /// another server or of before a restart).
    public func expiry(of challenge: [UInt8]) -> Date? {
        guard challenge.count == SignIn.challengeBytes else { return nil }
        let body = Array(challenge.prefix(16))
        // Compared in constant time, as any MAC.
        guard zip(tag(body), challenge.suffix(16)).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return nil }
        let seconds = body.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private func tag(_ body: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret)).prefix(16))
    }
}

extension AlignmentLedger {
    /// Throws (refused) unless `actor` is still active and `keyID` still a registered, unrevoked key of theirs: what a
    /// session opened by signing in with that key needs on every request, so that revoking a stolen key or deactivating
    /// someone ends their sessions too, not only their next sign-in.
    /// Answers the ledger state it checked against, for a caller that reads it too.
    @discardableResult
    public func checkSession(actor: String, keyID: String) throws -> LedgerState {
        let ledger = try ledgerState()
        guard let a = ledger.actors[actor], a.active else {
            throw DomainError.refused(rule: Rule.activeActor, message: "'\(actor)' is no longer an active actor of this ledger")
        }
        _ = try AlignmentLedger.commandKey(SignedCommand(line: [], keyID: keyID, signature: []), actor: actor, ledger: ledger)
        return ledger
    }
}
