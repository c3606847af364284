import Foundation

/// Checks an entity or actor id: 1 to 100 characters of letters, digits, '-', '_', '.', '@'.
func checkID(_ id: String, _ what: String) throws(DomainError) {
    let ok = !id.isEmpty && id.utf8.count <= 100 && (asciiIDCheck(id) ?? id.unicodeScalars.allSatisfy {
        CharacterSet.alphanumerics.contains($0) || "-_.@".unicodeScalars.contains($0)
    })
    if !ok {
        throw .invalid("\(what) id \(id.debugDescription) is not valid: use 1 to 100 letters, digits, '-', '_', '.' or '@'")
    }
    // Ids name streams, which the log tells apart by their bytes. Two spellings of one text ("é" as one character
    // or as "e" and an accent) would be two entities there but one in Swift's `==`: only the composed form (Unicode
    // normal form C, which every such text has exactly one of) is accepted.
    if !id.utf8.allSatisfy({ $0 < 0x80 }), Array(id.precomposedStringWithCanonicalMapping.utf8) != Array(id.utf8) {
        // Both spellings look the same on a terminal: show their code points.
        func spelled(_ t: String) -> String {
            "\"" + t.unicodeScalars.map { $0.isASCII ? String($0) : "\\u{\(String($0.value, radix: 16, uppercase: true))}" }.joined() + "\""
        }
        throw .invalid("\(what) id \(spelled(id)) is not in composed form (Unicode NFC); write it as \(spelled(id.precomposedStringWithCanonicalMapping))")
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
