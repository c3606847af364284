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
