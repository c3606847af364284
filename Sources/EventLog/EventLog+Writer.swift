import CLMDB
import Foundation

/// An append whose names were checked and whose payloads were canonicalised, off the writer thread.
struct PreparedAppend: Sendable {
    struct Event: Sendable {
        var proposed: ProposedEvent
        var stream: [UInt8]
        var type: [UInt8]
        var actor: [UInt8]
        var payload: [UInt8]  // canonical
    }
    struct Stream: Sendable {
        var name: String
        /// The name's bytes (streams are told apart by their bytes).
        var key: EventLog.StreamKey
        var expected: ExpectedVersion
        var events: [Event]
    }
    var streams: [Stream]
    var count: Int

    init(_ appends: [StreamAppend]) throws(EventLogError) {
        var total = 0
        var streams: [Stream] = []
        streams.reserveCapacity(appends.count)
        for a in appends {
            try Limits.checkStream(a.stream)
            let name = Array(a.stream.utf8)
            var events: [Event] = []
            events.reserveCapacity(a.events.count)
            for e in a.events {
                try Limits.checkType(e.type)
                try Limits.checkActor(e.actor)
                if e.payload.count > Limits.maxPayloadBytes {
                    throw .invalidInput("payload of \(e.payload.count) bytes for a \(e.type) event is over the limit of \(Limits.maxPayloadBytes) bytes")
                }
                if e.signature.count > Limits.maxSignatureBytes {
                    throw .invalidInput("signature of \(e.signature.count) bytes is over the limit of \(Limits.maxSignatureBytes) bytes")
                }
                let canonical: [UInt8]
                if CanonicalJSON.isCanonicalFast(e.payload) {
                    canonical = e.payload  // already canonical: shared, not copied
                } else {
                    do { canonical = try CanonicalJSON.canonicalize(e.payload) } catch {
                        throw .invalidInput("payload of a \(e.type) event is not valid JSON: \(error)")
                    }
                }
                events.append(Event(proposed: e, stream: name, type: Array(e.type.utf8), actor: Array(e.actor.utf8), payload: canonical))
            }
            total += events.count
            streams.append(Stream(name: a.stream, key: EventLog.StreamKey(bytes: name), expected: a.expected, events: events))
        }
        if total == 0 { throw .invalidInput("an append needs at least one event") }
        if total > 1 {
            var seen = Set<UUID>(minimumCapacity: total)
            for s in streams { for e in s.events where !seen.insert(e.proposed.id).inserted {
                throw .invalidInput("event id \(e.proposed.id.uuidString.lowercased()) appears twice in one append")
            } }
        }
        if total > Limits.maxEventsPerAppend {
            throw .invalidInput("an append of \(total) events is over the limit of \(Limits.maxEventsPerAppend); split it")
        }
        self.streams = streams
        self.count = total
    }
}

/// The writer's view of one durable transaction. Handed to `EventLog.transaction` bodies; never escapes them.
///
/// Appends write only the record (one B-tree). The stream and id index entries of new records are kept in memory
/// as the unindexed tail and written in one sorted pass once the tail reaches `Writer.tailLimit` events, in the
/// transaction that reaches it (see `docs/FORMAT.md`, "The unindexed tail").
public final class LogTransaction {
    typealias StreamState = (sid: UInt32?, version: UInt64)
    typealias StreamKey = EventLog.StreamKey

    let w: WriteTransaction
    let env: Environment
    /// Position and hash of the last event written so far in this transaction.
    public private(set) var head: Checkpoint
    /// The last position committed before this transaction began. Events up to it are durable whatever becomes of
    /// this transaction; later ones were written by work sharing it, and are undone if it fails.
    public let committedHead: UInt64
    /// The recorded-at time of every event in this transaction.
    public let now: Timestamp
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

