// The side tables' contract, on every store: read models kept beside the log change in the same transaction as the
// appends beside them, and not at all when the transaction throws; scans walk keys in byte order.
import Foundation
import Testing
@testable import EventLog
@testable import EventLogLMDB
import EventLogMemory

@Suite("Side tables contract")
struct SideTableContractTests {
    struct Refused: Error {}

    @Test(arguments: Backend.allCases) func writesCommitWithTheAppendOrNotAtAll(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            try log.prepareSideTables(["rows", "other"])
            let head: UInt64 = try log.transaction { tx in
                try tx.put("rows", [2], [20])
                try tx.put("rows", [1], [10])
                try tx.putSorted("rows", [(key: [3], value: [30]), (key: [4], value: [40]), (key: [0], value: [0])])
                try tx.put("other", [9], [90])
                return try tx.append([StreamAppend(stream: "s", events: [event(1)])]).events[0].position
            }
            #expect(head == 1)
            #expect(try log.sideTableValue("rows", [1]) == [10])
            #expect(try log.sideTableValue("rows", [5]) == nil)
            var keys: [[UInt8]] = []
            try log.sideTableScan("rows") { k, _ in keys.append(k); return true }
            #expect(keys == [[0], [1], [2], [3], [4]])

            // A body that throws after writing leaves the tables and the log as they were.
            #expect(throws: Refused.self) {
                try log.transaction { tx in
                    try tx.put("rows", [1], [11])
                    try tx.delete("rows", [2])
                    try tx.clear("other")
                    _ = try tx.append([StreamAppend(stream: "s", events: [event(2)])])
                    throw Refused()
                }
            }
            #expect(try log.head().position == 1)
            #expect(try log.sideTableValue("rows", [1]) == [10])
            #expect(try log.sideTableValue("rows", [2]) == [20])
            #expect(try log.sideTableValue("other", [9]) == [90])

            // Delete, clear, and a scan by prefix that stops early.
            let gone: [[UInt8]?] = try log.transaction { tx in
                try tx.delete("rows", [2])
                try tx.clear("other")
                try tx.put("rows", [1, 1], [11])
                try tx.put("rows", [1, 2], [12])
                return [try tx.get("rows", [2]), try tx.get("other", [9])]
            }
            #expect(gone == [nil, nil])
            var seen: [[UInt8]] = []
            try log.sideTableScan("rows", prefix: [1]) { k, v in seen.append(k + v); return seen.count < 2 }
            #expect(seen == [[1, 10], [1, 1, 11]])
            #expect(try log.sideTableValue("other", [9]) == nil)
            #expect(try log.verify().isSound)
        }
    }

    @Test(arguments: Backend.allCases) func anUnpreparedTableIsRefusedInATransaction(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            expectInvalidInput { try log.transaction { tx in try tx.put("never", [1], [1]) } }
            #expect(try log.head().position == 0)
        }
    }

    @Test(arguments: Backend.allCases) func transactionsSeeTheirOwnAppendsAndTheCommittedHead(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            try log.append(to: "a", [event(1)])
            let seen: [UInt64?] = try log.transaction { tx in
                let before = try tx.version(of: "a")
                _ = try tx.append([StreamAppend(stream: "a", expected: .exact(1), events: [event(2)])])
                let stored = try tx.readStored(from: 1, limit: 10).events().map(\.position)
                return [before, try tx.version(of: "a"), tx.committedHead, tx.head.position, UInt64(stored.count)]
            }
            #expect(seen == [1, 2, 1, 2, 2])
        }
    }
}
