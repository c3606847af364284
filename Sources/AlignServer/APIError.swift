import AlignmentLedger
import Hummingbird
import Logging

/// A failure answered as JSON: `{"error": {"exit": N, "kind": K, "message": M, "rule": R}}`, with the HTTP status of its
/// kind. `exit` is what the command line would exit with for the same failure (1 refused or not found, 2 usage, 3
/// storage), so a client reads one meaning whichever door it used; `rule` names the rule that refused, when one did.
struct APIError: Error {
    var status: HTTPResponse.Status
    var kind: String
    var message: String
    var rule: String?
    var exit: Int

    init(status: HTTPResponse.Status, kind: String = "usage", message: String, rule: String? = nil, exit: Int = 2) {
        (self.status, self.kind, self.message, self.rule, self.exit) = (status, kind, message, rule, exit)
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(status: .contentTooLarge, message: "the body is larger than this server takes (\(limit) bytes)")
    }

    /// The service's failure `failure` (see `LedgerFailure`), with its status: usage 400, not found 404, a signature or key
    /// refused 403, a nonce used before 409, another rule's refusal 409, storage 500.
    init(_ failure: LedgerFailure) {
        let status: HTTPResponse.Status = switch failure.kind {
        case .usage: .badRequest
        case .notFound: .notFound
        case .refused: failure.rule == Rule.signature ? .forbidden : .conflict
        case .storage: .internalServerError
        }
        self.init(status: status, kind: failure.kind.rawValue, message: failure.message, rule: failure.rule, exit: Int(failure.exitCode))
    }

    /// The JSON answer to any error a route meets; unexpected ones are storage failures (500), logged.
    static func response(for error: Error, logger: Logger) -> Response {
        let e = (error as? APIError) ?? APIError(LedgerFailure(error))
        if e.status.code >= 500 { logger.error("request failed", metadata: ["error": "\(e.message)"]) }
        let body = (try? LedgerJSON.encode(Body(error: .init(exit: e.exit, kind: e.kind, message: e.message, rule: e.rule))))
            ?? Array(#"{"error":{"exit":3,"kind":"storage","message":"the error could not be written"}}"#.utf8)
        return json(e.status, body)
    }

    /// A JSON response. Answers about people's work are never cached (`no-store`), and never sniffed as another type.
    static func json(_ status: HTTPResponse.Status, _ bytes: [UInt8]) -> Response {
        var body = ByteBuffer()
        body.writeBytes(bytes)
        body.writeBytes([10])
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
        if let nosniff = noSniff { headers[nosniff] = "nosniff" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    private static let noSniff = HTTPFields.Element.Name("X-Content-Type-Options")

    private struct Body: Encodable {
        struct Detail: Encodable { var exit: Int; var kind: String; var message: String; var rule: String? }
        var error: Detail
    }
}
