internal import CLMDB
import EventLog
import Foundation

/// The writer's view of one durable transaction (handed to `EventLog.transaction` bodies inside a `LogTransaction`).
///
/// Appends write only the record (one B-tree). The stream and id index entries of new records are kept in memory
/// as the unindexed tail and written in one sorted pass once the tail reaches `Writer.tailLimit` events, in the
/// transaction that reaches it (see `docs/FORMAT.md`, "The unindexed tail").
final class LMDBTransaction: StoreTransaction {
    typealias StreamState = (sid: UInt32?, version: UInt64)

    let w: WriteTransaction
    let env: Environment
    /// Position and hash of the last event written so far in this transaction.
    private(set) var head: Checkpoint
    /// The last position committed before this transaction began. Events up to it are durable whatever becomes of
    /// this transaction; later ones were written by work sharing it, and are undone if it fails.
    let committedHead: UInt64
    /// The recorded-at time of every event in this transaction.
    let now: Timestamp
    /// The events after the indexed position, shared with nested transactions.
    let tail: Tail
    /// The last position the indexes cover.
    private var indexed: UInt64
    /// Stream id (nil while the stream is only in the tail) and last version, valid within this transaction.
    private var streamCache: [StreamKey: StreamState] = [:]
    private var nextStreamID: UInt32?
    /// The writer's streams as of its last commit, when that commit is still the head (else nil).
    private let committed: CommittedStreams?
    /// Set by `requestIndex()`: index the tail at the end of this transaction whatever its length.
    private(set) var indexRequested = false
    /// The id index's greatest key, once looked up (the index changes only in `indexTail`, which forgets it).
    private var greatestIndexed: UUID.OrderKey??

    /// The Merkle tree's stored hashes and the signed tree heads (`MerkleTable`).
    let tree: MDB_dbi
    let treeHeads: MDB_dbi
    /// The tree's right edge: each append adds its hashes from it, reading no stored hash.
    private(set) var treeEdge: MerkleBuilder
    /// A cursor on `log.tree` for this transaction's appends (opened on the first; LMDB closes it with the transaction).
    private var treeCursor: Cursor?

    init(w: WriteTransaction, env: Environment, tree: (MDB_dbi, MDB_dbi), now: Timestamp, committed: CommittedStreams? = nil) throws {
        self.w = w
        self.env = env
        self.now = now
        (self.tree, self.treeHeads) = tree
        let head = try Meta.readHead(w.reader)
        let indexed = try Meta.readIndexed(w.reader)
        self.head = head
        self.committedHead = head.position
        self.indexed = indexed
        // The cache is the log as this writer left it only if neither the head nor the indexed position moved
        // (another process's index pass moves the latter alone).
        if let c = committed, let t = c.tail, let edge = c.tree, c.head == head, c.indexed == indexed {
            self.committed = c
            self.nextStreamID = c.nextStreamID
            self.tail = t
            self.treeEdge = edge
            c.head = nil  // checked out: trusted again only once this transaction commits (`publish`)
        } else {
            committed?.reset()  // another process appended since, an earlier transaction failed, or nothing is known yet
            self.committed = nil
            self.tail = try Tail.load(w.reader, after: indexed, through: head.position)
            // A tail read from the records (a new process, or another writer moved the head) is indexed by this
            // transaction: otherwise every short-lived process (one CLI command) would read it again, up to
            // `tailLimit` records, 0.25 ms of a sign-off on a 1M-event ledger. A long-lived writer keeps its tail in
            // memory and still indexes it in batches.
            if tail.count > 0 { indexRequested = true }
            // Records appended by a build that kept no tree (or before the tree existed) get their leaves now. A
            // writer whose cache is current knows the tree covers the head: it appended the leaves itself.
            try MerkleTable.catchUp(w, tree.0, to: head.position)
            let r = w.reader
            self.treeEdge = try MerkleBuilder(size: head.position) { try MerkleTable.hashes(r, tree.0, $0) }
        }
    }

    /// Hands this transaction's stream states to the writer's cache; called once the transaction has committed.
    func publish(to c: CommittedStreams) {
        if c.streams.count + streamCache.count > CommittedStreams.maxEntries { c.streams.removeAll() }
        for (name, state) in streamCache { c.streams[name] = state }
        c.nextStreamID = nextStreamID
        c.tail = tail
        c.indexed = indexed
        c.tree = treeEdge
        c.head = head
    }

