/// Records' stored bytes copied out of a transaction into one buffer: decoding them (`events()`) can then happen
/// on another thread.
public struct StoredRecords: Sendable {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    /// The positions of the records, in order.
    public private(set) var positions: [UInt64] = []

    /// No records.
    public init() {}

    /// Number of records.
    public var count: Int { positions.count }
    /// True when there are no records.
    public var isEmpty: Bool { positions.isEmpty }

    package mutating func append(position: UInt64, _ record: UnsafeRawBufferPointer) {
        if bytes.isEmpty { bytes.reserveCapacity(record.count * 4096) }
        bytes.append(contentsOf: record)
        ends.append(bytes.count)
        positions.append(position)
    }

    /// The decoded envelopes; a malformed record throws `EventLogError.corrupt` naming its position.
    public func events() throws -> [RecordedEvent] {
        try bytes.withUnsafeBytes { b in
            var out: [RecordedEvent] = []
            out.reserveCapacity(count)
            var start = 0
            for (i, end) in ends.enumerated() {
                out.append(try RecordCodec.decodeStored(position: positions[i], UnsafeRawBufferPointer(rebasing: b[start..<end])))
                start = end
            }
            return out
        }
    }
}
