/// The expected version of a stream for an append.
public enum ExpectedVersion: Hashable, Sendable, CustomStringConvertible {
    /// Append whatever the stream's version.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream's current version must be exactly this (its last event's version).
    case exact(UInt64)

    /// `any`, `no stream` or `version N`.
    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .exact(let v): "version \(v)"
        }
    }
}
