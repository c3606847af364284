extension AlignmentLedger {
    /// The key of the checkpoints in `rm.projections`.
    static let checkpointsKey = Array("checkpoints".utf8)

    /// Checkpoints are kept as `name:version:position` separated by `;`.
    static func readCheckpoints(_ get: ([UInt8]) throws -> [UInt8]?) throws -> [ProjectionName: (version: Int, position: UInt64)] {
        guard let b = try get(checkpointsKey) else { return [:] }
        return parseCheckpointsFast(b) ?? parseCheckpoints(b)
    }

    /// The general reading: parts that do not parse are left out.
    static func parseCheckpoints(_ b: [UInt8]) -> [ProjectionName: (version: Int, position: UInt64)] {
        var out: [ProjectionName: (Int, UInt64)] = [:]
        for part in String(decoding: b, as: UTF8.self).split(separator: ";") {
            let f = part.split(separator: ":")
            if f.count == 3, let n = ProjectionName(rawValue: String(f[0])), let v = Int(f[1]), let p = UInt64(f[2]) { out[n] = (v, p) }
        }
        return out
    }

    /// The checkpoints as written (`encodeCheckpoints`: known names, plain decimal digits), read from the bytes without
    /// making strings; nil for anything else, which `parseCheckpoints` reads. Every signed command reads them twice in
    /// the writer: the general reading was about 13 % of the writer thread's samples (`align-bench serve-floor`).
    static func parseCheckpointsFast(_ b: [UInt8]) -> [ProjectionName: (version: Int, position: UInt64)]? {
        var out: [ProjectionName: (Int, UInt64)] = [:]
        var i = 0
        let n = b.count
        func digits(_ i: inout Int, until end: UInt8) -> UInt64? {
            var v: UInt64 = 0
            let start = i
            while i < n, b[i] != end {
                let d = b[i] &- 48
                guard d < 10, i - start < 19 else { return nil }  // 19 digits always fit in a UInt64
                v = v * 10 + UInt64(d)
                i += 1
            }
            return i > start ? v : nil
        }
        while i < n {
            var name: ProjectionName?
            for p in ProjectionName.allCases {
                let raw = p.rawValue.utf8
                if n - i > raw.count, b[i + raw.count] == UInt8(ascii: ":"), b[i..<(i + raw.count)].elementsEqual(raw) {
                    name = p
                    i += raw.count + 1
                    break
                }
            }
            guard let name, let v = digits(&i, until: UInt8(ascii: ":")), v <= UInt64(Int.max), i < n else { return nil }
            i += 1
            guard let p = digits(&i, until: UInt8(ascii: ";")) else { return nil }
            if i < n { i += 1; if i == n { return nil } }  // a separator, then another part
            out[name] = (Int(v), p)
        }
        return out.isEmpty ? nil : out
    }

    /// The checkpoints as kept.
    static func encodeCheckpoints(_ c: [ProjectionName: (version: Int, position: UInt64)]) -> [UInt8] {
        Array(c.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue):\($0.value.version):\($0.value.position)" }.joined(separator: ";").utf8)
    }
}
