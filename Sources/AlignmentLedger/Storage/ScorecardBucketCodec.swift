import AlignmentDomain
import AlignmentProjections
import Foundation

extension AlignmentLedger {
    /// A scorecard bucket's row in `rm.scorecard`: its hand-written binary form.
    static func encodeBucket(_ b: Bucket) -> [UInt8] {
        var w = BinaryWriter(capacity: 64)
        b.write(to: &w)
        return w.bytes
    }

    /// The bucket of a `rm.scorecard` row; throws `BinaryError` on bad or trailing bytes.
    static func decodeBucket(_ b: [UInt8]) throws -> Bucket {
        var r = BinaryReader(b)
        let bucket = try Bucket(from: &r)
        guard r.isAtEnd else { throw BinaryError.trailingBytes }
        return bucket
    }
}

/// A bucket's binary form: its counters, then its delays in key order.
extension Bucket: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.array(counts) { $0.int(Int($1)) }
        w.uvarint(UInt64(delays.count))
        for k in delays.keys.sorted() { w.int(Int(k)); w.int(Int(delays[k]!)) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init()
        let c = try r.array { Int64(try $0.int()) }
        for (i, v) in c.enumerated() where i < counts.count { counts[i] = v }
        let n = try r.count()
        delays.reserveCapacity(n)
        for _ in 0..<n { delays[Int64(try r.int())] = Int64(try r.int()) }
    }
}
