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
    /// hashed delay histograms only to add them up (perf record, 2026-12-07). Open leads are left out.
    static func addBucket(_ b: [UInt8], into sum: inout Bucket, delays: Bool) throws {
        var s = ScorecardTally.Sum()
        s.bucket = sum
        try addBucket(b, into: &s, ScorecardTally.Needs(delays: delays, open: false, day: 0, aging: nil))
        sum = s.bucket
    }

    /// Adds the bucket of a `rm.scorecard` row into `sum` as it decodes, with what `needs` asks for (delays, open leads
    /// aged by the row's day); checks the whole row either way.
    static func addBucket(_ b: [UInt8], into sum: inout ScorecardTally.Sum, _ needs: ScorecardTally.Needs) throws {
        var r = BinaryReader(b)
        let n = try r.count()
        for i in 0..<n {
            let v = Int64(try r.int())
            if let c = Counter(rawValue: i) { sum.bucket[c] += v }
        }
        let d = try r.count()
        if needs.delays {
            for _ in 0..<d { sum.bucket.delays[Int64(try r.int()), default: 0] += Int64(try r.int()) }
        } else {
            for _ in 0..<(2 * d) { _ = try r.int() }
        }
        let o = try r.count()
        var previous = -1
        for _ in 0..<o {
            let minute = try openMinute(&r, after: previous)
            previous = minute
            let count = Int64(try r.int())
            if needs.open { sum.addOpen(minute: Int64(minute), count: count, needs) }
        }
        guard r.isAtEnd else { throw BinaryError.trailingBytes }
    }

    /// A minute of the day of an open entry, after `previous` (entries are in minute order, each minute once).
    fileprivate static func openMinute(_ r: inout BinaryReader, after previous: Int) throws -> Int {
        let m = try r.uvarint()
        guard m < 1440, Int(m) > previous else { throw BinaryError("open leads at minute \(m) after minute \(previous)") }
        return Int(m)
    }
}

/// A bucket's binary form: its counters, then its delays in key order, then its open leads in minute order.
extension Bucket: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.array(counts) { $0.int(Int($1)) }
        w.uvarint(UInt64(delays.count))
        for (k, v) in delays.sorted(by: { $0.key < $1.key }) { w.int(Int(k)); w.int(Int(v)) }
        let open = open.nonZero
        w.uvarint(UInt64(open.count))
        for e in open { w.uvarint(UInt64(e.minute)); w.int(Int(e.count)) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init()
        let c = try r.array { Int64(try $0.int()) }
        for (i, v) in c.enumerated() where i < counts.count { counts[i] = v }
        let n = try r.count()
        delays.reserveCapacity(n)
        for _ in 0..<n { delays[Int64(try r.int())] = Int64(try r.int()) }
        let o = try r.count()
        var entries: [OpenMinutes.Entry] = []
        entries.reserveCapacity(o)
        var previous = -1
        for _ in 0..<o {
            let minute = try AlignmentLedger.openMinute(&r, after: previous)
            previous = minute
            entries.append(OpenMinutes.Entry(minute: Int32(minute), count: Int32(truncatingIfNeeded: try r.int())))
        }
        open = OpenMinutes(entries)
    }
}