    init(w: WriteTransaction, env: Environment, now: Timestamp, committed: CommittedStreams? = nil) throws {
        self.w = w
        self.env = env
        self.now = now
        let head = try Meta.readHead(w.reader)
        let indexed = try Meta.readIndexed(w.reader)
        self.head = head
        self.committedHead = head.position
        self.indexed = indexed
        // The cache is the log as this writer left it only if neither the head nor the indexed position moved
        // (another process's index pass moves the latter alone).
        if let c = committed, let t = c.tail, c.head == head, c.indexed == indexed {
            self.committed = c
            self.nextStreamID = c.nextStreamID
            self.tail = t
            c.head = nil  // checked out: trusted again only once this transaction commits (`publish`)
        } else {
            committed?.reset()  // another process appended since, an earlier transaction failed, or nothing is known yet
            self.committed = nil
            self.tail = try Tail.load(w.reader, after: indexed)
        }
    }

    /// Hands this transaction's stream states to the writer's cache; called once the transaction has committed.
    func publish(to c: CommittedStreams) {
        if c.streams.count + streamCache.count > CommittedStreams.maxEntries { c.streams.removeAll() }
        for (name, state) in streamCache { c.streams[name] = state }
        c.nextStreamID = nextStreamID
        c.tail = tail
        c.indexed = indexed
        c.head = head
    }

    /// Runs `body` so that its writes and cache changes are all undone if it throws.
    func isolated<T>(_ body: (LogTransaction) throws -> T) throws -> T {
        let saved = (head, streamCache, nextStreamID, tail.count)
        do {
            return try w.nested { child in
                let tx = LogTransaction(child: child, parent: self)
                let r = try body(tx)
                (head, streamCache, nextStreamID) = (tx.head, tx.streamCache, tx.nextStreamID)
                indexRequested = indexRequested || tx.indexRequested
                return r
            }
        } catch {
            (head, streamCache, nextStreamID) = (saved.0, saved.1, saved.2)
            tail.rollback(to: saved.3)
            throw error
        }
    }

    private init(child: WriteTransaction, parent: LogTransaction) {
        self.w = child
        self.env = parent.env
        self.now = parent.now
        self.head = parent.head
        self.committedHead = parent.committedHead
        self.tail = parent.tail
        self.indexed = parent.indexed
        self.streamCache = parent.streamCache
        self.nextStreamID = parent.nextStreamID
        self.committed = parent.committed
    }

    /// The current version of a stream as this transaction sees it (nil when it does not exist).
    public func version(of stream: String) throws -> UInt64? {
        try streamState(stream)?.version
    }

    /// Asks for the unindexed tail to be indexed when this transaction commits.
    public func requestIndex() { indexRequested = true }

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

