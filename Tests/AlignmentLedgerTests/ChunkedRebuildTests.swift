// A rebuild of more events than one transaction folds (125,000): the checkpoint written with each chunk must not
// claim more than the chunk folded, or a crash between chunks leaves a read model that silently skips events.
import Foundation
import Testing
import AlignmentDomain
import AlignmentLedger
import EventLog

@Suite("AlignmentLedger: long rebuilds")
struct ChunkedRebuildTests {
    /// BUG: Projector.flush (Sources/AlignmentLedger/Projector.swift) writes `tx.head.position` as every checkpoint,
    /// also at the end of a 125,000-event chunk of `fold(from:...)` (AlignmentLedger.swift) when the log goes further:
    /// after the first chunk commits, the checkpoints claim the whole log while the rest is not folded yet. A crash
    /// there, and `open`'s catch-up trusts them and skips the remaining events for good.
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
            let seen = Calls()
            try ledger.rebuild(progress: { done, _ in
                // The kept checkpoint (committed by the previous chunk, if any) against what has been folded so far.
                let cp = (try? ledger.projectionCheckpoints()[.state]?.position) ?? 0
                seen.add(done, cp)
            })
            let overclaimed = seen.all.first { done, cp in cp > done && cp == head && done < head }
            #expect(overclaimed == nil, "while folding through \(overclaimed?.0 ?? 0), the committed checkpoint already said \(head)") // BUG
            #expect(seen.last?.0 == head)
        }
    }
}
