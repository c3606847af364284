/// Limits checked before anything is written.
public enum Limits {
    /// Longest stream name, in UTF-8 bytes.
    public static let maxStreamNameBytes = 200
    /// Longest event type name, in UTF-8 bytes.
    public static let maxTypeNameBytes = 100
    /// Longest actor, in UTF-8 bytes.
    public static let maxActorBytes = 200
    /// Largest payload, in bytes (1 MiB).
    public static let maxPayloadBytes = 1 << 20
    /// Largest signature, in bytes.
    public static let maxSignatureBytes = 4096
    /// Most events in one append.
    public static let maxEventsPerAppend = 1_000_000

    package static func hasControlCharacters(_ s: String) -> Bool {
        s.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    package static func checkStream(_ name: String) throws(EventLogError) {
        let n = name.utf8.count
        if n == 0 { throw .invalidInput("stream name is empty; give a name such as 'lead/L-1'") }
        if n > maxStreamNameBytes { throw .invalidInput("stream name of \(n) bytes is longer than the limit of \(maxStreamNameBytes) bytes") }
        if hasControlCharacters(name) { throw .invalidInput("stream name \(name.debugDescription) contains control characters") }
    }

    package static func checkType(_ type: String) throws(EventLogError) {
        let n = type.utf8.count
        if n == 0 || n > maxTypeNameBytes {
            throw .invalidInput("event type name must be 1 to \(maxTypeNameBytes) bytes, got \(n)")
        }
        let ok = type.utf8.allSatisfy { c in
            (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 46 || c == 95 || c == 45
        }
        if !ok { throw .invalidInput("event type \(type.debugDescription) may only use letters, digits, '.', '_' and '-'") }
    }

    package static func checkActor(_ actor: String) throws(EventLogError) {
        let n = actor.utf8.count
        if n == 0 || n > maxActorBytes { throw .invalidInput("actor must be 1 to \(maxActorBytes) bytes, got \(n)") }
        if hasControlCharacters(actor) { throw .invalidInput("actor \(actor.debugDescription) contains control characters") }
    }
}
