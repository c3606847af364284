import AlignmentLedger
import Foundation
import Hummingbird

/// Sessions of signed-in actors, in memory (a restart signs everyone out). A session opens when an actor signs a
/// challenge the server handed out (`SignIn`), once, within `challengeSeconds`; it lasts `sessionSeconds`. Its token
/// travels in an HttpOnly, SameSite=Strict cookie (browsers) or an `Authorization: Bearer` header (scripts).
final class Sessions: @unchecked Sendable {
    // @unchecked: `challenges` and `open` are only read and written under `lock`.
    static let cookieName = "align_session"
    let challengeSeconds: TimeInterval = 120
    let sessionSeconds: TimeInterval
    private let lock = NSLock()
    private var challenges: [[UInt8]: Date] = [:]
    private var open: [String: (actor: String, expires: Date)] = [:]

    init(sessionSeconds: TimeInterval = 8 * 3600, maxChallenges: Int = 10_000) {
        self.sessionSeconds = sessionSeconds
        self.maxChallenges = maxChallenges
    }

    /// At most this many challenges wait to be signed: anyone may ask for one, so they must not fill the memory.
    let maxChallenges: Int

    /// A new challenge and when it expires; a 429 when `maxChallenges` unexpired ones wait already.
    func challenge(now: Date = Date()) throws -> (bytes: [UInt8], expires: Date) {
        let bytes = Sessions.random(SignIn.challengeBytes)
        let expires = now.addingTimeInterval(challengeSeconds)
        let taken = lock.withLock { () -> Bool in
            if challenges.count >= maxChallenges { challenges = challenges.filter { $0.value > now } }  // forget the expired ones
            guard challenges.count < maxChallenges else { return false }
            challenges[bytes] = expires
            return true
        }
        guard taken else {
            throw APIError(status: .tooManyRequests, kind: "refused", message: "too many sign-ins are under way; try again in a minute", rule: "session", exit: 1)
        }
        return (bytes, expires)
    }

    /// Takes a challenge handed out and not yet used nor expired (it is used up whatever the sign-in's outcome).
    func take(_ challenge: [UInt8], now: Date = Date()) -> Bool {
        lock.withLock { challenges.removeValue(forKey: challenge).map { $0 > now } ?? false }
    }

    /// Opens a session for `actor`: its token and when it expires.
    func open(for actor: String, now: Date = Date()) -> (token: String, expires: Date) {
        let token = Base64URL.encode(Sessions.random(32))
        let expires = now.addingTimeInterval(sessionSeconds)
        lock.withLock {
            open = open.filter { $0.value.expires > now }
            open[token] = (actor, expires)
        }
        return (token, expires)
    }

    /// The actor of a live session, nil for none.
    func actor(token: String, now: Date = Date()) -> String? {
        lock.withLock { open[token].flatMap { $0.expires > now ? $0.actor : nil } }
    }

    func close(token: String) { _ = lock.withLock { open.removeValue(forKey: token) } }

    /// How many sessions are live.
    func openCount(now: Date = Date()) -> Int { lock.withLock { open.values.filter { $0.expires > now }.count } }

    /// The session token a request carries: `Authorization: Bearer TOKEN`, else the session cookie.
    static func token(of request: Request) -> String? {
        if let auth = request.headers[.authorization], auth.hasPrefix("Bearer ") { return String(auth.dropFirst("Bearer ".count)) }
        return request.cookies[cookieName]?.value
    }

    /// The actor signed in on `request`; a 401 (JSON) when there is no live session.
    func require(_ request: Request) throws -> String {
        guard let token = Sessions.token(of: request), let actor = actor(token: token) else {
            throw APIError(status: .unauthorized, kind: "refused", message: "sign in first: POST /api/v1/session/challenge, sign it with your key (`align sign --challenge`), POST /api/v1/session",
                           rule: "session", exit: 1)
        }
        return actor
    }

    static func random(_ n: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
    }
}