    /// Appends a checked request. Used by `EventLog.append`.
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
            switch s.expected {
            case .any: break
            case .noStream:
                if let c = current, c > 0 { throw EventLogError.wrongExpectedVersion(stream: s.name, expected: s.expected, actual: c) }
            case .exact(let v):
                if (current ?? 0) != v || (current == nil && v != 0) {
                    throw EventLogError.wrongExpectedVersion(stream: s.name, expected: s.expected, actual: current)
                }
            }
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
        guard position <= Keys.maxPosition else { throw EventLogError.storage("the log is full (2^56 - 1 events)") }
        let p = e.proposed
        let occurred = p.occurredAt ?? now
        var body = RecordCodec.encodeBody(RecordCodec.Fields(
            id: p.id, stream: e.stream, version: version, type: e.type, schemaVersion: p.schemaVersion,
            recordedAt: now.microseconds, occurredAt: occurred.microseconds, actor: e.actor,
            correlationID: p.correlationID, causationID: p.causationID, payload: e.payload, signature: p.signature))
        let bodyLen = body.count - RecordCodec.hashSize
        let hash = body.withUnsafeBytes { RecordCodec.chain(previous: head.hash, position: position, body: UnsafeRawBufferPointer(rebasing: $0[0..<bodyLen])) }
        hash.write(into: &body, at: bodyLen)
        var key = Keys.record(position)
        try withUnsafeBytes(of: &key) { k in
            try body.withUnsafeBytes { v in try w.put(w.dbs.events, k, v, flags: MDB_APPEND) }
        }
        tail.add(Tail.Entry(position: position, stream: StreamKey(bytes: e.stream), version: version, id: p.id))
        head = Checkpoint(position: position, hash: hash)
        return RecordedEvent(
            position: position, id: p.id, stream: name, version: version,
            type: p.type, schemaVersion: p.schemaVersion, recordedAt: now, occurredAt: occurred, actor: p.actor,
            correlationID: p.correlationID, causationID: p.causationID, payload: e.payload, signature: p.signature, hash: hash)
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
        var out: [RecordedEvent] = []
        var i = 0
        for s in req.streams {
            for e in s.events {
                defer { i += 1 }
                guard let pos = existing[i] else {
                    let first = existing.firstIndex { $0 != nil }!
                    let firstEvent = req.streams.flatMap(\.events)[first]
                    throw EventLogError.partialDuplicate(id: firstEvent.proposed.id, position: existing[first]!)
                }
                guard let bytes = try w.reader.record(at: pos) else {
                    throw EventLogError.corrupt(position: pos, reason: "the id index points at a missing record")
                }
                let stored = try RecordCodec.decodeStored(position: pos, bytes)
                let p = e.proposed
                let same = stored.stream == s.name && stored.type == p.type && stored.schemaVersion == p.schemaVersion
                    && stored.actor == p.actor && stored.payload == e.payload && stored.correlationID == p.correlationID
                    && stored.causationID == p.causationID && stored.signature == p.signature
                    && (p.occurredAt == nil || p.occurredAt == stored.occurredAt)
                if !same { throw EventLogError.idConflict(id: p.id, position: pos) }
                out.append(stored)
            }
        }
        return AppendResult(events: out, wasDuplicate: true)
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
                        do { return try idIndex.put(k, v, flags: MDB_APPEND) } catch let x as LMDBError where x.code == MDB_KEYEXIST {
                            appending = false  // an id below the index's last one: from here on, ordinary puts
                        }
                    }
                    try idIndex.put(k, v, flags: MDB_NOOVERWRITE)
                }
            }
        }
        for (name, sid) in sids { streamCache[name] = (sid, tail.versions[name] ?? 0) }
        try w.put(w.dbs.meta, Meta.indexed, Meta.encode(head.position))
        indexed = head.position
        greatestIndexed = nil
        tail.removeAll()
    }

    // MARK: Side tables (read models kept beside the log, written in the same transaction)

    private func sideTable(_ table: String) throws -> MDB_dbi {
        guard let dbi = env.openedDatabase(named: "rm." + table) else {
            throw EventLogError.invalidInput("side table '\(table)' was not prepared; call EventLog.prepareSideTables before writing to it")
        }
        return dbi
    }

    /// Reads a value from a named side table.
    public func get(_ table: String, _ key: [UInt8]) throws -> [UInt8]? {
        let dbi = try sideTable(table)
        return try w.reader.get(dbi, key).map { Array($0) }
    }

    /// Writes a value into a named side table.
    public func put(_ table: String, _ key: [UInt8], _ value: [UInt8]) throws {
        let dbi = try sideTable(table)
        try w.put(dbi, key, value)
    }

    /// Writes rows whose keys come in ascending byte order into a named side table, each after the table's last key
    /// (LMDB's `MDB_APPEND`: no search, and pages filled to the brim). A row that does not sort after the table's last
    /// key is written the ordinary way.
    public func putSorted(_ table: String, _ rows: [(key: [UInt8], value: [UInt8])]) throws {
        let dbi = try sideTable(table)
        for row in rows {
            do {
                try w.put(dbi, row.key, row.value, flags: MDB_APPEND)
            } catch let e as LMDBError where e.code == MDB_KEYEXIST {
                try w.put(dbi, row.key, row.value)
            }
        }
    }

    /// Deletes a key from a named side table.
    public func delete(_ table: String, _ key: [UInt8]) throws {
        let dbi = try sideTable(table)
        try w.delete(dbi, key)
    }

    /// Empties a named side table.
    public func clear(_ table: String) throws {
        let dbi = try sideTable(table)
        try w.drop(dbi)
    }

    /// Appends events (checked first) inside this transaction.
    public func append(_ appends: [StreamAppend]) throws -> AppendResult {
        try append(PreparedAppend(appends))
    }

    /// Copies up to `limit` records out as stored, into one buffer, for decoding elsewhere (`StoredRecords.events()`,
    /// on any thread).
    public func readStored(from position: UInt64, limit: Int) throws -> StoredRecords {
        var out = StoredRecords()
        guard limit > 0 else { return out }
        try Records.forEach(w.reader, from: position) { pos, v in
            out.append(position: pos, v)
            return out.count < limit
        }
        return out
    }
}