    /// Runs `body` so that its writes and cache changes are all undone if it throws.
    func isolated<T>(_ body: (LMDBTransaction) throws -> T) throws -> T {
        let saved = (head, streamCache, nextStreamID, tail.count)
        do {
            return try w.nested { child in
                let tx = LMDBTransaction(child: child, parent: self)
                let r = try body(tx)
                (head, streamCache, nextStreamID, treeEdge) = (tx.head, tx.streamCache, tx.nextStreamID, tx.treeEdge)
                indexRequested = indexRequested || tx.indexRequested
                return r
            }
        } catch {
            (head, streamCache, nextStreamID) = (saved.0, saved.1, saved.2)
            tail.rollback(to: saved.3)
            throw error
        }
    }

    private init(child: WriteTransaction, parent: LMDBTransaction) {
        self.w = child
        self.env = parent.env
        self.now = parent.now
        self.tree = parent.tree
        self.treeHeads = parent.treeHeads
        self.treeEdge = parent.treeEdge
        self.head = parent.head
        self.committedHead = parent.committedHead
        self.tail = parent.tail
        self.indexed = parent.indexed
        self.streamCache = parent.streamCache
        self.nextStreamID = parent.nextStreamID
        self.committed = parent.committed
    }

    /// The current version of a stream as this transaction sees it (nil when it does not exist).
    func version(of stream: String) throws -> UInt64? {
        try streamState(stream)?.version
    }

    /// Asks for the unindexed tail to be indexed when this transaction commits.
    func requestIndex() { indexRequested = true }

    private func streamState(_ name: String) throws -> StreamState? { try streamState(key: StreamKey(name)) }

    private func streamState(key: StreamKey) throws -> StreamState? {
        if let s = streamCache[key] { return s }
        if let s = committed?.streams[key] {
            streamCache[key] = s
            return s
        }
        let r = w.reader
        let sid = try Streams.id(r, key.bytes)
        let version = try tail.versions[key] ?? sid.flatMap { try Streams.lastVersion(r, $0) }
        guard sid != nil || version != nil else { return nil }
        let s = (sid, version ?? 0)
        streamCache[key] = s
        return s
    }

    private func createStream(_ name: StreamKey) throws -> UInt32 {
        let sid: UInt32
        if let n = nextStreamID {
            sid = n
        } else {
            let c = try w.reader.cursor(w.dbs.streamNames)
            defer { c.close() }
            if let last = try c.last(), last.key.count == 4 {
                sid = UInt32(bigEndian: last.key.loadUnaligned(as: UInt32.self)) + 1
            } else {
                sid = 1
            }
        }
        nextStreamID = sid + 1
        var be = sid.bigEndian
        try withUnsafeBytes(of: &be) { idBytes in
            try name.bytes.withUnsafeBytes { u in
                try w.put(w.dbs.streams, u, idBytes, flags: MDB_NOOVERWRITE)
                try w.put(w.dbs.streamNames, idBytes, u, flags: MDB_APPEND)
            }
        }
        return sid
    }

    /// Appends a checked request (for `EventLog.append` and `LogTransaction.append`).
    func append(_ req: PreparedAppend) throws -> AppendResult {
        // Idempotency: look the ids up first, in the tail and in the id index. An id above every stored id (as
        // time-ordered ids made now are) cannot be stored, so only the others are looked up.
        var existing: [UInt64?] = []
        existing.reserveCapacity(req.count)
        var anyExisting = false
        let greatest = try greatestIndexedID()
        for s in req.streams {
            for e in s.events {
                let key = e.proposed.id.orderKey
                var pos: UInt64?
                if tail.greatestID.map({ key <= $0 }) ?? false { pos = tail.ids[e.proposed.id] }
                if pos == nil, greatest.map({ key <= $0 }) ?? true {
                    pos = try e.proposed.id.withBytes { try w.reader.get(w.dbs.ids, $0) }.flatMap {
                        $0.count == 8 ? UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) : nil
                    }
                }
                if pos != nil { anyExisting = true }
                existing.append(pos)
            }
        }
        if anyExisting { return try duplicate(req, existing) }

