import Foundation

/// Wakes the log's subscriptions when this process commits, so that they need not wait for their next poll of the
/// store (which they still make, for other processes' commits).
final class CommitSignal: @unchecked Sendable {
    private let lock = NSLock()
    /// Moves on every commit signalled.
    private var generation: UInt64 = 0
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    /// Waiters woken (by their timer or cancellation) before they were registered.
    private var wokenEarly: Set<UInt64> = []
    private var lastWaiter: UInt64 = 0

    /// The current generation: pass it to `wait(after:timeout:)` after reading, so that a commit in between counts.
    var current: UInt64 { lock.withLock { generation } }

    /// A commit happened: wakes every waiter.
    func signal() {
        let woken: [CheckedContinuation<Void, Never>] = lock.withLock {
            generation &+= 1
            defer { waiters.removeAll(keepingCapacity: true) }
            return Array(waiters.values)
        }
        for k in woken { k.resume() }
    }

    /// Returns once a commit follows generation `seen`, after `timeout`, or when the task is cancelled.
    func wait(after seen: UInt64, timeout: Duration) async {
        let id: UInt64 = lock.withLock {
            lastWaiter &+= 1
            return lastWaiter
        }
        let timer = Task { [weak self] in
            do { try await Task.sleep(for: timeout) } catch { return }  // cancelled: the wait is over
            self?.wake(id)
        }
        defer {
            timer.cancel()
            lock.withLock { _ = wokenEarly.remove(id) }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (k: CheckedContinuation<Void, Never>) in
                let now: Bool = lock.withLock {
                    if generation != seen || wokenEarly.remove(id) != nil { return true }
                    waiters[id] = k
                    return false
                }
                if now { k.resume() }
            }
        } onCancel: {
            wake(id)
        }
    }

    /// Wakes one waiter (its timer ran out, or its task was cancelled).
    private func wake(_ id: UInt64) {
        let k: CheckedContinuation<Void, Never>? = lock.withLock {
            guard let k = waiters.removeValue(forKey: id) else {
                wokenEarly.insert(id)
                return nil
            }
            return k
        }
        k?.resume()
    }
}