/// The unindexed tail as the writer sees it: the events after the indexed position, in order, with their ids and
/// the last version of each stream. At most `Writer.tailLimit` events plus one transaction's worth.
final class Tail {
    struct Entry {
        var position: UInt64
        /// The stream name's bytes.
        var stream: LogTransaction.StreamKey
        var version: UInt64
        var id: UUID
    }

    private(set) var entries: [Entry] = []
    private(set) var ids: [UUID: UInt64] = [:]
    /// The last version of each stream with events in the tail.
    private(set) var versions: [LogTransaction.StreamKey: UInt64] = [:]
    /// The greatest id in the tail (nil when empty).
    private(set) var greatestID: UUID.OrderKey?

    var count: Int { entries.count }

    func add(_ e: Entry) {
        entries.append(e)
        ids[e.id] = e.position
        versions[e.stream] = e.version
        let k = e.id.orderKey
        if greatestID.map({ k > $0 }) ?? true { greatestID = k }
    }

    /// Drops the entries after the first `n` (a nested transaction was undone).
    func rollback(to n: Int) {
        guard n < entries.count else { return }
        let kept = entries[..<n]
        entries = []
        ids = [:]
        versions = [:]
        greatestID = nil
        for e in kept { add(e) }
    }

    func removeAll() {
        entries.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
        versions.removeAll(keepingCapacity: true)
        greatestID = nil
    }

    /// Reads the tail from the records after `indexed`.
    static func load(_ r: ReadTransaction, after indexed: UInt64) throws -> Tail {
        let t = Tail()
        try Records.forEach(r, from: indexed + 1) { pos, v in
            let name = try RecordCodec.streamName(v)
            t.add(Entry(position: pos, stream: EventLog.StreamKey(bytes: Array(name)), version: RecordCodec.version(v), id: UUID(bytes: RecordCodec.idBytes(v))))
            return true
        }
        return t
    }
}

extension UUID {
    /// The id's bytes as two big-endian words: ordered as the id index orders keys.
    typealias OrderKey = (UInt64, UInt64)
    var orderKey: OrderKey { withBytes { UUID.orderKey($0) } }
    static func orderKey(_ b: UnsafeRawBufferPointer) -> OrderKey {
        (UInt64(bigEndian: b.loadUnaligned(as: UInt64.self)), UInt64(bigEndian: b.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }
}

@available(*, unavailable) extension LogTransaction: Sendable {}

extension UUID {
    func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        var u = uuid
        return try withUnsafeBytes(of: &u, body)
    }
}

/// The single writer thread of a log: batches queued work into one durable transaction (group commit).
///
/// `@unchecked Sendable`: all mutable state is guarded by `cond`; LMDB write transactions begin and end
/// on the writer thread only.
final class Writer: @unchecked Sendable {
    private struct Job {
        var body: (LogTransaction) throws -> Any
        var done: (Result<Any, Error>) -> Void
        /// The body writes nothing unless it succeeds (it checks everything first), so it needs no nested
        /// transaction to be undone. Nesting costs LMDB a few megabytes of bookkeeping per job.
        var checksBeforeWriting = false
    }

    private let env: Environment
    private let clock: @Sendable () -> Timestamp
    /// Stream states as of the last commit; touched on the writer thread only.
    private let committed = CommittedStreams()
    private let cond = NSCondition()
    private var queue: [Job] = []
    private var stopping = false
    private var started = false
    /// A batch is executing (on the writer thread, or on a synchronous caller's thread: see `submitSync`).
    private var busy = false
    /// Jobs in the last batch: while appenders come one at a time, a synchronous one commits on its own thread.
    private var lastBatch = 0
    /// Most jobs in one transaction.
    static let maxBatch = 512
    /// The unindexed tail is indexed by the transaction that brings it to this many events. Readers scan at most
    /// this many records (plus one transaction's) beside the indexes; appends write one B-tree in between.
    static let tailLimit = 1024