        // Every check before any write: a refused append leaves the transaction untouched, so the writer can run
        // appends side by side in one transaction without nesting each in its own.
        var states: [StreamState?] = []
        states.reserveCapacity(req.streams.count)
        var seen: [StreamKey: StreamState?] = [:]  // a stream named twice in one request sees its first part
        for s in req.streams {
            let state = try seen[s.key] ?? streamState(key: s.key)
            let current = state?.version
            try s.expected.check(stream: s.name, current: current)
            states.append(state)
            if req.streams.count > 1 { seen[s.key] = .some((state?.sid, (current ?? 0) + UInt64(s.events.count))) }
        }
        var out: [RecordedEvent] = []
        out.reserveCapacity(req.count)
        for (s, state) in zip(req.streams, states) {
            var version = state?.version ?? 0
            for e in s.events {
                version += 1
                out.append(try write(e, name: s.name, version: version))
            }
            streamCache[s.key] = (state?.sid, version)
        }
        return AppendResult(events: out, wasDuplicate: false)
    }

    private func write(_ e: PreparedAppend.Event, name: String, version: UInt64) throws -> RecordedEvent {
        let position = head.position + 1
        let (bytes, event) = try RecordCodec.record(e, stream: name, version: version, position: position, previous: head.hash, now: now)
        var key = Keys.record(position)
        try withUnsafeBytes(of: &key) { k in
            try bytes.withUnsafeBytes { v in
                try w.put(w.dbs.events, k, v, flags: MDB_APPEND)
                try addLeaf(v)
            }
        }
        tail.add(Tail.Entry(position: position, stream: StreamKey(bytes: e.stream), version: version, id: e.proposed.id))
        head = Checkpoint(position: position, hash: event.hash)
        return event
    }

    /// The greatest key of the id index (nil when the index is empty or that key is not 16 bytes: then every id
    /// is looked up).
    private func greatestIndexedID() throws -> UUID.OrderKey? {
        if let known = greatestIndexed { return known }
        let c = try w.reader.cursor(w.dbs.ids)
        defer { c.close() }
        let found = try c.last().flatMap { $0.key.count == 16 ? UUID.orderKey($0.key) : nil }
        greatestIndexed = .some(found)
        return found
    }

    /// Every id stored with the same content: the original events. Otherwise an error.
    private func duplicate(_ req: PreparedAppend, _ existing: [UInt64?]) throws -> AppendResult {
        try req.duplicate(existing: existing) { pos in
            guard let bytes = try w.reader.record(at: pos) else {
                throw EventLogError.corrupt(position: pos, reason: "the id index points at a missing record")
            }
            return try RecordCodec.decodeStored(position: pos, bytes)
        }
    }

    /// Writes the index entries of the tail (stream table, stream index, id index) in key order and moves the
    /// indexed position to the head. Called by the writer at the end of a transaction, never inside a nested one.
    func indexTail() throws {
        guard !tail.entries.isEmpty else { return }
        let r = w.reader
        var sids: [StreamKey: UInt32] = [:]
        var rows: [(sid: UInt32, version: UInt64, position: UInt64)] = []
        rows.reserveCapacity(tail.count)
        for e in tail.entries {
            let sid: UInt32
            if let s = sids[e.stream] {
                sid = s
            } else {
                let known = streamCache[e.stream]?.sid ?? committed?.streams[e.stream]?.sid
                if let s = try known ?? Streams.id(r, e.stream.bytes) {
                    sid = s
                } else {
                    sid = try createStream(e.stream)
                }
                sids[e.stream] = sid
            }
            rows.append((sid, e.version, e.position))
        }
        rows.sort { ($0.sid, $0.version) < ($1.sid, $1.version) }
        // One cursor per index, keys in ascending order: LMDB finds each key from the cursor's page when it can.
        let streamIndex = try w.reader.cursor(w.dbs.streamIndex)
        defer { streamIndex.close() }
        for row in rows {
            var key = Keys.streamIndex(row.sid, row.version)
            var pos = row.position.littleEndian
            try withUnsafeBytes(of: &key) { k in
                try withUnsafeBytes(of: &pos) { v in try streamIndex.put(k, v, flags: MDB_NOOVERWRITE) }
            }
        }
        // Time-ordered ids arrive in order: usually nothing to sort, and each id goes after the index's last one.
        var ids = tail.entries.map { (key: $0.id.orderKey, id: $0.id, position: $0.position) }
        if !zip(ids, ids.dropFirst()).allSatisfy({ $0.key < $1.key }) { ids.sort { $0.key < $1.key } }
        let idIndex = try w.reader.cursor(w.dbs.ids)
        defer { idIndex.close() }
        var appending = true
        for e in ids {
            var pos = e.position.littleEndian
            try e.id.withBytes { k in
                try withUnsafeBytes(of: &pos) { v in
                    if appending {
                        do { return try idIndex.put(k, v, flags: MDB_APPEND) } catch let x as LMDBError where x.isKeyExisting {
                            appending = false  // an id below the index's last one: from here on, ordinary puts
                        }
                    }
                    do { try idIndex.put(k, v, flags: MDB_NOOVERWRITE) } catch let x as LMDBError where x.isKeyExisting {
                        throw duplicateID(e.id, k, at: e.position)
                    }
                }
            }
        }
        for (name, sid) in sids { streamCache[name] = (sid, tail.versions[name] ?? 0) }
        try w.put(w.dbs.meta, Meta.indexed, Meta.encode(head.position))
        indexed = head.position
        greatestIndexed = nil
        tail.removeAll()
    }

    /// A tail event whose id the id index already holds (a record written into the file by other means: the
    /// writer never stores an id twice), as damage at the later of the two positions.
    private func duplicateID(_ id: UUID, _ key: UnsafeRawBufferPointer, at position: UInt64) -> Error {
        let stored = (try? w.reader.get(w.dbs.ids, key)).flatMap { $0 }.flatMap {
            $0.count == 8 ? UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) : nil
        }
        guard let stored else {
            return EventLogError.corrupt(position: position, reason: "event id \(id.uuidString.lowercased()) is already in the id index")
        }
        return EventLogError.corrupt(position: max(position, stored), reason: "event id \(id.uuidString.lowercased()) is already stored at position \(min(position, stored))")
    }

    // MARK: Side tables (read models kept beside the log, written in the same transaction)

    private func sideTable(_ table: String) throws -> MDB_dbi {
        guard let dbi = env.openedDatabase(named: "rm." + table) else {
            throw EventLogError.invalidInput("side table '\(table)' was not prepared; call EventLog.prepareSideTables before writing to it")
        }
        return dbi
    }

    /// Reads a value from a named side table.
    func get(_ table: String, _ key: [UInt8]) throws -> [UInt8]? {
        let dbi = try sideTable(table)
        return try w.reader.get(dbi, key).map { Array($0) }
    }

    /// Writes a value into a named side table.
    func put(_ table: String, _ key: [UInt8], _ value: [UInt8]) throws {
        let dbi = try sideTable(table)
        try w.put(dbi, key, value)
    }

    /// Writes rows whose keys come in ascending byte order into a named side table, each after the table's last key
    /// (LMDB's `MDB_APPEND`: no search, and pages filled to the brim). A row that does not sort after the table's last
    /// key is written the ordinary way.
    func putSorted(_ table: String, _ rows: [(key: [UInt8], value: [UInt8])]) throws {
        let dbi = try sideTable(table)
        for row in rows {
            do {
                try w.put(dbi, row.key, row.value, flags: MDB_APPEND)
            } catch let e as LMDBError where e.isKeyExisting {
                try w.put(dbi, row.key, row.value)
            }
        }
    }

    /// Deletes a key from a named side table.
    func delete(_ table: String, _ key: [UInt8]) throws {
        let dbi = try sideTable(table)
        try w.delete(dbi, key)
    }

    /// Empties a named side table.
    func clear(_ table: String) throws {
        let dbi = try sideTable(table)
        try w.drop(dbi)
    }

    /// Copies up to `limit` records out as stored, into one buffer, for decoding elsewhere (`StoredRecords.events()`,
    /// on any thread).
    func readStored(from position: UInt64, limit: Int) throws -> StoredRecords {
        var out = StoredRecords()
        guard limit > 0 else { return out }
        try Records.forEach(w.reader, from: position) { pos, v in
            out.append(position: pos, v)
            return out.count < limit
        }
        return out
    }

    /// Stores the Merkle hashes a new record adds (its leaf, and the subtrees it completes), from the right edge kept
    /// in memory, through one cursor appending in key order.
    private func addLeaf(_ record: UnsafeRawBufferPointer) throws {
        let c = try treeCursor ?? w.reader.cursor(tree)
        treeCursor = c
        let leaf = treeEdge.size
        try treeEdge.addStoring(leaf: Merkle.leafHash(record)) { try MerkleTable.put(c, leaf: leaf, $0) }
    }

    func treeRoot(size: UInt64) throws -> ChainHash {
        guard size <= head.position else { throw MerkleError.treeTooSmall(asked: size, size: head.position) }
        return try Merkle.root(size: size) { try MerkleTable.hashes(w.reader, tree, $0) }
    }

    func keepTreeHead(_ new: StoredTreeHead) throws {
        guard new.size <= head.position, try treeRoot(size: new.size) == new.root else {
            throw EventLogError.inconsistentTreeHead("its root is not this log's root at size \(new.size)")
        }
        if let last = try MerkleTable.latestHead(w.reader, treeHeads) {
            guard last.size <= new.size else {
                throw EventLogError.inconsistentTreeHead("a head of size \(last.size) was already signed, larger than \(new.size)")
            }
            guard try treeRoot(size: last.size) == last.root else {
                throw EventLogError.inconsistentTreeHead(
                    "the head signed at size \(last.size) (root \(last.root.hex)) is no longer this log's root at that size: the log was rewritten")
            }
            if last.size == new.size { return }  // already kept: the first note signed for a size stays
        }
        var key = new.size.bigEndian
        try withUnsafeBytes(of: &key) { k in
            try (new.root.bytes + new.note).withUnsafeBytes { v in try w.put(treeHeads, k, v, flags: MDB_APPEND) }
        }
    }
}

@available(*, unavailable) extension LMDBTransaction: Sendable {}
