internal import CLMDB
import EventLog
import Foundation

extension LMDBStore {
    /// Walks the whole log and its indexes: every record decodes, every chain hash is recomputed, positions
    /// and stream versions are gapless, the stream and id indexes hold exactly one entry per indexed event
    /// (none for the unindexed tail), and no tail event repeats an id stored before it. Given `checkpoint`, also
    /// proves the log still extends it: records removed from the end are caught by the indexes when they were
    /// indexed, and otherwise only by a checkpoint.
    ///
    /// Memory stays flat in the number of events (it grows only with the number of streams, and with the tail's
    /// ids). The indexes are compared with the log through order-independent digests over sequential walks; only
    /// on a mismatch does a second pass look each entry up to name the first bad position.
    func verify(checkpoint: Checkpoint?, progress: ((UInt64, UInt64) -> Void)?) throws -> VerifyReport {
        // The indexes are walked in short read transactions. An index pass that commits meanwhile (appends
        // reaching the tail limit) makes them hold entries the walk of the log did not count: walk again.
        for _ in 0..<5 {
            do { return try LMDBStore.storage { try verifyUnchecked(checkpoint: checkpoint, progress: progress) } } catch is IndexedMoved {
                continue
            }
        }
        throw EventLogError.storage("the log's indexes kept changing while it was being verified (appends are running); verify again when they pause")
    }

    /// Thrown by a walk whose indexes were extended by an index pass while it ran.
    private struct IndexedMoved: Error {}

