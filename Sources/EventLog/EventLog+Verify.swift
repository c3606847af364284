import Foundation

/// What `verify` found.
public struct VerifyReport: Sendable, Equatable {
    /// A problem and the first position it concerns.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var position: UInt64
        public var reason: String
        public var description: String { "position \(position): \(reason)" }
    }

    /// Events checked.
    public var events: UInt64
    /// The head as recorded in the metadata.
    public var head: Checkpoint
    /// The first problem found (nil when the log is sound).
    public var problem: Problem?
    /// True when a checkpoint was given and the log extends it.
    public var checkpointMatched: Bool?

    public var isSound: Bool { problem == nil }
}

extension EventLog {
    /// Walks the whole log and its indexes: every record decodes, every chain hash is recomputed, positions
    /// and stream versions are gapless, the stream and id indexes hold exactly one entry per event, and the
    /// head in the metadata matches the last record. Given `checkpoint`, also proves the log still extends it.
    ///
    /// Memory stays flat in the number of events (it grows only with the number of streams). The indexes are
    /// compared with the log through order-independent digests over sequential walks; only on a mismatch does
    /// a second pass look each entry up to name the first bad position.
    public func verify(checkpoint: Checkpoint? = nil, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> VerifyReport {
        try EventLog.storage { try verifyUnchecked(checkpoint: checkpoint, progress: progress) }
    }

    private func verifyUnchecked(checkpoint: Checkpoint?, progress: ((UInt64, UInt64) -> Void)?) throws -> VerifyReport {
        // Snapshot of metadata and the stream table (one short read each).
        let head = try env.read { r in try Meta.readHead(r) }
        var report = VerifyReport(events: 0, head: head, problem: nil, checkpointMatched: nil)
        func fail(_ position: UInt64, _ reason: String) -> VerifyReport {
            report.problem = .init(position: position, reason: reason)
            if checkpoint != nil { report.checkpointMatched = false }
            return report
        }

        var sidByName: [[UInt8]: UInt32] = [:]
        var lastVersion: [UInt32: UInt64] = [:]
        try scan(env.dbs.streams) { k, v in
            if v.count == 4 { sidByName[Array(k)] = UInt32(bigEndian: v.loadUnaligned(as: UInt32.self)) }
            return true
        }
        var namesProblem: String?
        try scan(env.dbs.streamNames) { k, v in
            guard k.count == 4, sidByName[Array(v)] == UInt32(bigEndian: k.loadUnaligned(as: UInt32.self)) else {
                namesProblem = "the stream table and the stream-name table disagree"
                return false
            }
            return true
        }
        if namesProblem == nil, sidByName.count != (try env.read { r in try r.count(r.dbs.streamNames) }) {
            namesProblem = "the stream table and the stream-name table hold different numbers of streams"
        }

        // Pass 1: the chain, positions, stream versions; digests of what the indexes should hold.
        var expected: UInt64 = 1
        var hash = ChainHash.genesis
        var streamDigest = Digest(), idDigest = Digest()
        var checkpointHash: ChainHash?
        var problem: VerifyReport.Problem?
        try replayRaw(from: 1, through: .max, chunk: 65_536) { pos, v in
            if problem != nil { return }
            guard pos == expected else {
                problem = .init(position: expected, reason: "record \(expected) is missing (the next stored record is \(pos))")
                return
            }
            let bodyLen: Int
            do { bodyLen = try RecordCodec.bodyLength(v) } catch {
                problem = .init(position: pos, reason: "\(error)")
                return
            }
            hash = RecordCodec.chain(previous: hash, position: pos, body: UnsafeRawBufferPointer(rebasing: v[0..<bodyLen]))
            if hash != RecordCodec.storedHash(v) {
                problem = .init(position: pos, reason: "chain hash does not match the record's content (the record was altered, replaced or moved)")
                return
            }
            let name = (try? RecordCodec.streamName(v)).map { Array($0) } ?? []
            guard let sid = sidByName[name] else {
                problem = .init(position: pos, reason: "its stream is missing from the stream table")
                return
            }
            let version = RecordCodec.version(v)
            let prev = lastVersion[sid] ?? 0
            guard version == prev + 1 else {
                problem = .init(position: pos, reason: "stream version \(version) follows version \(prev) (versions must be gapless)")
                return
            }
            lastVersion[sid] = version
            streamDigest.add(Digest.mix(UInt64(sid), version, pos))
            let idb = RecordCodec.idBytes(v)
            idDigest.add(Digest.mix(idb.loadUnaligned(as: UInt64.self), idb.loadUnaligned(fromByteOffset: 8, as: UInt64.self), pos))
            if let c = checkpoint, c.position == pos { checkpointHash = hash }
            expected += 1
            if pos % 65_536 == 0 { progress?(pos, head.position) }
        }
        let count = expected - 1
        report.events = count
        if let problem {
            report.problem = problem
            if checkpoint != nil { report.checkpointMatched = false }
            return report
        }
        progress?(count, head.position)
        if count != head.position {
            return fail(min(count, head.position) + 1, count < head.position
                ? "the metadata's head is at position \(head.position) but the log ends at \(count) (records were removed)"
                : "the log holds \(count) records but the metadata's head says \(head.position)")
        }
        if hash != head.hash { return fail(count, "the metadata's head hash does not match the chain") }
        if let namesProblem { return fail(1, namesProblem) }

        // Pass 2: sequential walks of the indexes, compared by digest.
        var indexStream = Digest(), indexIDs = Digest()
        var streamEntries: UInt64 = 0, idEntries: UInt64 = 0
        var malformed = false
        try scan(env.dbs.streamIndex) { k, v in
            guard k.count == 12, v.count == 8 else { malformed = true; return false }
            indexStream.add(Digest.mix(UInt64(Keys.streamID(k)), Keys.streamVersion(k), UInt64(littleEndian: v.loadUnaligned(as: UInt64.self))))
            streamEntries += 1
            return true
        }
        try scan(env.dbs.ids) { k, v in
            guard k.count == 16, v.count == 8 else { malformed = true; return false }
            indexIDs.add(Digest.mix(k.loadUnaligned(as: UInt64.self), k.loadUnaligned(fromByteOffset: 8, as: UInt64.self), UInt64(littleEndian: v.loadUnaligned(as: UInt64.self))))
            idEntries += 1
            return true
        }
        if malformed || indexStream != streamDigest || indexIDs != idDigest || streamEntries != count || idEntries != count {
            return fail(try firstIndexProblem(count: count, sidByName: sidByName), "an index entry for this event is missing or wrong (stream index: \(streamEntries) entries, id index: \(idEntries), events: \(count)); the indexes can be rebuilt from the log")
        }

        if let c = checkpoint {
            if c.position > count {
                return fail(count + 1, "the log ends at position \(count), before the checkpoint's position \(c.position): it was rolled back or truncated")
            }
            let h = c.position == 0 ? ChainHash.genesis : checkpointHash
            if h != c.hash {
                return fail(c.position, "the hash at the checkpoint's position differs from the checkpoint: the log was rewritten or rolled back")
            }
            report.checkpointMatched = true
        }
        return report
    }

    /// Slow path: looks each event's index entries up to find the first position whose entries are wrong.
    private func firstIndexProblem(count: UInt64, sidByName: [[UInt8]: UInt32]) throws -> UInt64 {
        var first: UInt64?
        try replayRaw(from: 1, through: count, chunk: 65_536) { pos, v in
            if first != nil { return }
            guard let name = try? RecordCodec.streamName(v), let sid = sidByName[Array(name)] else { first = pos; return }
            let ok: Bool = try env.read { r in
                var key = Keys.streamIndex(sid, RecordCodec.version(v))
                let a = try withUnsafeBytes(of: &key) { try r.get(r.dbs.streamIndex, $0) }
                let b = try r.get(r.dbs.ids, RecordCodec.idBytes(v))
                func matches(_ x: UnsafeRawBufferPointer?) -> Bool {
                    x.map { $0.count == 8 && UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) == pos } ?? false
                }
                return matches(a) && matches(b)
            }
            if !ok { first = pos }
        }
        // Every event's entries are right: the indexes hold extra entries. Name the first position they point past.
        return first ?? count + 1
    }

