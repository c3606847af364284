import AlignmentDomain
import Foundation
import JSONCore

/// Signing in to a server of the ledger (`align serve`) with an actor's own key: the server hands out a random
/// challenge, the client signs it, and the service checks the signature against the actor's registered key. The server
/// then opens a session for that actor; it never sees a private key.
///
/// The signed bytes are domain-separated (no event or command signature can be passed off as one):
/// `"align-session/v1" 0x00 || ledger id (16) || u16 BE |actor| actor || key id (8) || challenge (32)`.
public struct SignIn: Sendable, Equatable {
    static let domain = Array("align-session/v1".utf8) + [0]
    /// A challenge's length in bytes.
    public static let challengeBytes = 32

    public var actor: String
    /// The signing key's id (16 hex digits).
    public var keyID: String
    /// The server's challenge (32 bytes).
    public var challenge: [UInt8]
    /// The Ed25519 signature (64 bytes) of `message`.
    public var signature: [UInt8]

    public init(actor: String, keyID: String, challenge: [UInt8], signature: [UInt8]) {
        (self.actor, self.keyID, self.challenge, self.signature) = (actor, keyID, challenge, signature)
    }

    /// The bytes a sign-in signs.
    public static func message(ledgerID: UUID, actor: String, keyID: String, challenge: [UInt8]) -> [UInt8] {
        var m = domain
        withUnsafeBytes(of: ledgerID.uuid) { m += $0 }
        let a = Array(actor.utf8)
        m += [UInt8(truncatingIfNeeded: a.count >> 8), UInt8(truncatingIfNeeded: a.count)] + a
        m += EventSignature.keyIDBytes(keyID)
        m += challenge
        return m
    }

    /// Signs `challenge` for the ledger `ledgerID` with `key` (its actor's): what a client does (`align sign --challenge`).
    public static func sign(challenge: [UInt8], ledgerID: UUID, with key: EventSigner) throws -> SignIn {
        SignIn(actor: key.actor, keyID: key.keyID, challenge: challenge,
               signature: try key.sign(message(ledgerID: ledgerID, actor: key.actor, keyID: key.keyID, challenge: challenge)))
    }

    /// Reads what a client posts: `{"actor", "challenge" (base64url), "keyId", "signature" (base64url)}`; usage errors
    /// say what is wrong.
    public init(json bytes: [UInt8]) throws {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw DomainError.invalid("the body is not JSON: \(error)") }
        guard case .object(let o) = value else { throw DomainError.invalid("a sign-in is a JSON object with \"actor\", \"challenge\", \"keyId\" and \"signature\"") }
        if let unknown = o.keys.sorted().first(where: { !["actor", "challenge", "keyId", "signature"].contains($0) }) {
            throw DomainError.invalid("unknown key \"\(unknown)\"; a sign-in has \"actor\", \"challenge\", \"keyId\" and \"signature\"")
        }
        guard case .string(let actor)? = o["actor"], !actor.isEmpty, actor.utf8.count <= 200 else { throw DomainError.invalid("\"actor\" names who signs in") }
        guard case .string(let c)? = o["challenge"], let challenge = Base64URL.decode(c), challenge.count == SignIn.challengeBytes else {
            throw DomainError.invalid("\"challenge\" must be the server's challenge (32 bytes, base64url)")
        }
        guard case .string(let keyID)? = o["keyId"], keyID.utf8.count == 16, keyID.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw DomainError.invalid("\"keyId\" must be the signing key's id: 16 lowercase hex digits")
        }
        guard case .string(let s)? = o["signature"], let signature = Base64URL.decode(s), signature.count == 64 else {
            throw DomainError.invalid("\"signature\" must be the Ed25519 signature (64 bytes) in base64url without padding")
        }
        self.init(actor: actor, keyID: keyID, challenge: challenge, signature: signature)
    }

    /// What a client posts (canonical JSON).
    public func json() throws -> [UInt8] {
        try LedgerJSON.encode(Body(actor: actor, challenge: Base64URL.encode(challenge), keyId: keyID, signature: Base64URL.encode(signature)))
    }

    private struct Body: Encodable {
        var actor: String
        var challenge: String
        var keyId: String
        var signature: String
    }
}

extension AlignmentLedger {
    /// Checks a sign-in against the ledger as it is now: the actor is registered and active, the key is registered, not
    /// revoked and the actor's, and the signature checks over `SignIn.message`. (Whether the challenge is one the server
    /// handed out, once, is the server's to check.) Refusals throw `DomainError.refused` (rule `signed-by-actor`, or
    /// `active-actor`).
    public func checkSignIn(_ s: SignIn) throws {
        let ledger = try ledgerState()
        guard let a = ledger.actors[s.actor], a.active else {
            throw DomainError.refused(rule: Rule.activeActor, message: "'\(s.actor)' is not an active actor of this ledger")
        }
        let key = try AlignmentLedger.commandKey(SignedCommand(line: [], keyID: s.keyID, signature: []), actor: s.actor, ledger: ledger)
        guard key.verifies(s.signature, of: SignIn.message(ledgerID: ledgerID, actor: s.actor, keyID: s.keyID, challenge: s.challenge)) else {
            throw DomainError.refused(rule: Rule.signature, message: "the sign-in signature does not check against key \(s.keyID) of '\(s.actor)'")
        }
    }
}

extension SignedCommand {
    /// The actor the line names (`as`), for a front end that must match it with the session's before performing it.
    public func actor() throws -> String { try parsed().actor }
}
