import AlignmentDomain
import Crypto
import Foundation

/// Signs a command's events with one actor's key: the CLI's key file, a test's key, later a browser's.
public protocol EventSigner: Sendable {
    /// The key's owner.
    var actor: String { get }
    /// The key's id.
    var keyID: String { get }
    /// The Ed25519 signature (64 bytes) of `message`.
    func sign(_ message: [UInt8]) throws -> [UInt8]
}

/// An actor's Ed25519 private key, in memory.
public final class ActorKey: EventSigner, @unchecked Sendable {  // immutable after init; swift-crypto's key type is not marked Sendable
    public let actor: String
    public let publicKey: PublicKey
    private let key: Curve25519.Signing.PrivateKey

    /// A new random key for `actor`.
    public convenience init(generatingFor actor: String) throws {
        try self.init(actor: actor, key: Curve25519.Signing.PrivateKey())
    }

    /// The key whose 32-byte seed is `seed` (as kept in a key file).
    public convenience init(actor: String, seed: [UInt8]) throws {
        guard seed.count == 32 else { throw KeyFileError.damaged("a private key has 32 bytes, this one \(seed.count)") }
        try self.init(actor: actor, key: Curve25519.Signing.PrivateKey(rawRepresentation: seed))
    }

    private init(actor: String, key: Curve25519.Signing.PrivateKey) throws {
        self.actor = actor
        self.key = key
        publicKey = try PublicKey(raw: Array(key.publicKey.rawRepresentation))
    }

    public var keyID: String { publicKey.id }

    /// The 32-byte seed (what a key file keeps).
    var seed: [UInt8] { Array(key.rawRepresentation) }

    public func sign(_ message: [UInt8]) throws -> [UInt8] { Array(try key.signature(for: message)) }

    /// The key with its proof of possession for `actor`: what registering it needs.
    public var grant: KeyGrant {
        get throws { KeyGrant(key: publicKey, proof: try sign(KeyProof.message(actor: actor, key: publicKey))) }
    }
}

/// A revops member taking on the commands of a file whose actors' keys are not at hand: they sign them as imports,
/// in the open (a `RecordsImported` event names the source and the reason; audits say "imported by").
public struct ImportAuthority: Sendable {
    public var signer: EventSigner
    /// Where the commands come from (a file name).
    public var source: String
    public var reason: String

    public init(signer: EventSigner, source: String, reason: String) {
        self.signer = signer
        self.source = source
        self.reason = reason
    }
}
