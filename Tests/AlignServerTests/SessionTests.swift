// The server's session store: challenges are good once and expire, and anyone asking for them cannot fill the memory.
import Foundation
import Testing
@testable import AlignServer

@Suite("align serve: sessions")
struct SessionTests {
    @Test func challengesAreGoodOnceAndExpire() throws {
        let s = Sessions()
        let t0 = Date()
        let (c, expires) = try s.challenge(now: t0)
        #expect(expires == t0.addingTimeInterval(s.challengeSeconds))
        #expect(s.take(c, now: t0.addingTimeInterval(1)))
        #expect(!s.take(c, now: t0.addingTimeInterval(2)), "used up")
        let (late, _) = try s.challenge(now: t0)
        #expect(!s.take(late, now: t0.addingTimeInterval(s.challengeSeconds + 1)), "expired")
    }

    @Test func outstandingChallengesAreCapped() throws {
        let s = Sessions(maxChallenges: 2)
        let t0 = Date()
        let (a, _) = try s.challenge(now: t0)
        _ = try s.challenge(now: t0)
        #expect(throws: APIError.self) { try s.challenge(now: t0) }
        #expect(s.take(a, now: t0))
        _ = try s.challenge(now: t0)  // room again
        // Expired ones make room too.
        _ = try s.challenge(now: t0.addingTimeInterval(s.challengeSeconds + 1))
    }

    @Test func sessionsExpireAndClose() {
        let s = Sessions(sessionSeconds: 60)
        let t0 = Date()
        let (token, _) = s.open(for: "sam", now: t0)
        #expect(s.actor(token: token, now: t0.addingTimeInterval(59)) == "sam")
        #expect(s.actor(token: token, now: t0.addingTimeInterval(61)) == nil)
        let (other, _) = s.open(for: "sofia", now: t0)
        s.close(token: other)
        #expect(s.actor(token: other, now: t0) == nil)
        #expect(s.actor(token: "made-up", now: t0) == nil)
    }
}
