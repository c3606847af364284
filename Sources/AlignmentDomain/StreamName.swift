/// The stream an entity's events live in.
public enum StreamName {
    public static let ledger = "ledger"
    public static func definition(_ id: String) -> String { "definition/" + id }
    public static func campaign(_ id: String) -> String { "campaign/" + id }
    public static func lead(_ id: String) -> String { "lead/" + id }
    public static func content(_ id: String) -> String { "content/" + id }
}
