/// What an actor may do. `viewer` reads only.
public enum Role: String, Codable, CaseIterable, Sendable, Comparable {
    case marketing, sales, revops, viewer
    public static func < (a: Role, b: Role) -> Bool { a.rawValue < b.rawValue }
}
