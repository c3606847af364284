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
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for b in SHA256.hash(data: raw).prefix(8) { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The encodings of Ed25519's points of small order (the identity, the point of order 2, those of order 4 and 8),
    /// compared with the sign bit cleared, as libsodium's `ge25519_has_small_order` does.
    static func hasSmallOrder(_ s: [UInt8]) -> Bool {
        guard s.count == 32 else { return false }
        var candidate = s
        candidate[31] &= 0x7F
        return smallOrderEncodings.contains { $0 == candidate }
    }

    /// Literal bytes, not parsed hex in a set: this table is built on every command that loads a key (it cost a tenth of
    /// a millisecond of a sign-off built the other way, perf record 2026-12-07).
    private static let smallOrderEncodings: [[UInt8]] = {
        let p: [UInt8] = [UInt8](repeating: 0xFF, count: 30) + [0x7F]
        return [
            [UInt8](repeating: 0, count: 32),  // 0 (order 4)
            [1] + [UInt8](repeating: 0, count: 31),  // 1, the identity (order 1)
            [0x26, 0xE8, 0x95, 0x8F, 0xC2, 0xB2, 0x27, 0xB0, 0x45, 0xC3, 0xF4, 0x89, 0xF2, 0xEF, 0x98, 0xF0,
             0xD5, 0xDF, 0xAC, 0x05, 0xD3, 0xC6, 0x33, 0x39, 0xB1, 0x38, 0x02, 0x88, 0x6D, 0x53, 0xFC, 0x05],  // order 8
            [0xC7, 0x17, 0x6A, 0x70, 0x3D, 0x4D, 0xD8, 0x4F, 0xBA, 0x3C, 0x0B, 0x76, 0x0D, 0x10, 0x67, 0x0F,
             0x2A, 0x20, 0x53, 0xFA, 0x2C, 0x39, 0xCC, 0xC6, 0x4E, 0xC7, 0xFD, 0x77, 0x92, 0xAC, 0x03, 0x7A],  // order 8
            [0xEC] + p,  // p - 1 (order 2)
            [0xED] + p,  // p, a second encoding of 0 (order 4)
            [0xEE] + p,  // p + 1, a second encoding of 1 (order 1)
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
    /// Who registered it (the actor themselves, or a revops member).
    public var registeredBy: String
    public var revokedAt: UInt64?
    public var revokeReason: String?

    public init(id: String, actor: String, publicKey: String, registeredAt: UInt64, registeredBy: String = "", revokedAt: UInt64? = nil,
                revokeReason: String? = nil) {
        self.id = id
        self.actor = actor
        self.publicKey = publicKey
        self.registeredAt = registeredAt
        self.registeredBy = registeredBy.isEmpty ? actor : registeredBy
        self.revokedAt = revokedAt
        self.revokeReason = revokeReason
    }

    public var active: Bool { revokedAt == nil }
}

/// Base64url without padding (RFC 4648 §5), the text form of keys, proofs and signatures: Foundation's base64 with the
/// two letters swapped on the bytes (swapping them through `replacingOccurrences` bridged to NSString, a quarter of a
/// millisecond of every signed command: perf record, 2026-12-07).
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        var out = Array(Data(bytes).base64EncodedData())
        while out.last == UInt8(ascii: "=") { out.removeLast() }
        for i in out.indices {
            if out[i] == UInt8(ascii: "+") { out[i] = UInt8(ascii: "-") } else if out[i] == UInt8(ascii: "/") { out[i] = UInt8(ascii: "_") }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var b: [UInt8] = []
        b.reserveCapacity(text.utf8.count + 3)
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): b.append(c)
            case UInt8(ascii: "-"): b.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): b.append(UInt8(ascii: "/"))
            default: return nil
            }
        }
        while b.count % 4 != 0 { b.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(b)).map(Array.init)
    }
}
