@testable import AlignmentDomain
import Foundation

@testable import AlignmentProjections

func t(_ s: String) -> Date { DomainTime.parse(s)! }

/// Folds events through the state and scorecard folds the way the ledger does (scorecard first), and reads the
/// scorecard from the buckets they keep.
final class ScorecardHarness {
    let state = CurrentStateFold()
    let card = ScorecardFold()
    var position: UInt64 = 0

    func add(_ e: DomainEvent, by actor: String, at: String) throws {
        position += 1
        let r = Recorded(event: e, actor: actor, at: t(at), position: position)
        try card.apply(r, state: state)
        try state.apply(r)
    }

    /// `asOf` ages the open leads against an SLA of `slaHours`; without it they are counted, not aged.
    func scorecard(_ period: Scorecard.Period = .month, since: String? = nil, until: String? = nil, by: Scorecard.Breakdown? = nil,
                   asOf: String? = nil, slaHours: Int = 24) -> Scorecard {
        Scorecard.compute(buckets: card.buckets.map { ($0.key, $0.value) }, period: period, since: since.map(t), until: until.map(t),
                          by: by, aging: asOf.map { OpenAging(asOf: t($0), slaHours: slaHours) })
    }
}
