import AlignmentDomain
import Crypto
import EventLog
import Foundation
import JSONCore

/// A command signed by its actor away from the ledger (a script, a browser, one of many clients of `align serve`), and
/// the bytes it signs (docs/FORMAT.md, "Signed commands").
///
/// An event's own signature (`EventSignature`) binds its position and the chain hash before it, so only a signer inside
/// the write transaction can make one. A signed command binds what its author knows instead: the ledger, their key, and
/// the command as one `align apply` line in canonical JSON, which must carry the actor (`as`), the business time (`at`)
/// and an idempotency key (`key`, the nonce): `{"args":{...},"as":"sam","at":"2026-03-01T09:00:00Z","command":"definition.sign-off","key":"..."}`.
/// The service checks it against the actor's registered key, refuses a key used before (the line's first event gets the
/// id `applyEventID(key)`, so the log itself keeps the nonces), and records the line and its signature in every event
/// the command decides (`CommandSignatureField`), where `verify` and every fold from the log check it again and decide
/// the command once more: the events must be exactly those it decides. The server never holds a key and cannot forge one.
public struct SignedCommand: Sendable, Equatable {
    /// The domain-separation prefix of the signed bytes.
    static let domain = Array("align-command/v1".utf8) + [0]
    /// The longest line a signed command may have (it is stored in every event the command records).
    public static let maxLineBytes = 32 * 1024

    /// The apply line, canonical JSON (UTF-8).
    public var line: [UInt8]
    /// The signing key's id (16 hex digits).
    public var keyID: String
    /// The Ed25519 signature (64 bytes) of `message(ledgerID:keyID:line:)`.
    public var signature: [UInt8]

    public init(line: [UInt8], keyID: String, signature: [UInt8]) {
        self.line = line
        self.keyID = keyID
        self.signature = signature
    }

    /// The bytes a command's signature signs:
    /// `"align-command/v1" 0x00 || ledger id (16) || key id (8) || u32 BE |line| || line`.
    public static func message(ledgerID: UUID, keyID: String, line: [UInt8]) -> [UInt8] {
        var m = domain
        m.reserveCapacity(domain.count + 28 + line.count)
        withUnsafeBytes(of: ledgerID.uuid) { m += $0 }
        m += EventSignature.keyIDBytes(keyID)
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: line.count).bigEndian) { m += $0 }
        m += line
        return m
    }

    /// Signs `line` (any JSON text of an apply line; it is made canonical first) for the ledger `ledgerID` with `key`:
    /// what a client does (the CLI's `align command sign`, a script, the tests).
    public static func sign(line: [UInt8], ledgerID: UUID, with key: EventSigner) throws -> SignedCommand {
        let canonical = try canonicalLine(line)
        return SignedCommand(line: canonical, keyID: key.keyID,
                             signature: try key.sign(message(ledgerID: ledgerID, keyID: key.keyID, line: canonical)))
    }

    /// The canonical form of an apply line's JSON text; a usage error when it is not JSON.
    public static func canonicalLine(_ bytes: [UInt8]) throws -> [UInt8] {
        do { return try JSONCanonical.canonicalize(bytes) } catch {
            throw DomainError.invalid("the signed command is not JSON: \(error)")
        }
    }

    /// Completes an apply line for signing: `as`, `at` and `key` are set to `actor`, `at` and `nonce` where the line
    /// lacks them (a line that names another actor than `actor` is refused), and the line is made canonical.
    /// What `align sign` does before signing.
    public static func prepare(line bytes: [UInt8], actor: String?, at: Date, nonce: String) throws -> [UInt8] {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw DomainError.invalid("the command line is not JSON: \(error)") }
        guard case .object(var o) = value else { throw DomainError.invalid("a command line is one JSON object: {\"command\": ..., \"args\": {...}}") }
        if let actor {
            if case .string(let named)? = o["as"], named != actor {
                throw DomainError.invalid("the line is for '\(named)', and you sign as '\(actor)': a command is signed by its own actor")
            }
            o["as"] = .string(actor)
        }
        if o["at"] == nil { o["at"] = .string(DomainTime.format(at)) }
        if o["key"] == nil { o["key"] = .string(nonce) }
        return try canonicalLine(JSONValue.object(o).serialize())
    }

    // MARK: The envelope (what a client sends)

    /// Reads the JSON a client sends: `{"line": "<the canonical apply line, as a string>", "keyId": "<16 hex>",
    /// "signature": "<base64url, 64 bytes>"}`. The line travels as a string so that the bytes signed are the bytes
    /// received. Usage errors (`DomainError.invalid`) say what is wrong.
    public init(json bytes: [UInt8]) throws {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw DomainError.invalid("the body is not JSON: \(error)") }
        guard case .object(let o) = value else { throw DomainError.invalid("a signed command is a JSON object with \"line\", \"keyId\" and \"signature\"") }
        if let unknown = o.keys.sorted().first(where: { !["line", "keyId", "signature"].contains($0) }) {
            throw DomainError.invalid("unknown key \"\(unknown)\"; a signed command has \"line\", \"keyId\" and \"signature\"")
        }
        guard case .string(let line)? = o["line"] else {
            throw DomainError.invalid("\"line\" must be a string: the apply line in canonical JSON, exactly as signed")
        }
        guard case .string(let keyID)? = o["keyId"], keyID.utf8.count == 16, keyID.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw DomainError.invalid("\"keyId\" must be the signing key's id: 16 lowercase hex digits")
        }
        guard case .string(let sig)? = o["signature"], let signature = Base64URL.decode(sig), signature.count == 64 else {
            throw DomainError.invalid("\"signature\" must be the Ed25519 signature (64 bytes) in base64url without padding")
        }
        self.init(line: Array(line.utf8), keyID: keyID, signature: signature)
    }

    /// The envelope as a client sends it (canonical JSON).
    public func json() throws -> [UInt8] {
        try LedgerJSON.encode(Envelope(keyId: keyID, line: String(decoding: line, as: UTF8.self), signature: Base64URL.encode(signature)))
    }

    private struct Envelope: Encodable {
        var keyId: String
        var line: String
        var signature: String
    }

    // MARK: Reading the line

    /// What the line says: the command, its actor, business time and nonce. Throws `DomainError.invalid` when the line is
    /// not canonical, is not an apply line, or lacks `as`, `at` or `key`.
    func parsed() throws -> SignedLine {
        guard line.count <= SignedCommand.maxLineBytes else {
            throw DomainError.invalid("the signed command's line has \(line.count) bytes; at most \(SignedCommand.maxLineBytes)")
        }
        guard JSONCanonical.isCanonical(line) else {
            throw DomainError.invalid("the signed line is not canonical JSON (keys sorted by their UTF-8 bytes, no whitespace, minimal escapes); sign the canonical form and send exactly it")
        }
        return try SignedLine(line)
    }
}

