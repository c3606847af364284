// C2SP signed notes and tlog checkpoints: Go's sumdb/note reference vector (golang.org/x/mod, note_test.go) signs
// and opens byte for byte; the edge cases of the signed-note spec are refused (unknown key ignored, known key with a bad
// signature refused, wrong key hash, missing final newline, a size with leading zeros).
import Crypto
import Foundation
import Testing
@testable import AlignmentLedger
import EventLog

@Suite("Signed notes and checkpoints")
struct SignedNoteTests {
    static let peterKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let peterSeed = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"  // base64(0x01 || seed), Go's PRIVATE+KEY
    static let text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let note = text + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    static func peterSigner() throws -> SignedNote.Signer {
        let seed = Array(try #require(Data(base64Encoded: peterSeed)).dropFirst())
        let key = try ActorKey(actor: "peter", seed: seed)
        return try SignedNote.Signer(name: "PeterNeumann", publicKey: key.publicKey.raw) { try key.sign($0) }
    }

    @Test func goReferenceVectorSignsAndOpensByteForByte() throws {
        let v = try SignedNote.Verifier(text: Self.peterKey)
        #expect(v.text == Self.peterKey && v.keyHash == 0xc74f20a3)
        #expect(try SignedNote.open(Self.note, verifiers: [v]).text == Self.text)
        let signer = try Self.peterSigner()
        #expect(signer.verifier == v)
        #expect(try SignedNote.sign(Self.text, by: signer) == Self.note)
    }

    @Test func unknownKeysAreIgnoredAndAKnownKeysBadSignatureIsRefused() throws {
        let v = try SignedNote.Verifier(text: Self.peterKey)
        let other = try ActorKey(generatingFor: "enoch")
        let enoch = try SignedNote.Signer(name: "EnochRoot", publicKey: other.publicKey.raw) { try other.sign($0) }
        // A second signature by a key not given is ignored.
        let cosigned = Self.note + String(try SignedNote.sign(Self.text, by: enoch).split(separator: "\n\n").last!)
        #expect(try SignedNote.open(cosigned, verifiers: [v]).text == Self.text)
        // Only the unknown key: no known signature.
        #expect(throws: NoteError.self) { try SignedNote.open(try SignedNote.sign(Self.text, by: enoch), verifiers: [v]) }
        // The known key with a signature that does not verify (one byte of it changed).
        var bad = Array(Self.note.utf8)
        let at = bad.count - 10
        bad[at] = bad[at] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: NoteError.badSignature("the signature by PeterNeumann does not verify")) {
            try SignedNote.open(String(decoding: bad, as: UTF8.self), verifiers: [v])
        }
        // The text changed under the signature.
        #expect(throws: NoteError.self) { try SignedNote.open(Self.note.replacingOccurrences(of: "problem,", with: "problem;"), verifiers: [v]) }
    }

    @Test func malformedNotesAndKeysAreRefused() throws {
        let v = try SignedNote.Verifier(text: Self.peterKey)
        // Missing final newline.
        #expect(throws: NoteError.self) { try SignedNote.open(String(Self.note.dropLast()), verifiers: [v]) }
        // A key hash that is not the key's (same name): not this key, so no known signature.
        let wrongHash = Self.note.replacingOccurrences(of: "x08go/", with: "x08gp/")
        #expect(throws: NoteError.self) { try SignedNote.open(wrongHash, verifiers: [v]) }
        // No signature block, a line without the em dash.
        #expect(throws: NoteError.self) { try SignedNote.open(Self.text, verifiers: [v]) }
        #expect(throws: NoteError.self) { try SignedNote.open(Self.note.replacingOccurrences(of: "— ", with: "- "), verifiers: [v]) }
        // Verifier keys: a hash that does not match, upper-case hex, another type byte, a name with a space.
        for bad in ["PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                    "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                    "PeterNeumann+c74f20a3+AhpcZQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                    "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "PeterNeumann", ""] {
            #expect(throws: NoteError.self, "\(bad)") { try SignedNote.Verifier(text: bad) }
        }
        // A verifier key whose base64 holds a '+' (transparency-dev/formats' plusKey) parses.
        #expect(try SignedNote.Verifier(text: "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6").name == "TEST")
    }

    @Test func checkpointsParseStrictly() throws {
        let root = Data(repeating: 7, count: 32).base64EncodedString()
        let c = try TreeCheckpoint(text: "align/x\n42\n\(root)\n")
        #expect(c.size == 42 && c.origin == "align/x" && c.text == "align/x\n42\n\(root)\n")
        #expect(try TreeCheckpoint(text: "o\n0\n\(root)\n").size == 0)
        for bad in ["align/x\n042\n\(root)\n", "align/x\n+42\n\(root)\n", "align/x\n42\n\(root)", "align/x\n4 2\n\(root)\n",
                    "align/x\n42\nAAAA\n", "\n42\n\(root)\n", "align/x\n99999999999999999999\n\(root)\n"] {
            #expect(throws: NoteError.self, "\(bad.debugDescription)") { try TreeCheckpoint(text: bad) }
        }
        // A checkpoint signed by a key whose name is not its origin is refused.
        let signer = try Self.peterSigner()
        let note = try SignedNote.sign("align/x\n42\n\(root)\n", by: signer)
        #expect(throws: NoteError.self) { try TreeCheckpoint.open(note, verifiers: [signer.verifier]) }
    }
}
