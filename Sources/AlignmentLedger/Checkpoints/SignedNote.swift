import Crypto
import Foundation

/// C2SP signed notes (`c2sp.org/signed-note`) with Ed25519 keys: the text, a blank line, then one line per signature,
/// `— NAME BASE64(KEYHASH4 || SIGNATURE)`. A key's hash is the first four bytes of
/// `SHA-256(NAME || 0x0A || 0x01 || PUBLIC KEY)`; its verifier key is written `NAME+HEX(KEYHASH)+BASE64(0x01 || PUBLIC KEY)`.
public enum SignedNote {
    /// The Ed25519 signature type byte.
    static let ed25519: UInt8 = 0x01

    /// A key that can check notes: its name, hash and public key.
    public struct Verifier: Equatable, Sendable {
        public let name: String
        public let keyHash: UInt32
        public let publicKey: [UInt8]

        public init(name: String, publicKey: [UInt8]) throws(NoteError) {
            guard SignedNote.isValidName(name) else { throw .malformedKey("the key name '\(name)' has a space, a '+' or a control character") }
            guard publicKey.count == 32 else { throw .malformedKey("an Ed25519 public key is 32 bytes") }
            self.name = name
            self.publicKey = publicKey
            self.keyHash = SignedNote.keyHash(name: name, key: [SignedNote.ed25519] + publicKey)
        }

        /// Parses `NAME+HASH+KEY` (C2SP's verifier key encoding).
        public init(text: String) throws(NoteError) {
            let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[1].utf8.count == 8, let hash = UInt32(parts[1], radix: 16),
                  parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
                  let key = Data(base64Encoded: String(parts[2])).map(Array.init), key.count == 33, key[0] == SignedNote.ed25519 else {
                throw .malformedKey("a verifier key reads NAME+HASH+KEY with an 8-digit hex hash and a base64 Ed25519 key")
            }
            try self.init(name: String(parts[0]), publicKey: Array(key[1...]))
            guard keyHash == hash else { throw .malformedKey("the verifier key's hash \(parts[1]) does not match its name and key") }
        }

        /// `NAME+HASH+KEY`.
        public var text: String {
            name + "+" + String(format: "%08x", keyHash) + "+" + Data([SignedNote.ed25519] + publicKey).base64EncodedString()
        }

        func verifies(_ message: [UInt8], _ signature: [UInt8]) -> Bool {
            guard let k = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
            return k.isValidSignature(signature, for: message)
        }
    }

    /// A key that signs notes.
    public struct Signer: Sendable {
        public let verifier: Verifier
        let sign: @Sendable ([UInt8]) throws -> [UInt8]

        public init(name: String, publicKey: [UInt8], sign: @escaping @Sendable ([UInt8]) throws -> [UInt8]) throws(NoteError) {
            verifier = try Verifier(name: name, publicKey: publicKey)
            self.sign = sign
        }
    }

    static func keyHash(name: String, key: [UInt8]) -> UInt32 {
        let d = Array(SHA256.hash(data: Array(name.utf8) + [0x0A] + key))
        return UInt32(d[0]) << 24 | UInt32(d[1]) << 16 | UInt32(d[2]) << 8 | UInt32(d[3])
    }

    /// A key name: non-empty UTF-8 without spaces, `+` or control characters.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { !$0.properties.isWhitespace && $0 != "+" && !($0.value < 0x20 || $0.value == 0x7F) }
    }

    /// The note `text` (which must end in a newline) signed by `signer`.
    public static func sign(_ text: String, by signer: Signer) throws -> String {
        guard text.hasSuffix("\n"), isValidText(text) else { throw NoteError.malformedNote("a note's text is UTF-8 lines ending in a newline, without control characters") }
        let sig = try signer.sign(Array(text.utf8))
        let h = signer.verifier.keyHash
        let blob = [UInt8(h >> 24), UInt8(truncatingIfNeeded: h >> 16), UInt8(truncatingIfNeeded: h >> 8), UInt8(truncatingIfNeeded: h)] + sig
        return text + "\n— " + signer.verifier.name + " " + Data(blob).base64EncodedString() + "\n"
    }

    static func isValidText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0 == "\n" || !($0.value < 0x20 || $0.value == 0x7F) }
    }

    /// Opens a signed note: its text, once at least one signature by a known key checks. A signature by an unknown key
    /// is ignored; a signature naming a known key that does not verify is refused, as is a note without a final
    /// newline or a malformed signature line.
    public static func open(_ note: String, verifiers: [Verifier]) throws(NoteError) -> (text: String, signedBy: [Verifier]) {
        guard note.utf8.count <= 1 << 20 else { throw .malformedNote("the note is larger than 1 MiB") }
        guard note.hasSuffix("\n") else { throw .malformedNote("the note does not end with a newline") }
        // The text ends at the last blank line; the signature lines follow it.
        guard let split = note.range(of: "\n\n", options: .backwards) else { throw .malformedNote("the note has no signature block (a blank line, then signatures)") }
        let text = String(note[..<split.lowerBound]) + "\n"
        guard isValidText(text) else { throw .malformedNote("the note's text has control characters") }
        let lines = note[split.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard !lines.isEmpty, lines.count <= 100 else { throw .malformedNote("the note has no signature lines, or too many") }
        var signedBy: [Verifier] = []
        for line in lines {
            guard line.hasPrefix("— ") else { throw .malformedNote("a signature line does not start with '— '") }
            let rest = line.dropFirst(2)
            guard let space = rest.lastIndex(of: " ") else { throw .malformedNote("a signature line has no name") }
            let name = String(rest[..<space])
            guard isValidName(name), let blob = Data(base64Encoded: String(rest[rest.index(after: space)...])).map(Array.init), blob.count >= 5 else {
                throw .malformedNote("a signature line is malformed")
            }
            let hash = UInt32(blob[0]) << 24 | UInt32(blob[1]) << 16 | UInt32(blob[2]) << 8 | UInt32(blob[3])
            guard let v = verifiers.first(where: { $0.name == name && $0.keyHash == hash }) else { continue }  // unknown key
            guard blob.count == 68, v.verifies(Array(text.utf8), Array(blob[4...])) else {
                throw .badSignature("the signature by \(name) does not verify")
            }
            if !signedBy.contains(v) { signedBy.append(v) }
        }
        guard !signedBy.isEmpty else { throw .noKnownSignature("no signature on the note is by a key given to check it (\(verifiers.map(\.name).joined(separator: ", ")))") }
        return (text, signedBy)
    }
}

/// Why a note or verifier key was refused.
public enum NoteError: Error, Equatable, CustomStringConvertible, Sendable {
    case malformedKey(String)
    case malformedNote(String)
    case badSignature(String)
    case noKnownSignature(String)
    case malformedCheckpoint(String)

    public var description: String {
        switch self {
        case .malformedKey(let m): "verifier key refused: \(m)"
        case .malformedNote(let m): "signed note refused: \(m)"
        case .badSignature(let m): "signed note refused: \(m)"
        case .noKnownSignature(let m): "signed note refused: \(m)"
        case .malformedCheckpoint(let m): "checkpoint refused: \(m)"
        }
    }
}