    private func verifyUnchecked(checkpoint: Checkpoint?, progress: ((UInt64, UInt64) -> Void)?) throws -> VerifyReport {
        // Snapshot of metadata and the stream table (one short read each).
        // The tree's size in the same snapshot as the head: appends running meanwhile add leaves and records together.
        let treeTables = try MerkleTable.tables(env).map { [$0.tree, $0.heads] }
        let (head, indexed, treeStored) = try env.read { r in
            (try Meta.readHead(r), try Meta.readIndexed(r), try treeTables.map { try MerkleTable.size(r, $0[0]) } ?? 0)
        }
        var report = VerifyReport(events: 0, head: head, problem: nil, checkpointMatched: nil)
        func fail(_ position: UInt64, _ reason: String) -> VerifyReport {
            report.problem = .init(position, reason)
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
        // The stream tables are walked in short transactions: an index pass that commits meanwhile adds streams to
        // them between two chunks, or between the two walks. A disagreement then is no damage: walk again.
        func indexPassMoved() throws -> Bool { try env.read { r in try Meta.readIndexed(r) } != indexed }
        if Int(maxSid) > sidByName.count {
            if try indexPassMoved() { throw IndexedMoved() }
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

        // Pass 1: the chain, positions, stream versions; digests of what the indexes should hold; no tail event
        // repeating an id already stored (the next index pass could not write its id entry, and would fail).
        var chain = ChainCheck(checkpoint: checkpoint)
        var tailIDs: [UUID: UInt64] = [:]
        let greatestID = try greatestIndexedID()
        var streamDigest = Digest(), idDigest = Digest()
        var problem: VerifyReport.Problem?
        // The Merkle tree, recomputed from the records: its stored hashes are digested (order-dependent, SHA-256)
        // and compared below with a sequential walk of `log.tree`, over the leaves the stored tree covers.
        var tree = MerkleBuilder()
        var treeDigest = SHA256Stream()
        try replayRaw(from: 1, through: head.position, chunk: 16_384, releasingPagesEvery: 16 << 20) { pos, v in
            if problem != nil { return }
            if let p = chain.check(pos, v) { problem = p; return }
            if pos <= treeStored { tree.add(leaf: Merkle.leafHash(v)) { treeDigest.add($0) } } else { tree.add(leaf: Merkle.leafHash(v)) { _ in } }
            let name = (try? RecordCodec.streamName(v)) ?? UnsafeRawBufferPointer(start: nil, count: 0)
            var found = sidByName.sid(name)
            if found == nil, pos > indexed {
                // A stream first seen in the unindexed tail: not in the stream table yet; number it after the others.
                lastVersion.append(0)
                let sid = UInt32(lastVersion.count - 1)
                sidByName.set(name, sid: sid)
                found = sid
            }
            guard let sid = found else {
                problem = .init(pos, "its stream is missing from the stream table")
                return
            }
            let version = RecordCodec.version(v)
            let prev = lastVersion[Int(sid)]
            guard version == prev + 1 else {
                problem = .init(pos, "stream version \(version) follows version \(prev) (versions must be gapless)")
                return
            }
            lastVersion[Int(sid)] = version
            let idb = RecordCodec.idBytes(v)
            if pos <= indexed {
                streamDigest.add(Digest.mix(UInt64(sid), version, pos))
                idDigest.add(Digest.mix(idb.loadUnaligned(as: UInt64.self), idb.loadUnaligned(fromByteOffset: 8, as: UInt64.self), pos))
            } else {
                // A tail event: its id must be neither earlier in the tail nor in the id index (looked up only when
                // it does not sort after the index's greatest id, as time-ordered ids made later do).
                let id = UUID(bytes: idb)
                var earlier = tailIDs[id]
                if earlier == nil, greatestID.map({ UUID.orderKey(idb) <= $0 }) ?? true {
                    earlier = try indexedEarlier(idb, before: pos)
                }
                if let earlier {
                    problem = .init(pos, "event id \(id.uuidString.lowercased()) is already stored at position \(earlier) (an id is stored once; this record repeats it)")
                    return
                }
                tailIDs[id] = pos
            }
            chain.accept()
            if pos % 65_536 == 0 { progress?(pos, head.position) }
        }
        let count = chain.count
        report.events = count
        if let problem {
            report.problem = problem
            if checkpoint != nil { report.checkpointMatched = false }
            return report
        }
        progress?(count, head.position)
        if count != head.position || chain.hash != head.hash {
            return fail(count + 1, "the log changed while it was being verified (head \(head), walked \(count) records)")
        }
        if indexed > count {
            return fail(count + 1, "the indexes cover positions up to \(indexed) but the log ends at \(count) (records were removed)")
        }
        if let namesProblem {
            if try indexPassMoved() { throw IndexedMoved() }
            return fail(1, namesProblem)
        }
        report.treeRoot = tree.root
        if treeStored > count { return fail(count + 1, "the Merkle tree has \(treeStored) leaves but the log ends at \(count) (records were removed)") }
        if let t = treeTables, treeStored > 0 {
            var stored = SHA256Stream()
            var entries: UInt64 = 0
            var malformed = false
            // One entry per leaf, keyed by the leaf's index, holding the hashes that leaf stored (storage order).
            try scan(t[0]) { k, v in
                if entries == treeStored { return false }  // leaves appended since the walk began
                guard k.count == 8, UInt64(bigEndian: k.loadUnaligned(as: UInt64.self)) == entries,
                      v.count == 32 * (1 + (~entries).trailingZeroBitCount) else {
                    malformed = true
                    return false
                }
                for i in stride(from: 0, to: v.count, by: 32) { stored.add(ChainHash(bytes: UnsafeRawBufferPointer(rebasing: v[i..<(i + 32)]))) }
                entries += 1
                return true
            }
            if malformed || entries != treeStored || stored.finish() != treeDigest.finish() {
                let (at, leaf) = try firstTreeProblem(through: treeStored, tree: t[0])
                return fail(leaf, "the Merkle tree's stored hash \(at) differs from the one recomputed from the records; the tree can be rebuilt from the log")
            }
        }
        report.treeStored = treeStored

        // Pass 2's result.
        indexesDone.wait()
        indexes.joined = true
        report.indexSeconds = indexes.seconds
        if let e = indexes.error { throw e }
        let (indexStream, indexIDs, streamEntries, idEntries, malformed) =
            (indexes.stream, indexes.ids, indexes.streamEntries, indexes.idEntries, indexes.malformed)
        if malformed || indexStream != streamDigest || indexIDs != idDigest || streamEntries != indexed || idEntries != indexed {
            if try env.read({ r in try Meta.readIndexed(r) }) != indexed { throw IndexedMoved() }
            return fail(try firstIndexProblem(count: indexed, sidByName: sidByName), "an index entry for this event is missing or wrong (stream index: \(streamEntries) entries, id index: \(idEntries), indexed events: \(indexed)); the indexes can be rebuilt from the log")
        }

        if let p = chain.checkpointProblem() { return fail(p.position, p.reason) }
        if checkpoint != nil { report.checkpointMatched = true }
        return report
    }

    /// Slow path: recomputes the tree and looks each stored hash up; the first storage index that differs (or is
    /// missing), and the position of the leaf that stored it.
    private func firstTreeProblem(through size: UInt64, tree dbi: MDB_dbi) throws -> (index: UInt64, position: UInt64) {
        var builder = MerkleBuilder()
        var index: UInt64 = 0
        var found: (UInt64, UInt64)?
        try replayRaw(from: 1, through: size, chunk: 16_384, releasingPagesEvery: 16 << 20) { pos, v in
            if found != nil { return }
            try builder.add(leaf: Merkle.leafHash(v)) { h in
                if found == nil {
                    let ok = try env.read { r in (try? MerkleTable.hashes(r, dbi, [index]))?.first == h }
                    if !ok { found = (index, pos) }
                }
                index += 1
            }
        }
        return found ?? (Merkle.storedCount(size), size)
    }

    /// The id index's greatest key (nil when the index is empty or that key is not 16 bytes: then every tail id is
    /// looked up).
    private func greatestIndexedID() throws -> UUID.OrderKey? {
        try env.read { r in
            let c = try r.cursor(r.dbs.ids)
            defer { c.close() }
            return try c.last().flatMap { $0.key.count == 16 ? UUID.orderKey($0.key) : nil }
        }
    }

    /// The position the id index gives for `id` when that is an earlier record holding the same id; nil otherwise
    /// (not indexed; indexed at `position` itself by an index pass that committed meanwhile; or an entry pointing
    /// at a record without this id, which the comparison of the indexes with the log names).
    private func indexedEarlier(_ id: UnsafeRawBufferPointer, before position: UInt64) throws -> UInt64? {
        try env.read { r in
            guard let v = try r.get(r.dbs.ids, id), v.count == 8 else { return nil }
            let at = UInt64(littleEndian: v.loadUnaligned(as: UInt64.self))
            guard at < position, let record = try r.record(at: at), record.count >= RecordCodec.headerSize,
                  RecordCodec.idBytes(record).elementsEqual(id) else { return nil }
            return at
        }
    }

    /// Slow path: looks each event's index entries up to find the first position whose entries are wrong.
    private func firstIndexProblem(count: UInt64, sidByName: StreamTable) throws -> UInt64 {
        var first: UInt64?
        try replayRaw(from: 1, through: count, chunk: 65_536, releasingPagesEvery: 16 << 20) { pos, v in
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
    func scan(_ dbi: MDB_dbi, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
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
