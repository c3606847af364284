internal import CLMDB
import EventLog
import Foundation

/// The single writer thread of a log: batches queued work into one durable transaction (group commit).
///
/// `@unchecked Sendable`: all mutable state is guarded by `cond`; LMDB write transactions begin and end
/// on the writer thread only.
final class Writer: @unchecked Sendable {
    /// A unit of work queued to the writer. Its result is kept in the job itself, typed (`TypedJob`): no `Any` box,
    /// no dynamic cast, no closure wrapped around the caller's. Fewer allocations per append, but the group-commit rate
    /// did not move (docs/BENCHMARKS.md, "Issue 14: group commit and signed commands, second pass"): the hand-over's
    /// cost is its two thread switches.
    class Job {
        /// The body writes nothing unless it succeeds (it checks everything first), so it needs no nested
        /// transaction to be undone. Nesting costs LMDB a few megabytes of bookkeeping per job.
        let checksBeforeWriting: Bool
        init(checksBeforeWriting: Bool) { self.checksBeforeWriting = checksBeforeWriting }
        /// Runs the body in `tx` (isolated in a nested transaction when `isolate`) and keeps its value.
        func run(_ tx: LMDBTransaction, isolate: Bool) throws { fatalError("abstract") }
        /// Keeps a failure instead (the job's own, or its whole batch's).
        func fail(_ error: Error) { fatalError("abstract") }
        /// The result is kept and durable (or final): wakes whoever waits for it.
        func finish() {}
    }

    /// A job whose body returns a `T`, kept until its caller takes it.
    class TypedJob<T>: Job {
        let body: (LMDBTransaction) throws -> T
        var result: Result<T, Error>?
        init(checksBeforeWriting: Bool, _ body: @escaping (LMDBTransaction) throws -> T) {
            self.body = body
            super.init(checksBeforeWriting: checksBeforeWriting)
        }
        override func run(_ tx: LMDBTransaction, isolate: Bool) throws {
            result = .success(try isolate ? tx.isolated(body) : body(tx))
        }
        override func fail(_ error: Error) { result = .failure(error) }
        /// The kept result (after `finish`).
        func take() throws -> T {
            switch result {
            case .success(let v)?: return v
            case .failure(let e)?: throw e
            case nil: preconditionFailure("a writer job finished without a result")
            }
        }
    }

    /// A synchronous caller's job: `finish` posts the calling thread's own semaphore (`ThreadSemaphore`), made once per
    /// thread instead of a `DispatchSemaphore` per append.
    final class SyncJob<T>: TypedJob<T> {
        let semaphore: ThreadSemaphore
        init(checksBeforeWriting: Bool, semaphore: ThreadSemaphore, _ body: @escaping (LMDBTransaction) throws -> T) {
            self.semaphore = semaphore
            super.init(checksBeforeWriting: checksBeforeWriting, body)
        }
        override func finish() { semaphore.post() }
    }

    /// An async caller's job: `finish` resumes its continuation.
    final class AsyncJob<T: Sendable>: TypedJob<T> {
        let continuation: CheckedContinuation<T, Error>
        init(checksBeforeWriting: Bool, continuation: CheckedContinuation<T, Error>, _ body: @escaping (LMDBTransaction) throws -> T) {
            self.continuation = continuation
            super.init(checksBeforeWriting: checksBeforeWriting, body)
        }
        override func finish() {
            switch result {
            case .success(let v)?: continuation.resume(returning: v)
            case .failure(let e)?: continuation.resume(throwing: e)
            case nil: continuation.resume(throwing: EventLogError.storage("the writer finished a job without a result"))
            }
        }
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

    func submitSync<T>(checksBeforeWriting: Bool = false, _ body: @escaping (LMDBTransaction) throws -> T) throws -> T {
        // A lone synchronous appender (nothing queued or running, and no group in the last batch) runs its
        // transaction on its own thread: the hand-over to the writer thread and back costs two wake-ups, about a
        // tenth of a durable commit here. The transaction still begins and ends on one thread, and `busy` keeps
        // the writer thread out meanwhile; whatever queues up in the meantime goes to the writer thread after.
        cond.lock()
        if !busy && queue.isEmpty && lastBatch <= 1 && !stopping {
            busy = true
            cond.unlock()
            let job = TypedJob(checksBeforeWriting: checksBeforeWriting, body)
            var lone: [Job] = [job]
            execute(&lone)
            cond.lock()
            busy = false
            lastBatch = 1
            if !queue.isEmpty { cond.signal() }
            cond.unlock()
            return try job.take()
        }
        let job = SyncJob(checksBeforeWriting: checksBeforeWriting, semaphore: ThreadSemaphore.current, body)
        startIfNeeded()
        queue.append(job)
        cond.signal()
        cond.unlock()
        job.semaphore.wait()
        // The semaphore orders the writer's store of the result before this read.
        return try job.take()
    }

    func submit<T: Sendable>(checksBeforeWriting: Bool = false, _ body: @escaping @Sendable (LMDBTransaction) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (k: CheckedContinuation<T, Error>) in
            enqueue(AsyncJob(checksBeforeWriting: checksBeforeWriting, continuation: k, body))
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
            execute(&batch, more: { [self] room in
                cond.lock()
                defer { cond.unlock() }
                return takeJobs(max: room)
            })
            cond.lock()
            busy = false
            lastBatch = batch.count
            cond.unlock()
            for job in batch { job.finish() }
        }
    }

    /// Takes up to `max` queued jobs; the caller holds `cond`'s lock. Usually the whole queue, swapped out (no copy).
    private func takeJobs(max: Int) -> [Job] {
        if queue.isEmpty { return [] }
        if queue.count <= max {
            var jobs: [Job] = []
            jobs.reserveCapacity(16)
            swap(&jobs, &queue)
            return jobs
        }
        let jobs = Array(queue[0..<max])
        queue.removeFirst(max)
        return jobs
    }

    /// Runs a batch in one transaction, keeping each job's result in the job. Each job is isolated in a nested
    /// transaction when there are several, so one refused job does not undo the others. `more(room)` hands over jobs
    /// queued meanwhile, which join the batch (they are appended to `batch`, and get their results with the others).
    private func execute(_ batch: inout [Job], more: ((Int) -> [Job])? = nil) {
        var last: LMDBTransaction?
        do {
            let treeTables = try env.databases(named: MerkleTable.names)  // opened (or created) once, outside the transaction
            try env.write { w in
                // This body runs again (every job with it) when the map had to grow.
                let tx = try LMDBTransaction(w: w, env: env, tree: (treeTables[0], treeTables[1]), now: clock(), committed: committed)
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
                            try job.run(tx, isolate: isolate)
                            anySuccess = true
                        } catch let e as LMDBError where e.isMapFull {
                            throw e
                        } catch {
                            // A job that promised to check first must not have written; if it did, undo everything.
                            if job.checksBeforeWriting && tx.head != before { throw error }
                            if !isolate && !job.checksBeforeWriting { lonePartial = true }
                            job.fail(LMDBStore.wrap(error, path: env.path))
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
            return  // every job kept its own failure
        } catch {
            let e = LMDBStore.wrap(error, path: env.path)
            for job in batch { job.fail(e) }
            return
        }
        last?.publish(to: committed)
    }
}

/// Thrown inside a batch whose every job failed, so that their partial writes are rolled back.
private struct AbortBatch: Error {}