/// A signed command's line, read.
struct SignedLine {
    var command: Command
    var actor: String
    /// The business time, as the text gave it.
    var at: Date
    /// The idempotency key: the nonce.
    var key: String

    init(_ line: [UInt8]) throws {
        let l: ApplyLine
        do { l = try line.withUnsafeBytes { try ApplyLine($0) } } catch let e as LineProblem {
            throw DomainError.invalid(e.description)
        } catch {
            throw DomainError.invalid("not a command line: \(error)")
        }
        guard let actor = l.as else { throw DomainError.invalid("a signed command names its actor: \"as\"") }
        guard let t = l.at else { throw DomainError.invalid("a signed command names its business time: \"at\" (ISO 8601)") }
        guard let at = DomainTime.parse(t) else { throw DomainError.invalid("\"at\": \(DomainTime.problem(t) ?? "\(t.debugDescription) is not ISO 8601")") }
        guard let key = l.key, !key.isEmpty, key.utf8.count <= 200, key.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw DomainError.invalid("a signed command carries a nonce: \"key\", 1 to 200 bytes of printable text, never used before")
        }
        command = try Command.parse(l.command, l.args ?? [:])
        self.actor = actor
        self.at = at
        self.key = key
    }
}

/// The signature field of an event recorded from a signed command (scheme 2; docs/FORMAT.md, "Signed commands"):
/// scheme, flags (0), key id (8), the command's Ed25519 signature (64), then the canonical line (the rest of the field).
/// Every event the command records carries the same field.
struct CommandSignatureField: Equatable {
    static let scheme: UInt8 = 2
    static let headerSize = 74

    var command: SignedCommand

    init(_ command: SignedCommand) { self.command = command }

    /// Reads a record's signature field; nil when it is not a signed command's.
    init?(field: [UInt8]) {
        guard field.count > CommandSignatureField.headerSize, field[0] == CommandSignatureField.scheme, field[1] == 0 else { return nil }
        command = SignedCommand(line: Array(field[74...]), keyID: EventSignature.hex(field[2..<10]), signature: Array(field[10..<74]))
    }

    var field: [UInt8] {
        [CommandSignatureField.scheme, 0] + EventSignature.keyIDBytes(command.keyID) + command.signature + command.line
    }

    /// Whether a record's signature field is a signed command's (a cheap look at its first byte).
    static func isCommand(_ field: [UInt8]) -> Bool { field.first == scheme }
}

extension AlignmentLedger {
    /// The id of the first event of a line with idempotency key `key` in the ledger `ledgerID` (see `applyEventID`).
    static func applyEventID(ledgerID: UUID, key: String) -> UUID {
        var d = Array(SHA256.hash(data: Array("align-apply-key/v1".utf8) + [0] + ledgerID.byteArray + Array(key.utf8)).prefix(16))
        d[6] = (d[6] & 0x0F) | 0x80  // version 8
        d[8] = (d[8] & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(uuid: (d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15]))
    }
}
