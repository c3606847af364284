import Foundation

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

extension Signal {
    /// Whether `name` is 1 to 64 letters, digits, '.', '_' or '-': a signal name (`webinar.attended`), and the field
    /// name a criterion reads (`employees`, or the signal it counts).
    public static func isName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }
    }

    /// A signal name is 1 to 64 letters, digits, '.', '_' or '-' (`webinar.attended`).
    public static func checkName(_ name: String) throws(DomainError) {
        guard isName(name) else {
            throw .invalid("signal name \(name.debugDescription) must be 1 to 64 letters, digits, '.', '_' or '-', e.g. \"webinar.attended\"")
        }
    }
}
