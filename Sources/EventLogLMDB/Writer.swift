internal import CLMDB
import EventLog
import Foundation

/// The single writer thread of a log: batches queued work into one durable transaction (group commit).
///
/// `@unchecked Sendable`: all mutable state is guarded by `cond`; LMDB write transactions begin and end
/// on the writer thread only.
final class Writer: @unchecked Sendable {
    private struct Job {
        var body: (LMDBTransaction) throws -> Any
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

    func submitSync<T>(checksBeforeWriting: Bool = false, _ body: @escaping (LMDBTransaction) throws -> T) throws -> T {
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

    func submit<T: Sendable>(checksBeforeWriting: Bool = false, _ body: @escaping @Sendable (LMDBTransaction) throws -> T) async throws -> T {
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
        var last: LMDBTransaction?
        do {
            let treeTables = try env.databases(named: MerkleTable.names)  // opened (or created) once, outside the transaction
            try env.write { w in
                results = []
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
                            results.append(.success(try isolate ? tx.isolated(job.body) : job.body(tx)))
                            anySuccess = true
                        } catch let e as LMDBError where e.isMapFull {
                            throw e
                        } catch {
                            // A job that promised to check first must not have written; if it did, undo everything.
                            if job.checksBeforeWriting && tx.head != before { throw error }
                            if !isolate && !job.checksBeforeWriting { lonePartial = true }
                            results.append(.failure(LMDBStore.wrap(error, path: env.path)))
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
            let e = LMDBStore.wrap(error, path: env.path)
            return batch.map { _ in .failure(e) }
        }
        last?.publish(to: committed)
        return results
    }
}

/// Thrown inside a batch whose every job failed, so that their partial writes are rolled back.
private struct AbortBatch: Error {}
