import EventLog
import Foundation

/// A signed tree head in the C2SP `tlog-checkpoint` format: the note text `ORIGIN\nSIZE\nBASE64(ROOT)\n` (extension
/// lines may follow; none are written), signed by the ledger's log key as a C2SP signed note.
public struct TreeCheckpoint: Equatable, Sendable {
    /// The log's name, chosen at `init` (default `align/<ledger id>`).
    public var origin: String
    /// The number of events the tree covers.
    public var size: UInt64
    /// The tree's root (RFC 9162).
    public var root: ChainHash
    /// The signed note, as signed (empty for a head not yet signed).
    public var note: String

    public init(origin: String, size: UInt64, root: ChainHash, note: String = "") {
        self.origin = origin
        self.size = size
        self.root = root
        self.note = note
    }

    /// The note's text.
    public var text: String { origin + "\n" + String(size) + "\n" + Data(root.bytes).base64EncodedString() + "\n" }

    /// Parses a checkpoint's text (strictly: a size in decimal without leading zeros, a 32-byte base64 root).
    public init(text: String, note: String = "") throws(NoteError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard text.hasSuffix("\n"), lines.count >= 4, let origin = lines.first, !origin.isEmpty else {
            throw .malformedCheckpoint("a checkpoint reads ORIGIN, SIZE and ROOT, one per line")
        }
        let sizeText = lines[1]
        guard !sizeText.isEmpty, sizeText.allSatisfy({ $0.isASCII && $0.isNumber }), sizeText == "0" || !sizeText.hasPrefix("0"),
              let size = UInt64(sizeText), size < 1 << 63 else {
            throw .malformedCheckpoint("the size '\(sizeText)' is not a decimal number without leading zeros")
        }
        guard let rootBytes = Data(base64Encoded: String(lines[2])).map(Array.init), let root = ChainHash(bytes: rootBytes) else {
            throw .malformedCheckpoint("the root is not 32 bytes of base64")
        }
        self.init(origin: String(origin), size: size, root: root, note: note)
    }

    /// Opens a signed checkpoint note with `verifiers` (the log's key); its origin must be the key's name.
    public static func open(_ note: String, verifiers: [SignedNote.Verifier]) throws(NoteError) -> TreeCheckpoint {
        let (text, signers) = try SignedNote.open(note, verifiers: verifiers)
        let c = try TreeCheckpoint(text: text, note: note)
        guard signers.contains(where: { $0.name == c.origin }) else {
            throw .malformedCheckpoint("the checkpoint's origin '\(c.origin)' is not the name of the key that signed it")
        }
        return c
    }
}
