// A rebuild of many events (300,000): at no point may a committed checkpoint claim more than the kept model folded,
// or a crash at that point leaves a read model that silently skips events.
import Foundation
import Testing
import AlignmentDomain
@testable import AlignmentLedger
import EventLog

@Suite("AlignmentLedger: long rebuilds")
struct ChunkedRebuildTests {
    /// Rebuilds once committed a checkpoint per 125,000-event chunk, and claimed the whole log after the first one.
    /// Now the model and its checkpoint are replaced in one transaction at the end: while the rebuild folds, the
    /// kept checkpoints stay exactly where they were, and at the end they are at the head with a model to match.
    @Test(.timeLimit(.minutes(2)))
    func aChunkCheckpointClaimsOnlyWhatWasFolded() throws {
        try withFixture(populated: false) { f in
            // 300,000 small events appended to the log directly (the service would take far longer).
            let payload = Array(#"{"actor":"rita","roles":["revops"]}"#.utf8)
            var appended: UInt64 = try f.ledger.log.head().position
            while appended < 300_000 {
                let n = Int(min(10_000, 300_000 - appended))
                let events = (0..<n).map { _ in ProposedEvent(type: "ActorRolesChanged", actor: "rita", payload: payload) }
                appended = try f.ledger.log.append(to: "ledger", events).lastPosition ?? appended
            }
            let head = try f.ledger.log.head().position
            let ledger = f.ledger
            let before = try #require(try ledger.projectionCheckpoints()[.state]?.position)
            #expect(before < head)
            let seen = Calls()
            try ledger.rebuild(progress: { done, _ in
                seen.add(done, (try? ledger.projectionCheckpoints()[.state]?.position) ?? 0)
            })
            #expect(seen.all.count > 10, "progress is reported while folding")
            #expect(seen.all.allSatisfy { $0.1 == before }, "a checkpoint moved while the rebuild was still folding")
            #expect(seen.last?.0 == head)
            #expect(try ledger.projectionCheckpoints().values.allSatisfy { $0.position == head })
            #expect(try ledger.ledgerState() == ledger.replay().state.ledger())
        }
    }
}