    init(env: Environment, clock: @escaping @Sendable () -> Timestamp) {
        self.env = env
        self.clock = clock
    }

    private func startIfNeeded() {
        if started { return }
        started = true
        let t = Thread { [self] in
            Thread.current.name = "eventlog-writer"  // set from inside the thread, where `top -H` and profilers see it
            run()
        }
        t.start()
    }

    func stop() {
        cond.lock()
        stopping = true
        cond.broadcast()
        cond.unlock()
    }

    private func enqueue(_ job: Job) {
        cond.lock()
        startIfNeeded()
        queue.append(job)
        cond.signal()
        cond.unlock()
    }

    func submitSync<T>(checksBeforeWriting: Bool = false, _ body: @escaping (LogTransaction) throws -> T) throws -> T {
        // A lone synchronous appender (nothing queued or running, and no group in the last batch) runs its
        // transaction on its own thread: the hand-over to the writer thread and back costs two wake-ups, about a
        // tenth of a durable commit here. The transaction still begins and ends on one thread, and `busy` keeps
        // the writer thread out meanwhile; whatever queues up in the meantime goes to the writer thread after.
        cond.lock()
        if !busy && queue.isEmpty && lastBatch <= 1 && !stopping {
            busy = true
            cond.unlock()
            var lone = [Job(body: { try body($0) }, done: { _ in }, checksBeforeWriting: checksBeforeWriting)]
            let result = execute(&lone)[0]
            cond.lock()
            busy = false
            lastBatch = 1
            if !queue.isEmpty { cond.signal() }
            cond.unlock()
            switch result {
            case .success(let v): return v as! T
            case .failure(let e): throw e
            }
        }
        cond.unlock()
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Any, Error>?
        enqueue(Job(body: { try body($0) }, done: { result = $0; done.signal() }, checksBeforeWriting: checksBeforeWriting))
        done.wait()
        // The semaphore orders the writer's store before this read.
        switch result! {
        case .success(let v): return v as! T
        case .failure(let e): throw e
        }
    }

    func submit<T: Sendable>(checksBeforeWriting: Bool = false, _ body: @escaping @Sendable (LogTransaction) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (k: CheckedContinuation<T, Error>) in
            enqueue(Job(body: { try body($0) }, done: { r in
                switch r {
                case .success(let v): k.resume(returning: v as! T)
                case .failure(let e): k.resume(throwing: e)
                }
            }, checksBeforeWriting: checksBeforeWriting))
        }
    }

    private func run() {
        while true {
            cond.lock()
            while (queue.isEmpty || busy) && !stopping { cond.wait() }
            if queue.isEmpty && stopping { cond.unlock(); return }
            while busy { cond.wait() }  // stopping: let a caller's transaction finish first
            var batch = takeJobs(max: Writer.maxBatch)
            busy = true
            cond.unlock()
            // Jobs that arrive while this batch is being written join it (until it holds `maxBatch`): the callers
            // released by the last commit come back while the writer builds records, and commit with them.
            let results = execute(&batch, more: { [self] room in
                cond.lock()
                defer { cond.unlock() }
                return takeJobs(max: room)
            })
            cond.lock()
            busy = false
            lastBatch = batch.count
            cond.unlock()
            for (job, r) in zip(batch, results) { job.done(r) }
        }
    }

    /// Takes up to `max` queued jobs; the caller holds `cond`'s lock.
    private func takeJobs(max: Int) -> [Job] {
        let n = min(queue.count, max)
        if n == 0 { return [] }
        let jobs = Array(queue[0..<n])
        queue.removeFirst(n)
        return jobs
    }

