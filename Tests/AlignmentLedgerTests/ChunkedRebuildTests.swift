// A rebuild of many events (300,000): at no point may a committed checkpoint claim more than the kept model folded,
// or a crash at that point leaves a read model that silently skips events.
import Foundation
import Testing
import AlignmentDomain
import AlignmentLedger
import EventLog

@Suite("AlignmentLedger: long rebuilds")
struct ChunkedRebuildTests {
    /// Rebuilds once committed a checkpoint per 125,000-event chunk, and claimed the whole log after the first one.
    /// Now the model and its checkpoint are written in one transaction at the end; this keeps that true.
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
            #expect(overclaimed == nil, "while folding through \(overclaimed?.0 ?? 0), the committed checkpoint already said \(head)")
            #expect(seen.last?.0 == head)
            #expect(try ledger.projectionCheckpoints().values.allSatisfy { $0.position == head })
            #expect(try ledger.ledgerState() == ledger.replay().state.ledger())
        }
    }
}
