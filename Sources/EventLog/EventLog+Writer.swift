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
            streams.append(Stream(name: a.stream, expected: a.expected, events: events))
        }
        if total == 0 { throw .invalidInput("an append needs at least one event") }
        if total > Limits.maxEventsPerAppend {
            throw .invalidInput("an append of \(total) events is over the limit of \(Limits.maxEventsPerAppend); split it")
        }
        self.streams = streams
        self.count = total
    }
}

/// The writer's view of one durable transaction. Handed to `EventLog.transaction` bodies; never escapes them.
public final class LogTransaction {
    let w: WriteTransaction
    let env: Environment
    /// Position and hash of the last event written so far in this transaction.
    public private(set) var head: Checkpoint
    /// The recorded-at time of every event in this transaction.
    public let now: Timestamp
    /// Stream id and last version cache, valid within this transaction.
    private var streamCache: [String: (sid: UInt32, version: UInt64)] = [:]
    private var nextStreamID: UInt32?
    /// The writer's streams as of its last commit, when that commit is still the head (else nil).
    private let committed: CommittedStreams?

    init(w: WriteTransaction, env: Environment, now: Timestamp, committed: CommittedStreams? = nil) throws {
        self.w = w
        self.env = env
        self.now = now
        self.head = try Meta.readHead(w.reader)
        if let c = committed, c.head == head {
            self.committed = c
            self.nextStreamID = c.nextStreamID
        } else {
            committed?.reset()  // another process appended since (or nothing is known yet)
            self.committed = nil
        }
    }

    /// Hands this transaction's stream states to the writer's cache; called once the transaction has committed.
    func publish(to c: CommittedStreams) {
        if c.streams.count + streamCache.count > CommittedStreams.maxEntries { c.streams.removeAll() }
        for (name, state) in streamCache { c.streams[name] = state }
        c.nextStreamID = nextStreamID
        c.head = head
    }

    /// Runs `body` so that its writes and cache changes are all undone if it throws.
    func isolated<T>(_ body: (LogTransaction) throws -> T) throws -> T {
        let saved = (head, streamCache, nextStreamID)
        do {
            return try w.nested { child in
                let tx = LogTransaction(child: child, parent: self)
                let r = try body(tx)
                (head, streamCache, nextStreamID) = (tx.head, tx.streamCache, tx.nextStreamID)
                return r
            }
        } catch {
            (head, streamCache, nextStreamID) = saved
            throw error
        }
    }

    private init(child: WriteTransaction, parent: LogTransaction) {
        self.w = child
        self.env = parent.env
        self.now = parent.now
        self.head = parent.head
        self.streamCache = parent.streamCache
        self.nextStreamID = parent.nextStreamID
        self.committed = parent.committed
    }

    /// The current version of a stream as this transaction sees it (nil when it does not exist).
    public func version(of stream: String) throws -> UInt64? {
        try streamState(stream, create: false)?.version
    }

    private func streamState(_ name: String, create: Bool) throws -> (sid: UInt32, version: UInt64)? {
        if let s = streamCache[name] { return s }
        if let s = committed?.streams[name] {
            streamCache[name] = s
            return s
        }
        let r = w.reader
        if let sid = try Streams.id(r, name) {
            let s = (sid, try Streams.lastVersion(r, sid) ?? 0)
            streamCache[name] = s
            return s
        }
        guard create else { return nil }
        return nil
    }

