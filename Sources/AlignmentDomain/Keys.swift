import Crypto
import Foundation

/// An actor's Ed25519 public key as the ledger knows it: 32 bytes, written `ed25519:BASE64URL` (no padding), and named by
/// its key id, the first 8 bytes of SHA-256 of the key in hex (16 characters).
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The key's 32 bytes.
    public let raw: [UInt8]
    /// The key id, 16 lowercase hex digits.
    public let id: String

    /// Reads a key's 32 bytes. Refuses anything else, and the weak keys for which a signature proves nothing: the
    /// points of small order (swift-crypto accepts the identity point, and then an all-zero-scalar signature verifies
    /// for every message) in any of their encodings.
    public init(raw: [UInt8]) throws(DomainError) {
        guard raw.count == 32 else { throw .invalid("an Ed25519 public key has 32 bytes, not \(raw.count)") }
        guard !PublicKey.hasSmallOrder(raw) else {
            throw .invalid("the public key is a point of small order: a signature by it would prove nothing")
        }
        guard (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
            throw .invalid("the public key is not a point of Ed25519")
        }
        self.raw = raw
        id = PublicKey.keyID(raw)
    }

    /// Reads the text form, `ed25519:BASE64URL`.
    public init(text: String) throws(DomainError) {
        let body = text.hasPrefix("ed25519:") ? String(text.dropFirst(8)) : text
        guard let bytes = Base64URL.decode(body) else {
            throw .invalid("\(text.debugDescription) is not a public key; write it as printed by `align key generate`: ed25519:BASE64URL")
        }
        try self.init(raw: bytes)
    }

    /// The text form, `ed25519:BASE64URL`.
    public var text: String { "ed25519:" + Base64URL.encode(raw) }
    public var description: String { text }

    /// Whether `signature` is this key's signature of `message`.
    public func verifies(_ signature: some DataProtocol, of message: some DataProtocol) -> Bool {
        guard signature.count == 64, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
        return key.isValidSignature(signature, for: message)
    }

    public static func == (a: PublicKey, b: PublicKey) -> Bool { a.raw == b.raw }
    public func hash(into h: inout Hasher) { h.combine(raw) }

    /// The key id of a key's bytes.
    public static func keyID(_ raw: [UInt8]) -> String {
        SHA256.hash(data: raw).prefix(8).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// The encodings of Ed25519's points of small order (the identity, the point of order 2, those of order 4 and 8),
    /// compared with the sign bit cleared, as libsodium's `ge25519_has_small_order` does.
    static func hasSmallOrder(_ s: [UInt8]) -> Bool {
        guard s.count == 32 else { return false }
        var candidate = s
        candidate[31] &= 0x7F
        return smallOrderEncodings.contains(candidate)
    }

    private static let smallOrderEncodings: Set<[UInt8]> = {
        func hex(_ h: String) -> [UInt8] {
            var out: [UInt8] = []
            var i = h.startIndex
            while i < h.endIndex {
                let j = h.index(i, offsetBy: 2)
                out.append(UInt8(h[i..<j], radix: 16) ?? 0)
                i = j
            }
            return out
        }
        let ff = String(repeating: "ff", count: 30)
        return [
            hex(String(repeating: "00", count: 32)),  // 0 (order 4)
            hex("01" + String(repeating: "00", count: 31)),  // 1, the identity (order 1)
            hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),  // order 8
            hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),  // order 8
            hex("ec" + ff + "7f"),  // p - 1 (order 2)
            hex("ed" + ff + "7f"),  // p, a second encoding of 0 (order 4)
            hex("ee" + ff + "7f"),  // p + 1, a second encoding of 1 (order 1)
        ]
    }()
}

/// What an actor's key registration carries: the key and its proof of possession, a signature by the key itself of
/// `KeyProof.message(actor:key:)`, so that nobody registers a key they do not hold (or someone else's, as theirs).
public struct KeyGrant: Equatable, Sendable {
    public var key: PublicKey
    /// 64 bytes.
    public var proof: [UInt8]

    public init(key: PublicKey, proof: [UInt8]) {
        self.key = key
        self.proof = proof
    }

    /// Reads the text forms (`ed25519:...` and the proof in base64url), checking the proof for `actor`.
    public init(key: String, proof: String, actor: String) throws(DomainError) {
        let k = try PublicKey(text: key)
        guard let p = Base64URL.decode(proof) else { throw .invalid("the key's proof \(proof.debugDescription) is not base64url") }
        self.init(key: k, proof: p)
        try check(actor: actor)
    }

    /// Throws unless the proof is the key's signature of the possession message for `actor`.
    public func check(actor: String) throws(DomainError) {
        guard key.verifies(proof, of: KeyProof.message(actor: actor, key: key)) else {
            throw .invalid("the proof does not show that \(actor)'s key \(key.id) is held by whoever registers it: ask \(actor) for the proof `align key generate` (or `align key show`) printed")
        }
    }
}

/// The message a key signs to prove its holder has it: domain-separated, bound to the actor and the key.
public enum KeyProof {
    public static func message(actor: String, key: PublicKey) -> [UInt8] {
        Array("align-key-possession/v1\u{0}".utf8) + Array(actor.utf8) + [0] + key.raw
    }
}

/// A registered key in the ledger's state: whose, since which position, revoked at which.
public struct KeyRecord: Codable, Equatable, Sendable {
    public var id: String
    public var actor: String
    /// `ed25519:BASE64URL`.
    public var publicKey: String
    public var registeredAt: UInt64
    public var revokedAt: UInt64?
    public var revokeReason: String?

    public init(id: String, actor: String, publicKey: String, registeredAt: UInt64, revokedAt: UInt64? = nil, revokeReason: String? = nil) {
        self.id = id
        self.actor = actor
        self.publicKey = publicKey
        self.registeredAt = registeredAt
        self.revokedAt = revokedAt
        self.revokeReason = revokeReason
    }

    public var active: Bool { revokedAt == nil }
}

/// Base64url without padding (RFC 4648 §5), the text form of keys, proofs and signatures.
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map(Array.init)
    }
}

extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
