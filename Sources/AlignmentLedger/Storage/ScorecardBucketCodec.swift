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

extension AlignmentLedger {
    /// Adds the bucket of a `rm.scorecard` row into `sum` as it decodes (the delays only when `delays`), without
    /// building the row's own bucket: half of the work of `align scorecard` on a 1M-event ledger was building
    /// hashed delay histograms only to add them up (perf record, 2026-12-07).
    static func addBucket(_ b: [UInt8], into sum: inout Bucket, delays: Bool) throws {
        var r = BinaryReader(b)
        let n = try r.count()
        for i in 0..<n {
            let v = Int64(try r.int())
            if let c = Counter(rawValue: i) { sum[c] += v }
        }
        let d = try r.count()
        if delays {
            for _ in 0..<d { sum.delays[Int64(try r.int()), default: 0] += Int64(try r.int()) }
        } else {
            for _ in 0..<(2 * d) { _ = try r.int() }
        }
        guard r.isAtEnd else { throw BinaryError.trailingBytes }
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
