import Foundation

extension EventLog {
    /// Events from `position` on: first those already stored (catch-up), then each new event as it commits,
    /// whether this process or another appended it. Ends only when the consuming task is cancelled.
    ///
    /// Commits made through this log wake the subscription at once; other processes' commits are noticed by
    /// polling the store (every `pollInterval` when idle): LMDB offers no cross-process notification.
    public func subscribe(from position: UInt64 = 1, pollInterval: Duration = .milliseconds(20)) -> AsyncThrowingStream<RecordedEvent, Error> {
        AsyncThrowingStream(bufferingPolicy: .bufferingOldest(4096)) { continuation in
            let task = Task.detached { [self] in
                var next = max(position, 1)
                do {
                    while !Task.isCancelled {
                        let seen = commits.current  // before reading: a commit in between then ends the wait at once
                        let batch = try read(from: next, limit: 1024)
                        if batch.isEmpty {
                            await commits.wait(after: seen, timeout: pollInterval)
                            continue
                        }
                        for e in batch {
                            // Wait for room rather than drop events when the consumer is slow.
                            while case .dropped = continuation.yield(e) {
                                try await Task.sleep(for: .milliseconds(5))
                            }
                            next = e.position + 1
                        }
                    }
                    continuation.finish()
                } catch is CancellationError {
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
