// The server's session store: challenges are good once and expire, are checked without being stored (so asking for
// many cannot lock anyone out), and a forged or altered one is refused.
import Foundation
import Testing
@testable import AlignServer

@Suite("align serve: sessions")
struct SessionTests {
    @Test func challengesAreGoodOnceAndExpire() throws {
        let s = Sessions()
        let t0 = Date()
        let (c, expires) = s.challenge(now: t0)
        #expect(abs(expires.timeIntervalSince(t0) - s.challengeSeconds) <= 1)
        #expect(s.isGood(c, now: t0.addingTimeInterval(1)))
        #expect(s.use(c, now: t0.addingTimeInterval(1)))
        #expect(!s.isGood(c, now: t0.addingTimeInterval(2)) && !s.use(c, now: t0.addingTimeInterval(2)), "used up")
        let (late, _) = s.challenge(now: t0)
        #expect(!s.isGood(late, now: t0.addingTimeInterval(s.challengeSeconds + 2)), "expired")
        #expect(!s.use(late, now: t0.addingTimeInterval(s.challengeSeconds + 2)), "expired")
    }

    @Test func asking_for_many_challenges_locks_nobody_out_and_forged_ones_are_refused() throws {
        let s = Sessions()
        let t0 = Date()
        // Far more than any cap a store would have: none is kept, so the next one is as good as the first.
        for _ in 0..<20_000 { _ = s.challenge(now: t0) }
        let (c, _) = s.challenge(now: t0)
        #expect(s.isGood(c, now: t0))
        // Another server's (or this one's before a restart), an altered expiry, random bytes: refused.
        #expect(!Sessions().isGood(c, now: t0))
        var later = c
        later[7] &+= 100
        #expect(!s.isGood(later, now: t0))
        #expect(!s.isGood(Sessions.random(32), now: t0))
        #expect(!s.isGood(Array(c.prefix(31)), now: t0))
    }

    @Test func sessionsExpireAndClose() {
        let s = Sessions(sessionSeconds: 60)
        let t0 = Date()
        let (token, _) = s.open(for: "sam", keyID: "0011223344556677", now: t0)
        #expect(s.actor(token: token, now: t0.addingTimeInterval(59)) == "sam")
        #expect(s.session(token: token, now: t0)?.keyID == "0011223344556677")
        #expect(s.actor(token: token, now: t0.addingTimeInterval(61)) == nil)
        let (other, _) = s.open(for: "sofia", keyID: "0011223344556677", now: t0)
        s.close(token: other)
        #expect(s.actor(token: other, now: t0) == nil)
        #expect(s.actor(token: "made-up", now: t0) == nil)
    }
}
