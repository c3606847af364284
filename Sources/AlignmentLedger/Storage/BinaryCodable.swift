/// Why kept bytes could not be read (the read model is rebuilt from the log).
public struct BinaryError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ d: String) { description = "malformed binary read model: " + d }

    public static func unknownLayout(_ b: UInt8) -> BinaryError { BinaryError("unknown layout \(b)") }
    public static func unknownKind(_ b: UInt8) -> BinaryError { BinaryError("unknown kind \(b)") }
    public static let trailingBytes = BinaryError("bytes left over after the value")
}

/// A type with a hand-written binary form.
public protocol BinaryCodable {
    func write(to w: inout BinaryWriter)
    init(from r: inout BinaryReader) throws
}
