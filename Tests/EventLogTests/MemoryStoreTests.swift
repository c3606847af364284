// What only the memory store does: each ledger is its own, with no files and no deferred index entries.
import Foundation
import Testing
@testable import EventLog
@testable import EventLogLMDB
import EventLogMemory

@Suite("Memory store")
struct MemoryStoreTests {
    @Test func aLedgerInMemoryHasNoFilesAndIsItsOwn() throws {
        let a = EventLog.inMemory(name: "a"), b = EventLog.inMemory(name: "a")
        #expect(a !== b && a.ledgerID != b.ledgerID && a.path == "a")
        try a.append(to: "s", [event(1)])
        #expect(try b.head().position == 0)
        #expect(a.environmentFlags == nil)
        expectInvalidInput { try a.backup(to: "/nonexistent/never-created") }
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/never-created"))
        #expect(try a.indexedPosition() == 1)
        try a.indexTail()
        #expect(try a.read(stream: "s", from: 0).map(\.position) == [1])
    }
}
