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
