// A log with a missing record (damage that `verify` reports) must make a rebuild fail with the position, not fold
// around the hole or fold the records after it twice, and must leave the kept models as they were.
import Foundation
import Testing
import AlignmentDomain
@testable import AlignmentLedger
@testable import EventLog
@testable import EventLogLMDB

@Suite("AlignmentLedger: a damaged log")
struct DamagedLogTests {
    @Test func aRebuildOverAGapReportsItAndChangesNothing() throws {
        try withFixture { f in
            let head = try f.ledger.log.head().position
            let hole = head / 2
            let before = try f.ledger.projectionCheckpoints().mapValues(\.position)
            let states = try keptStates(f.ledger)
            // Cut one record out of the log, as a damaged or tampered file would have it.
            try f.ledger.log.env.write { w in try w.delete(w.dbs.events, withUnsafeBytes(of: Keys.record(hole)) { Array($0) }) }
            do {
                try f.ledger.rebuild(progress: nil)
                Issue.record("a rebuild over a missing record succeeded")
            } catch let e as EventLogError {
                guard case .corrupt(let position, _) = e else { Issue.record("unexpected \(e)"); return }
                #expect(position == hole)
            }
            #expect(try f.ledger.projectionCheckpoints().mapValues(\.position) == before)
            #expect(try keptStates(f.ledger) == states)
        }
    }
}
