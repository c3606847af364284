import JSONCore

/// Canonical JSON as the event log stores payloads: keys sorted by their UTF-8 bytes, no insignificant whitespace,
/// strings with minimal escaping, numbers kept as written. Duplicate keys, invalid UTF-8, numbers beyond a
/// `Double`, trailing bytes and nesting deeper than 256 are refused. The work is JSONCore's `JSONCanonical`, built
/// on the package's one JSON recogniser and writer.
public enum CanonicalJSON {
    /// Why a JSON text was refused, with the byte offset.
    public typealias Error = JSONParseError

    /// Returns the canonical form of `bytes`, or throws why it is not valid JSON.
    public static func canonicalize(_ bytes: [UInt8]) throws(Error) -> [UInt8] { try JSONCanonical.canonicalize(bytes) }

    /// True when `bytes` is already canonical.
    public static func isCanonical(_ bytes: [UInt8]) -> Bool { JSONCanonical.isCanonical(bytes) }

    /// True only when `bytes` is valid JSON already in canonical form (the fast path for payloads made by our own
    /// encoder); false tells the caller to run `canonicalize`.
    static func isCanonicalFast(_ bytes: [UInt8]) -> Bool { JSONCanonical.isCanonicalFast(bytes) }
}
