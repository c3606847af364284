// The service on the in-memory store: the same commands give the same kept states and answers as on disk, the
// rules refuse the same way, and the log verifies.
import Foundation
import Testing
import AlignmentDomain
@testable import AlignmentLedger

@Suite("AlignmentLedger in memory")
struct MemoryLedgerTests {
    @Test func theSameCommandsGiveTheSameStatesAndAnswersInMemoryAndOnDisk() throws {
        try withLedgerDirectory { path in
            let disk = try Fixture(path: path)
            let memory = try Fixture(inMemory: ())
            try disk.populate()
            try memory.populate()
            #expect(try keptStates(memory.ledger) == keptStates(disk.ledger))
            #expect(try keptStates(memory.ledger).count > 5)
            let at = ledgerT0.addingTimeInterval(3600)
            let (a, b) = (try memory.ledger.whoApproved("mql", at: at), try disk.ledger.whoApproved("mql", at: at))
            #expect(a.version == 1 && a.version == b.version)
            #expect(a.signOffs.count == 1 && a.signOffs.count == b.signOffs.count)
            #expect(a.activationPosition == b.activationPosition)
            #expect(try memory.ledger.events(from: 1, limit: 100).map(\.type) == disk.ledger.events(from: 1, limit: 100).map(\.type))
            #expect(try memory.ledger.verify(checkpoint: nil).isSound)
        }
    }

    @Test func aRefusedCommandWritesNothingInMemory() throws {
        let f = try Fixture(inMemory: ())
        try f.populate()
        let head = try f.ledger.head()
        #expect(throws: DomainError.self) { try f.run(.leadAccept(id: "L-1"), as: "sam") }
        #expect(throws: DomainError.self) { try f.run(.definitionSignOff(id: "mql", version: 1, comment: nil), as: "maria") }
        #expect(try f.ledger.head() == head)
    }
}