    private func createStream(_ name: String) throws -> UInt32 {
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
            var n = name
            try n.withUTF8 { u in
                try w.put(w.dbs.streams, UnsafeRawBufferPointer(u), idBytes, flags: MDB_NOOVERWRITE)
                try w.put(w.dbs.streamNames, idBytes, UnsafeRawBufferPointer(u), flags: MDB_APPEND)
            }
        }
        streamCache[name] = (sid, 0)
        return sid
    }

    /// Appends a checked request. Used by `EventLog.append`.
    func append(_ req: PreparedAppend) throws -> AppendResult {
        // Idempotency: look the ids up first. An id above the greatest stored id (as time-ordered ids made now
        // are) cannot be stored, so only the others are looked up.
        var existing: [UInt64?] = []
        existing.reserveCapacity(req.count)
        var anyExisting = false
        let greatest = try greatestID()
        for s in req.streams {
            for e in s.events {
                let pos = try e.proposed.id.withBytes { id -> UnsafeRawBufferPointer? in
                    if let g = greatest, memcmp(id.baseAddress!, g.baseAddress!, 16) > 0 { return nil }
                    return try w.reader.get(w.dbs.ids, id)
                }.flatMap {
                    $0.count == 8 ? UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) : nil
                }
                if pos != nil { anyExisting = true }
                existing.append(pos)
            }
        }
        if anyExisting { return try duplicate(req, existing) }

        var out: [RecordedEvent] = []
        out.reserveCapacity(req.count)
        for s in req.streams {
            let state = try streamState(s.name, create: false)
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
            let sid = try state?.sid ?? createStream(s.name)
            var version = current ?? 0
            for e in s.events {
                version += 1
                out.append(try write(e, name: s.name, sid: sid, version: version))
            }
            streamCache[s.name] = (sid, version)
        }
        return AppendResult(events: out, wasDuplicate: false)
    }

    private func write(_ e: PreparedAppend.Event, name: String, sid: UInt32, version: UInt64) throws -> RecordedEvent {
        let position = head.position + 1
        let p = e.proposed
        let occurred = p.occurredAt ?? now
        var body = RecordCodec.encodeBody(RecordCodec.Fields(
            id: p.id, stream: e.stream, version: version, type: e.type, schemaVersion: p.schemaVersion,
            recordedAt: now.microseconds, occurredAt: occurred.microseconds, actor: e.actor,
            correlationID: p.correlationID, causationID: p.causationID, payload: e.payload, signature: p.signature))
        let bodyLen = body.count - RecordCodec.hashSize
        let hash = body.withUnsafeBytes { RecordCodec.chain(previous: head.hash, position: position, body: UnsafeRawBufferPointer(rebasing: $0[0..<bodyLen])) }
        hash.write(into: &body, at: bodyLen)
        var posBE = position.bigEndian
        var posLE = position.littleEndian
        try withUnsafeBytes(of: &posBE) { k in
            try body.withUnsafeBytes { v in try w.put(w.dbs.events, k, v, flags: MDB_APPEND) }
        }
        try withUnsafeBytes(of: &posLE) { v in
            var key = Keys.streamIndex(sid, version)
            try withUnsafeBytes(of: &key) { k in try w.put(w.dbs.streamIndex, k, v, flags: MDB_NOOVERWRITE) }
            try p.id.withBytes { k in try w.put(w.dbs.ids, k, v, flags: MDB_NOOVERWRITE) }
        }
        head = Checkpoint(position: position, hash: hash)
        return RecordedEvent(
            position: position, id: p.id, stream: name, version: version,
            type: p.type, schemaVersion: p.schemaVersion, recordedAt: now, occurredAt: occurred, actor: p.actor,
            correlationID: p.correlationID, causationID: p.causationID, payload: e.payload, signature: p.signature, hash: hash)
    }

    /// The greatest key of the id index as this transaction sees it (nil when the index is empty or that key is
    /// not 16 bytes: then every id is looked up). Valid until this transaction writes.
    private func greatestID() throws -> UnsafeRawBufferPointer? {
        let c = try w.reader.cursor(w.dbs.ids)
        defer { c.close() }
        guard let last = try c.last(), last.key.count == 16 else { return nil }
        return last.key
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
                guard let bytes = try w.reader.get(w.dbs.events, position: pos) else {
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

    /// Reads events of the log as this transaction sees them.
    public func read(from position: UInt64, limit: Int) throws -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        let c = try w.reader.cursor(w.dbs.events)
        defer { c.close() }
        var be = max(position, 1).bigEndian
        var entry = try withUnsafeBytes(of: &be) { try c.seek($0) }
        while let (k, v) = entry, out.count < limit {
            let pos = Keys.position(k)
            out.append(try RecordCodec.decodeStored(position: pos, v))
            entry = try c.next()
        }
        return out
    }

    /// Persists the head. Called once per batch by the writer.
    func commitHead() throws {
        try w.put(w.dbs.meta, Meta.head, Meta.encodeHead(head))
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
    }

    private let env: Environment
    private let clock: @Sendable () -> Timestamp
    /// Stream states as of the last commit; touched on the writer thread only.
    private let committed = CommittedStreams()
    private let cond = NSCondition()
    private var queue: [Job] = []
    private var stopping = false
    private var started = false
    /// Most jobs in one transaction.
    static let maxBatch = 512

    init(env: Environment, clock: @escaping @Sendable () -> Timestamp) {
        self.env = env
        self.clock = clock
    }

    private func startIfNeeded() {
        if started { return }
        started = true
        let t = Thread { [self] in run() }
        t.name = "eventlog-writer"
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

    func submitSync<T>(_ body: @escaping (LogTransaction) throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Any, Error>?
        enqueue(Job(body: { try body($0) }, done: { result = $0; done.signal() }))
        done.wait()
        // The semaphore orders the writer's store before this read.
        switch result! {
        case .success(let v): return v as! T
        case .failure(let e): throw e
        }
    }

    func submit<T: Sendable>(_ body: @escaping @Sendable (LogTransaction) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (k: CheckedContinuation<T, Error>) in
            enqueue(Job(body: { try body($0) }, done: { r in
                switch r {
                case .success(let v): k.resume(returning: v as! T)
                case .failure(let e): k.resume(throwing: e)
                }
            }))
        }
    }

    private func run() {
        while true {
            cond.lock()
            while queue.isEmpty && !stopping { cond.wait() }
            if queue.isEmpty && stopping { cond.unlock(); return }
            let n = min(queue.count, Writer.maxBatch)
            let batch = Array(queue[0..<n])
            queue.removeFirst(n)
            cond.unlock()
            let results = execute(batch)
            for (job, r) in zip(batch, results) { job.done(r) }
        }
    }

    /// Runs a batch in one transaction. Each job is isolated in a nested transaction when there are several,
    /// so one refused job does not undo the others.
    private func execute(_ batch: [Job]) -> [Result<Any, Error>] {
        var results: [Result<Any, Error>] = []
        var last: LogTransaction?
        do {
            try env.write { w in
                results = []
                let tx = try LogTransaction(w: w, env: env, now: clock(), committed: committed)
                last = tx
                var anySuccess = false
                if batch.count == 1 {
                    do {
                        results.append(.success(try batch[0].body(tx)))
                        anySuccess = true
                    } catch let e as LMDBError where e.isMapFull {
                        throw e
                    } catch {
                        results.append(.failure(EventLog.wrap(error)))
                    }
                } else {
                    for job in batch {
                        do {
                            results.append(.success(try tx.isolated(job.body)))
                            anySuccess = true
                        } catch let e as LMDBError where e.isMapFull {
                            throw e
                        } catch {
                            results.append(.failure(EventLog.wrap(error)))
                        }
                    }
                }
                if !anySuccess { throw AbortBatch() }
                try tx.commitHead()
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
    var streams: [String: (sid: UInt32, version: UInt64)] = [:]
    var nextStreamID: UInt32?
    /// Bound on the entries kept (the cache is emptied when it would grow past it).
    static let maxEntries = 100_000

    func reset() {
        head = nil
        streams.removeAll(keepingCapacity: true)
        nextStreamID = nil
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