    /// Runs a batch in one transaction. Each job is isolated in a nested transaction when there are several,
    /// so one refused job does not undo the others. `more(room)` hands over jobs queued meanwhile, which join
    /// the batch (they are appended to `batch`, and get their results with the others).
    private func execute(_ batch: inout [Job], more: ((Int) -> [Job])? = nil) -> [Result<Any, Error>] {
        var results: [Result<Any, Error>] = []
        var last: LogTransaction?
        do {
            try env.write { w in
                results = []
                let tx = try LogTransaction(w: w, env: env, now: clock(), committed: committed)
                last = tx
                var anySuccess = false
                // A job that did not promise to check first runs in a nested transaction, so that its failure
                // undoes only its own writes; a lone job needs none (its failure aborts the transaction), but
                // then nothing may join the batch after it fails.
                var lonePartial = false
                var i = 0
                while true {
                    while i < batch.count {
                        let job = batch[i]
                        let isolate = !job.checksBeforeWriting && !(i == 0 && batch.count == 1)
                        i += 1
                        let before = tx.head
                        do {
                            results.append(.success(try isolate ? tx.isolated(job.body) : job.body(tx)))
                            anySuccess = true
                        } catch let e as LMDBError where e.isMapFull {
                            throw e
                        } catch {
                            // A job that promised to check first must not have written; if it did, undo everything.
                            if job.checksBeforeWriting && tx.head != before { throw error }
                            if !isolate && !job.checksBeforeWriting { lonePartial = true }
                            results.append(.failure(EventLog.wrap(error)))
                        }
                    }
                    if lonePartial || batch.count >= Writer.maxBatch { break }
                    guard let extra = more?(Writer.maxBatch - batch.count), !extra.isEmpty else { break }
                    batch += extra
                }
                if !anySuccess { throw AbortBatch() }
                if tx.tail.count >= Writer.tailLimit || tx.indexRequested { try tx.indexTail() }
            }
        } catch is AbortBatch {
            return results
        } catch {
            let e = EventLog.wrap(error)
            return batch.map { _ in .failure(e) }
        }
        last?.publish(to: committed)
        return results
    }
}

/// Stream ids and last versions as of the writer's last commit, kept across transactions so that appends to known
/// streams skip two index lookups per stream. Trusted only while the log's head is still the one that commit wrote:
/// an append from another process moves the head, and the next transaction then starts afresh.
final class CommittedStreams {
    var head: Checkpoint?
    var streams: [LogTransaction.StreamKey: LogTransaction.StreamState] = [:]
    /// The unindexed tail and the indexed position as of that commit.
    var tail: Tail?
    var indexed: UInt64 = 0
    var nextStreamID: UInt32?
    /// Bound on the entries kept (the cache is emptied when it would grow past it).
    static let maxEntries = 100_000

    func reset() {
        head = nil
        streams.removeAll(keepingCapacity: true)
        nextStreamID = nil
        tail = nil
    }
}

/// Thrown inside a batch whose every job failed, so that their partial writes are rolled back.
private struct AbortBatch: Error {}

extension EventLog {
    static func wrap(_ error: Error) -> Error {
        if let e = error as? LMDBError {
            if e.code == MDB_TXN_FULL {
                return EventLogError.storage("\(e): the append is too large for one transaction; split it into smaller batches")
            }
            return EventLogError.storage("\(e)")
        }
        if let e = error as? RecordCodec.DecodeError { return EventLogError.corrupt(position: 0, reason: e.reason) }
        return error
    }
}

extension EventLog {
    /// A stream's name as LMDB and the records compare it: its UTF-8 bytes. Swift's `String` equality would merge
    /// names that are canonically equivalent (`"caf\u{E9}"`, `"cafe\u{301}"`) but stored as two streams.
    struct StreamKey: Hashable, Sendable {
        let bytes: [UInt8]
        init(bytes: [UInt8]) { self.bytes = bytes }
        init(_ name: String) { bytes = Array(name.utf8) }
        static func == (a: StreamKey, b: StreamKey) -> Bool {
            // memcmp: `[UInt8] ==` compares element by element, and the writer's dictionaries compare keys a lot.
            a.bytes.count == b.bytes.count && a.bytes.withUnsafeBytes { x in
                b.bytes.withUnsafeBytes { y in
                    guard let xp = x.baseAddress, let yp = y.baseAddress else { return true }  // both empty
                    return memcmp(xp, yp, x.count) == 0
                }
            }
        }
        /// The bytes in one go (an `[UInt8]` hashes element by element).
        func hash(into h: inout Hasher) { bytes.withUnsafeBytes { h.combine(bytes: $0) } }
    }
}
