extension AlignmentLedger {
    /// The key of the checkpoints in `rm.projections`.
    static let checkpointsKey = Array("checkpoints".utf8)

    /// Checkpoints are kept as `name:version:position` separated by `;`.
    static func readCheckpoints(_ get: ([UInt8]) throws -> [UInt8]?) throws -> [ProjectionName: (version: Int, position: UInt64)] {
        guard let b = try get(checkpointsKey) else { return [:] }
        var out: [ProjectionName: (Int, UInt64)] = [:]
        for part in String(decoding: b, as: UTF8.self).split(separator: ";") {
            let f = part.split(separator: ":")
            if f.count == 3, let n = ProjectionName(rawValue: String(f[0])), let v = Int(f[1]), let p = UInt64(f[2]) { out[n] = (v, p) }
        }
        return out
    }

    /// The checkpoints as kept.
    static func encodeCheckpoints(_ c: [ProjectionName: (version: Int, position: UInt64)]) -> [UInt8] {
        Array(c.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue):\($0.value.version):\($0.value.position)" }.joined(separator: ";").utf8)
    }
}