    /// Walks a whole database in chunks of short read transactions; `body` returns false to stop.
    func scan(_ dbi: MDB_dbi_t, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        var resume: [UInt8]? = nil
        while true {
            let next: [UInt8]? = try env.read { r in
                let c = try r.cursor(dbi)
                defer { c.close() }
                var entry = try resume.map { key in try key.withUnsafeBytes { try c.seek($0) } } ?? c.seek(nil)
                if let r = resume, let e = entry, Array(e.key) == r { entry = try c.next() }
                var n = 0
                while let (k, v) = entry {
                    if try !body(k, v) { return nil }
                    n += 1
                    if n == 65_536 { return Array(k) }
                    entry = try c.next()
                }
                return nil
            }
            guard let next else { return }
            resume = next
        }
    }
}

typealias MDB_dbi_t = UInt32

/// An order-independent 128-bit digest of a multiset of entries (two sums of differently mixed 64-bit words).
struct Digest: Equatable {
    var s1: UInt64 = 0
    var s2: UInt64 = 0

    mutating func add(_ m: (UInt64, UInt64)) {
        s1 &+= m.0
        s2 &+= m.1
    }

    @inline(__always) static func splitmix(_ x0: UInt64) -> UInt64 {
        var z = x0 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always) static func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> (UInt64, UInt64) {
        let h1 = splitmix(splitmix(splitmix(a) ^ b) ^ c)
        let h2 = splitmix(splitmix(splitmix(c ^ 0x5555_5555_5555_5555) ^ a) ^ b)
        return (h1, h2)
    }
}
