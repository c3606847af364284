import JSONCore

/// The one JSON writer of every front-end response: canonical JSON (keys sorted, dates ISO 8601) through JSONCore.
public enum LedgerJSON {
    /// The canonical JSON bytes of `value`.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try JSONValueEncoder().encodeCanonical(value)
    }
}
