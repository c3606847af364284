import AlignmentLedger
import Foundation
import Hummingbird

/// Sessions of signed-in actors, in memory (a restart signs everyone out). A session opens when an actor signs a
/// challenge this server made (`SignIn`), within `challengeSeconds`, once; it lasts `sessionSeconds`, and only while
/// the actor stays active and the key they signed in with stays registered (`LedgerRoutes.signedIn` checks that on
/// every request). Its token travels in an HttpOnly, SameSite=Strict cookie (browsers) or an `Authorization: Bearer`
/// header (scripts).
///
/// Challenges are not stored (`SignInChallenges`: expiry and a MAC in the bytes), so anyone may ask for as many as
/// they like without filling the memory or locking others out; only the challenges used by a sign-in are kept, until
/// they expire, so that none is used twice.
final class Sessions: @unchecked Sendable {
    // @unchecked: `used` and `open` are only read and written under `lock`.
    static let cookieName = "align_session"
    let challengeSeconds: TimeInterval = 120
    let sessionSeconds: TimeInterval
    private let challenges = SignInChallenges()
    private let lock = NSLock()
    private var used: [[UInt8]: Date] = [:]
    private var open: [String: Entry] = [:]

    /// Who a session is for, with the key they signed in with.
    struct Entry: Sendable {
        var actor: String
        var keyID: String
        var expires: Date
    }

    init(sessionSeconds: TimeInterval = 8 * 3600) {
        self.sessionSeconds = sessionSeconds
    }

    /// A new challenge and when it expires.
    func challenge(now: Date = Date()) -> (bytes: [UInt8], expires: Date) {
        let expires = now.addingTimeInterval(challengeSeconds)
        let bytes = challenges.make(expires: expires)
        return (bytes, challenges.expiry(of: bytes) ?? expires)
    }

    /// Whether `challenge` is one this server made that has not expired (nor been used: `use` says that atomically).
    func isGood(_ challenge: [UInt8], now: Date = Date()) -> Bool {
        guard let expires = challenges.expiry(of: challenge), expires > now else { return false }
        return lock.withLock { used[challenge] == nil }
    }

    /// Marks a good challenge used by a sign-in whose signature checked; false when another sign-in used it first.
    func use(_ challenge: [UInt8], now: Date = Date()) -> Bool {
        guard let expires = challenges.expiry(of: challenge), expires > now else { return false }
        return lock.withLock {
            if used.count >= 1024 { used = used.filter { $0.value > now } }  // forget the expired ones
            return used.updateValue(expires, forKey: challenge) == nil
        }
    }

    /// Opens a session for `actor`, signed in with key `keyID`: its token and when it expires.
    func open(for actor: String, keyID: String, now: Date = Date()) -> (token: String, expires: Date) {
        let token = Base64URL.encode(Sessions.random(32))
        let expires = now.addingTimeInterval(sessionSeconds)
        lock.withLock {
            open = open.filter { $0.value.expires > now }
            open[token] = Entry(actor: actor, keyID: keyID, expires: expires)
        }
        return (token, expires)
    }

    /// The live session of `token`, nil for none (expired, closed or never opened).
    func session(token: String, now: Date = Date()) -> Entry? {
        lock.withLock { open[token].flatMap { $0.expires > now ? $0 : nil } }
    }

    /// The actor of a live session, nil for none.
    func actor(token: String, now: Date = Date()) -> String? { session(token: token, now: now)?.actor }

    func close(token: String) { _ = lock.withLock { open.removeValue(forKey: token) } }

    /// How many sessions are live.
    func openCount(now: Date = Date()) -> Int { lock.withLock { open.values.filter { $0.expires > now }.count } }

    /// The session token a request carries: `Authorization: Bearer TOKEN`, else the session cookie.
    static func token(of request: Request) -> String? {
        if let auth = request.headers[.authorization], auth.hasPrefix("Bearer ") { return String(auth.dropFirst("Bearer ".count)) }
        return request.cookies[cookieName]?.value
    }

    /// The session of `request`; a 401 (JSON) when there is none.
    func require(_ request: Request) throws -> (token: String, entry: Entry) {
        guard let token = Sessions.token(of: request), let entry = session(token: token) else {
            throw Sessions.signInFirst
        }
        return (token, entry)
    }

    static let signInFirst = APIError(status: .unauthorized, kind: "refused",
                                      message: "sign in first: POST /api/v1/session/challenge, sign it with your key (`align sign --challenge`), POST /api/v1/session",
                                      rule: "session", exit: 1)

    static func random(_ n: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
    }
}
