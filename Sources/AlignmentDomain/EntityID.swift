import Foundation

/// Checks an entity or actor id: 1 to 100 characters of letters, digits, '-', '_', '.', '@', printable and in
/// composed form (NFC). An id names a stream and is printed bare in every view, so it may hold nothing a terminal
/// acts on or hides (controls, bidi controls, zero-width and other invisible characters), nor start with a
/// combining mark (which would draw itself over the character printed before it).
func checkID(_ id: String, _ what: String) throws(DomainError) {
    let rule = "use 1 to 100 letters, digits, '-', '_', '.' or '@'"
    guard !id.isEmpty, id.utf8.count <= 100 else { throw .invalid("\(what) id \(SafeText.quoted(id)) is not valid: \(rule)") }
    if asciiIDCheck(id) == true { return }
    if let bad = id.unicodeScalars.first(where: SafeText.isHidden) {
        throw .invalid("\(what) id \(SafeText.quoted(id)) is not valid: it holds \(SafeText.describe(bad)); \(rule)")
    }
    let ok = id.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.@".unicodeScalars.contains($0) }
    if !ok { throw .invalid("\(what) id \(SafeText.quoted(id)) is not valid: \(rule)") }
    // Letters that show nothing (Hangul fillers, the combining grapheme joiner, variation selectors) would make two
    // ids look the same.
    if let bad = id.unicodeScalars.first(where: { $0.properties.isDefaultIgnorableCodePoint }) {
        throw .invalid("\(what) id \(spelled(id)) is not valid: it holds U+\(hex(bad)) (an invisible character); \(rule)")
    }
    if let first = id.unicodeScalars.first, isMark(first) {
        throw .invalid("\(what) id \(spelled(id)) is not valid: it starts with a combining mark (U+\(hex(first))); \(rule)")
    }
    // Ids name streams, which the log tells apart by their bytes. Two spellings of one text ("é" as one character
    // or as "e" and an accent) would be two entities there but one in Swift's `==`: only the composed form (Unicode
    // normal form C, which every such text has exactly one of) is accepted.
    if Array(id.precomposedStringWithCanonicalMapping.utf8) != Array(id.utf8) {
        throw .invalid("\(what) id \(spelled(id)) is not in composed form (Unicode NFC); write it as \(spelled(id.precomposedStringWithCanonicalMapping))")
    }
}

/// An id with its non-ASCII characters as code points: two spellings that look the same on a terminal differ here.
private func spelled(_ t: String) -> String {
    "\"" + t.unicodeScalars.map { $0.isASCII ? String($0) : "\\u{\(hex($0))}" }.joined() + "\""
}

private func hex(_ s: Unicode.Scalar) -> String { String(s.value, radix: 16, uppercase: true) }

private func isMark(_ s: Unicode.Scalar) -> Bool {
    switch s.properties.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark: true
    default: false
    }
}

/// The id rule for all-ASCII ids without Foundation (ASCII letters and digits are exactly the ASCII members of
/// `CharacterSet.alphanumerics`); nil when `id` has non-ASCII characters.
@inline(__always)
private func asciiIDCheck(_ id: String) -> Bool? {
    var ok = true
    for b in id.utf8 {
        if b >= 0x80 { return nil }
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "@"):
            continue
        default:
            ok = false
        }
    }
    return ok
}
