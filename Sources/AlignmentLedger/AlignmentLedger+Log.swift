import EventLog
import EventLogLMDB
import Foundation

extension AlignmentLedger {
    /// Opens a ledger to read its log only (`events`, `follow`, `verify`, `stats`, `export`): the kept read models are
    /// neither prepared nor brought up to date, so a damaged ledger can still be verified.
    /// `access` as for `open`.
    public static func openLog(at path: String, access: LedgerAccess.Request = .readWrite) throws -> AlignmentLedger {
        AlignmentLedger(log: try EventLog.open(at: path, access: access))
    }

    /// Installs the process's last-resort handler for a damaged ledger file (see `EventLog.installDamageNet`): a fault
    /// while LMDB follows a damaged page ends the process with exit 3 and a message naming `align verify` and the
    /// backup, instead of a crash. For a program that owns its process, called once at start.
    @discardableResult
    public static func installDamageNet() -> Bool { EventLog.installDamageNet() }

    /// The ledger's directory.
    public var path: String { log.path }
    /// The ledger's id, fixed at creation.
    public var ledgerID: UUID { log.ledgerID }

    /// The last position and its chain hash.
    public func head() throws -> Checkpoint { try log.head() }

    /// Events, streams, size on disk and the head.
    public func stats() throws -> LedgerStats { try log.stats() }

    /// Up to `limit` events from `position` on, in log order.
    /// Each is linked to the chain first (`EventLog.checkLinks`): a record altered in the file is reported, not shown.
    public func events(from position: UInt64, limit: Int) throws -> [RecordedEvent] {
        let events = try log.read(from: position, limit: limit)
        try log.checkLinks(events)
        return events
    }

    /// Events from `position` on: those stored, then each new one as it commits (this process's or another's),
    /// from the log's subscription. Ends when the consuming task is cancelled.
    public func follow(from position: UInt64) -> AsyncThrowingStream<RecordedEvent, Error> {
        log.subscribe(from: position)
    }

    /// `follow`, which also ends when `stop()` turns true, checked every 200 ms (as `tail -f` notices that its reader
    /// went while no line comes).
    public func follow(from position: UInt64, until stop: @escaping @Sendable () -> Bool) -> AsyncThrowingStream<RecordedEvent, Error> {
        let events = log.subscribe(from: position)
        return AsyncThrowingStream(bufferingPolicy: .bufferingOldest(4096)) { continuation in
            let task = Task {
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            // Wait for room rather than drop events or hold the whole log when the consumer is slow.
                            for try await e in events { while case .dropped = continuation.yield(e) { try await Task.sleep(for: .milliseconds(5)) } }
                        }
                        group.addTask { while !stop() { try await Task.sleep(for: .milliseconds(200)) } }
                        try await group.next()
                        group.cancelAll()
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error is CancellationError ? nil : error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Checks every hash of the chain and every index entry, and that the log extends `checkpoint` if given.
    public func verify(checkpoint: Checkpoint?, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> VerifyReport {
        try log.verify(checkpoint: checkpoint, progress: progress)
    }
}
