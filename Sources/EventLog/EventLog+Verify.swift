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
    /// The head: the last record's position and hash.
    public var head: Checkpoint
    /// The first problem found (nil when the log is sound).
    public var problem: Problem?
    /// True when a checkpoint was given and the log extends it.
    public var checkpointMatched: Bool?

    public var isSound: Bool { problem == nil }
}

extension EventLog {
    /// Walks the whole log and its indexes: every record decodes, every chain hash is recomputed, positions
    /// and stream versions are gapless, and the stream and id indexes hold exactly one entry per indexed event
    /// (none for the unindexed tail). Given `checkpoint`, also proves the log still extends it: records removed
    /// from the end are caught by the indexes when they were indexed, and otherwise only by a checkpoint.
    ///
    /// Memory stays flat in the number of events (it grows only with the number of streams). The indexes are
    /// compared with the log through order-independent digests over sequential walks; only on a mismatch does
    /// a second pass look each entry up to name the first bad position.
    public func verify(checkpoint: Checkpoint? = nil, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> VerifyReport {
        // The indexes are walked in short read transactions. An index pass that commits meanwhile (appends
        // reaching the tail limit) makes them hold entries the walk of the log did not count: walk again.
        for _ in 0..<5 {
            do { return try EventLog.storage { try verifyUnchecked(checkpoint: checkpoint, progress: progress) } } catch is IndexedMoved {
                continue
            }
        }
        throw EventLogError.storage("the log's indexes kept changing while it was being verified (appends are running); verify again when they pause")
    }

    /// Thrown by a walk whose indexes were extended by an index pass while it ran.
    private struct IndexedMoved: Error {}

    private func verifyUnchecked(checkpoint: Checkpoint?, progress: ((UInt64, UInt64) -> Void)?) throws -> VerifyReport {
        // Snapshot of metadata and the stream table (one short read each).
        let (head, indexed) = try env.read { r in (try Meta.readHead(r), try Meta.readIndexed(r)) }
        var report = VerifyReport(events: 0, head: head, problem: nil, checkpointMatched: nil)
        func fail(_ position: UInt64, _ reason: String) -> VerifyReport {
            report.problem = .init(position: position, reason: reason)
            if checkpoint != nil { report.checkpointMatched = false }
            return report
        }

        var sidByName = StreamTable()
        var maxSid: UInt32 = 0
        try scan(env.dbs.streams) { k, v in
            if v.count == 4 {
                let sid = UInt32(bigEndian: v.loadUnaligned(as: UInt32.self))
                sidByName.set(k, sid: sid)
                maxSid = max(maxSid, sid)
            }
            return true
        }
        if Int(maxSid) > sidByName.count {
            return fail(1, "the stream table holds stream id \(maxSid) but only \(sidByName.count) streams (ids are numbered from 1)")
        }
        // The last version seen of each stream, by stream id (ids are dense from 1).
        var lastVersion = [UInt64](repeating: 0, count: Int(maxSid) + 1)
        var namesProblem: String?
        try scan(env.dbs.streamNames) { k, v in
            guard k.count == 4, sidByName.sid(v) == UInt32(bigEndian: k.loadUnaligned(as: UInt32.self)) else {
                namesProblem = "the stream table and the stream-name table disagree"
                return false
            }
            return true
        }
        if namesProblem == nil, sidByName.count != (try env.read { r in try r.count(r.dbs.streamNames) }) {
            namesProblem = "the stream table and the stream-name table hold different numbers of streams"
        }

        // Pass 2 (the indexes, digested) runs on its own thread beside pass 1: it needs nothing from it.
        let indexes = IndexDigests()
        let indexesDone = DispatchSemaphore(value: 0)
        let walker = Thread { [self] in
            indexes.compute(self)
            indexesDone.signal()
        }
        walker.start()
        defer { if !indexes.joined { indexesDone.wait() } }

        // Pass 1: the chain, positions, stream versions; digests of what the indexes should hold.
        var expected: UInt64 = 1
        var hash = ChainHash.genesis
        var streamDigest = Digest(), idDigest = Digest()
        var checkpointHash: ChainHash?
        var problem: VerifyReport.Problem?
        try replayRaw(from: 1, through: head.position) { pos, v in
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
            let name = (try? RecordCodec.streamName(v)) ?? UnsafeRawBufferPointer(start: nil, count: 0)
            var found = sidByName.sid(name)
            if found == nil, pos > indexed {
                // A stream first seen in the unindexed tail: not in the stream table yet; number it after the others.
                lastVersion.append(0)
                found = UInt32(lastVersion.count - 1)
                sidByName.set(name, sid: found!)
            }
            guard let sid = found else {
                problem = .init(position: pos, reason: "its stream is missing from the stream table")
                return
            }
            let version = RecordCodec.version(v)
            let prev = lastVersion[Int(sid)]
            guard version == prev + 1 else {
                problem = .init(position: pos, reason: "stream version \(version) follows version \(prev) (versions must be gapless)")
                return
            }
            lastVersion[Int(sid)] = version
            if pos <= indexed {
                streamDigest.add(Digest.mix(UInt64(sid), version, pos))
                let idb = RecordCodec.idBytes(v)
                idDigest.add(Digest.mix(idb.loadUnaligned(as: UInt64.self), idb.loadUnaligned(fromByteOffset: 8, as: UInt64.self), pos))
            }
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
        if count != head.position || hash != head.hash {
            return fail(count + 1, "the log changed while it was being verified (head \(head), walked \(count) records)")
        }
        if indexed > count {
            return fail(count + 1, "the indexes cover positions up to \(indexed) but the log ends at \(count) (records were removed)")
        }
        if let namesProblem { return fail(1, namesProblem) }

        // Pass 2's result.
        indexesDone.wait()
        indexes.joined = true
        if let e = indexes.error { throw e }
        let (indexStream, indexIDs, streamEntries, idEntries, malformed) =
            (indexes.stream, indexes.ids, indexes.streamEntries, indexes.idEntries, indexes.malformed)
        if malformed || indexStream != streamDigest || indexIDs != idDigest || streamEntries != indexed || idEntries != indexed {
            if try env.read({ r in try Meta.readIndexed(r) }) != indexed { throw IndexedMoved() }
            return fail(try firstIndexProblem(count: indexed, sidByName: sidByName), "an index entry for this event is missing or wrong (stream index: \(streamEntries) entries, id index: \(idEntries), indexed events: \(indexed)); the indexes can be rebuilt from the log")
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
    private func firstIndexProblem(count: UInt64, sidByName: StreamTable) throws -> UInt64 {
        var first: UInt64?
        try replayRaw(from: 1, through: count, chunk: 65_536) { pos, v in
            if first != nil { return }
            guard let name = try? RecordCodec.streamName(v), let sid = sidByName.sid(name) else { first = pos; return }
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

    /// Walks a whole database in chunks of short read transactions; `body` returns false to stop. Lets go of the
    /// map after each chunk: an index's leaf pages lie scattered through the file, and the kernel maps sixteen
    /// neighbouring pages with each one it faults in, so a scan maps far more than the bytes it reads.
    func scan(_ dbi: MDB_dbi_t, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        var resume: [UInt8]? = nil
        while true {
            defer { env.releaseMappedPages() }
            let next: [UInt8]? = try env.read { r in
                let c = try r.cursor(dbi)
                defer { c.close() }
                var entry = try resume.map { key in try key.withUnsafeBytes { try c.seek($0) } } ?? c.seek(nil)
                if let r = resume, let e = entry, Array(e.key) == r { entry = try c.next() }
                var n = 0
                while let (k, v) = entry {
                    if try !body(k, v) { return nil }
                    n += 1
                    if n == 16_384 { return Array(k) }
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

/// Digests of the stream and id indexes, computed on the verifier's second thread.
///
/// `@unchecked Sendable`: written only by that thread before it signals, read only after the verifier has waited.
final class IndexDigests: @unchecked Sendable {
    var stream = Digest(), ids = Digest()
    var streamEntries: UInt64 = 0, idEntries: UInt64 = 0
    var malformed = false
    var error: Error?
    var joined = false

    func compute(_ log: EventLog) {
        do {
            try log.scan(log.env.dbs.streamIndex) { k, v in
                guard k.count == 12, v.count == 8 else { malformed = true; return false }
                stream.add(Digest.mix(UInt64(Keys.streamID(k)), Keys.streamVersion(k), UInt64(littleEndian: v.loadUnaligned(as: UInt64.self))))
                streamEntries += 1
                return true
            }
            try log.scan(log.env.dbs.ids) { k, v in
                guard k.count == 16, v.count == 8 else { malformed = true; return false }
                ids.add(Digest.mix(k.loadUnaligned(as: UInt64.self), k.loadUnaligned(fromByteOffset: 8, as: UInt64.self), UInt64(littleEndian: v.loadUnaligned(as: UInt64.self))))
                idEntries += 1
                return true
            }
        } catch {
            self.error = error
        }
    }
}

/// Stream name -> stream id, for `verify`: open addressing over one byte arena, so that looking a record's stream
/// name up allocates nothing (a `[[UInt8]: UInt32]` dictionary copied and hashed the name byte by byte per event).
/// Behaves as that dictionary did: setting a name again replaces its id.
struct StreamTable {
    private var arena: [UInt8] = []
    private var offsets: [Int] = []
    private var lengths: [Int] = []
    private var sids: [UInt32] = []
    private var hashes: [UInt64] = []
    /// Entry index + 1 per slot; 0 is empty.
    private var slots: [Int32] = [Int32](repeating: 0, count: 64)

    /// Number of distinct names.
    var count: Int { sids.count }

    @inline(__always) static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(p.count)
        var i = 0
        while i + 8 <= p.count {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < p.count {
            tail |= UInt64(p[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }

    @inline(__always) private func equals(_ e: Int, _ p: UnsafeRawBufferPointer) -> Bool {
        guard lengths[e] == p.count else { return false }
        if p.count == 0 { return true }
        return arena.withUnsafeBytes { a in memcmp(a.baseAddress! + offsets[e], p.baseAddress!, p.count) == 0 }
    }

    /// The entry holding `p`, or the empty slot where it would go.
    @inline(__always) private func find(_ p: UnsafeRawBufferPointer, _ h: UInt64) -> (slot: Int, entry: Int?) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = Int(slots[i])
            if s == 0 { return (i, nil) }
            if hashes[s - 1] == h, equals(s - 1, p) { return (i, s - 1) }
            i = (i + 1) & mask
        }
    }

    func sid(_ name: UnsafeRawBufferPointer) -> UInt32? {
        find(name, StreamTable.hash(name)).entry.map { sids[$0] }
    }

    mutating func set(_ name: UnsafeRawBufferPointer, sid: UInt32) {
        let h = StreamTable.hash(name)
        let (slot, entry) = find(name, h)
        if let e = entry { sids[e] = sid; return }
        offsets.append(arena.count)
        lengths.append(name.count)
        arena.append(contentsOf: name)
        sids.append(sid)
        hashes.append(h)
        slots[slot] = Int32(sids.count)
        if sids.count * 2 > slots.count { grow() }
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for e in 0..<sids.count {
            var i = Int(truncatingIfNeeded: hashes[e]) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = Int32(e + 1)
        }
    }
}

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
