// Verify's contract on every store: a sound log verifies, and a checkpoint is proved or refuted the same way.
import Foundation
import Testing
@testable import EventLog
@testable import EventLogLMDB
import EventLogMemory

@Suite("Verify contract")
struct VerifyContractTests {
    @Test(arguments: Backend.allCases) func checkpointsAreProvedOrRefuted(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            let empty = try log.verify(checkpoint: Checkpoint(position: 0, hash: .genesis))
            #expect(empty.isSound && empty.events == 0 && empty.checkpointMatched == true)
            try appendMany(log, stream: "a", count: 5)
            let middle = try log.read(from: 3, limit: 1)[0]
            try log.append([StreamAppend(stream: "b", events: [event(6), event(7)])])

            let whole = try log.verify()
            #expect(whole.isSound && whole.events == 7 && whole.checkpointMatched == nil)
            #expect(whole.head == (try log.head()))

            let proved = try log.verify(checkpoint: Checkpoint(position: 3, hash: middle.hash))
            #expect(proved.isSound && proved.checkpointMatched == true)

            let rewritten = try log.verify(checkpoint: Checkpoint(position: 3, hash: .genesis))
            #expect(rewritten.problem?.position == 3 && rewritten.checkpointMatched == false)

            let beyond = try log.verify(checkpoint: Checkpoint(position: 9, hash: middle.hash))
            #expect(beyond.problem?.position == 8 && beyond.checkpointMatched == false)

            let stats = try log.stats()
            #expect(stats.events == 7 && stats.streams == 2 && stats.head == whole.head && stats.ledgerID == log.ledgerID)
        }
    }
}
