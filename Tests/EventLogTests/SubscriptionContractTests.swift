// Subscriptions on every store: catch-up, then each new event; commits made in this process wake them at once.
import Foundation
import Testing
@testable import EventLog
@testable import EventLogLMDB
import EventLogMemory

@Suite("Subscriptions contract")
struct SubscriptionContractTests {
    @Test(.timeLimit(.minutes(1)), arguments: Backend.allCases)
    func subscriptionCatchesUpThenDeliversNewEvents(_ backend: Backend) async throws {
        try await withLedgerAsync(backend) { log, _ in
            try appendMany(log, stream: "early", count: 3)
            var it = log.subscribe(from: 2, pollInterval: .milliseconds(5)).makeAsyncIterator()
            var got: [UInt64] = []
            for _ in 0..<2 { if let e = try await it.next() { got.append(e.position) } }
            try await log.append([StreamAppend(stream: "late", events: [event(4)])])
            if let e = try await it.next() { got.append(e.position) }
            #expect(got == [2, 3, 4])
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: Backend.allCases)
    func aCommitInThisProcessWakesTheSubscriptionBeforeItsNextPoll(_ backend: Backend) async throws {
        try await withLedgerAsync(backend) { log, _ in
            try appendMany(log, stream: "early", count: 1)
            // A poll interval far longer than the test may take: only the wake-up can deliver in time.
            var it = log.subscribe(from: 1, pollInterval: .seconds(600)).makeAsyncIterator()
            #expect(try await it.next()?.position == 1)
            let started = ContinuousClock.now
            Task.detached {
                try await Task.sleep(for: .milliseconds(50))  // the subscription is waiting by then
                try log.append(to: "late", [event(2)])
            }
            #expect(try await it.next()?.position == 2)
            try await log.transaction { tx in _ = try tx.append([StreamAppend(stream: "late", events: [event(3)])]) }
            #expect(try await it.next()?.position == 3)
            #expect(ContinuousClock.now - started < .seconds(30))
        }
    }
}
