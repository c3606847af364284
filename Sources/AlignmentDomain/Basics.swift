import Foundation

/// What an actor may do. `viewer` reads only.
public enum Role: String, Codable, CaseIterable, Sendable, Comparable {
    case marketing, sales, revops, viewer
    public static func < (a: Role, b: Role) -> Bool { a.rawValue < b.rawValue }
}

/// The rules revops keeps. Changed only through `PolicyChanged` events, so its history is audited too.
public struct Policy: Codable, Equatable, Sendable {
    /// Sales sign-offs a definition version needs before activation.
    public var quorum: Int = 1
    /// Hours sales has to accept a handed-off lead.
    public var slaHours: Int = 24
    /// Handoffs must carry at least one behavioural signal.
    public var requireContext: Bool = true
    /// Campaigns must have an approving sales review of their latest draft before launch.
    public var requireCampaignReview: Bool = true

    public init() {}
}

/// Buy-cycle stages that content is planned for.
public enum Stage: String, Codable, CaseIterable, Sendable {
    case awareness, consideration, decision, onboarding, expansion
}

/// Why sales rejected a lead.
public enum RejectionReason: String, Codable, CaseIterable, Sendable {
    case notICP = "not-icp", badTiming = "bad-timing", noBudget = "no-budget", duplicate
    case insufficientContext = "insufficient-context", noResponse = "no-response", other
}

/// A behavioural signal carried by a handoff: what the prospect did, and when.
public struct Signal: Codable, Equatable, Sendable {
    public var name: String
    public var at: Date
    public var detail: String?

    public init(name: String, at: Date, detail: String? = nil) {
        self.name = name
        self.at = at
        self.detail = detail
    }
}

/// A forced step: who may, and why. Recorded in the event; the scorecard counts it as a miss.
public struct Override: Codable, Equatable, Sendable {
    public var reason: String
    /// The rule that would have refused the step.
    public var rule: String

    public init(reason: String, rule: String) {
        self.reason = reason
        self.rule = rule
    }
}

/// The stream an entity's events live in.
public enum StreamName {
    public static let ledger = "ledger"
    public static func definition(_ id: String) -> String { "definition/" + id }
    public static func campaign(_ id: String) -> String { "campaign/" + id }
    public static func lead(_ id: String) -> String { "lead/" + id }
    public static func content(_ id: String) -> String { "content/" + id }
}

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
