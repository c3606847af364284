import AlignmentDomain
import Foundation

/// `align-bench criteria`: the evaluation of one handoff against a definition of two fit criteria and one engagement
/// criterion with a window (3 profile fields, 1 signal), in µs: the median of 7 rounds of 200,000 evaluations, for the
/// evaluation's share of `apply` in `tools/bench-cli.sh`.
enum CriteriaBench {
    static func run() throws -> Double {
        let fit = [try Criterion.parse("employees>=200"), try Criterion.parse("industry in [saas,fintech]")]
        let engagement = [try Criterion.parse("webinar.attended>=1 within 30d")]
        let at = Date(timeIntervalSince1970: 1_796_000_000)
        let n = 200_000
        let handoffs = (0..<n).map { i in
            (profile: ["company": "C\(i)", "employees": String(200 + i % 5000), "industry": i % 2 == 0 ? "fintech" : "saas"],
             signals: [Signal(name: "webinar.attended", at: at.addingTimeInterval(-86_400))])
        }
        var rounds: [Double] = []
        var met = 0
        for _ in 0..<7 {
            let start = DispatchTime.now().uptimeNanoseconds
            for h in handoffs where Criteria.evaluate(fit: fit, engagement: engagement, profile: h.profile, signals: h.signals, at: at).met {
                met += 1
            }
            rounds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000 / Double(n))
        }
        guard met == 7 * n else { throw CriteriaBenchError.notMet(met) }
        return rounds.sorted()[rounds.count / 2]
    }
}

enum CriteriaBenchError: Error { case notMet(Int) }
