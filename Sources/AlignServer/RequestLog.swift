import AlignmentLedger
import Foundation
import Hummingbird
import Logging

/// One structured log line per request once it is answered: method, path, status and duration (swift-log metadata),
/// at `info` (5xx at `error`). Errors Hummingbird raises itself (no such route, a body too large) are answered as JSON
/// here too, so every failure a client sees has the API's one error shape.
struct RequestLog<Context: RequestContext>: RouterMiddleware {
    let logRequests: Bool
    /// Where each answered request is counted and timed (by route template, method and status).
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch let e as HTTPResponseError {
            let message = e.status == .notFound ? "no such route: \(request.method.rawValue) \(request.uri.path)" : e.status.reasonPhrase
            response = APIError.response(for: APIError(status: e.status, kind: e.status == .notFound ? "not-found" : "usage", message: message,
                                                       exit: e.status == .notFound ? 1 : 2), logger: context.logger)
        } catch {
            response = APIError.response(for: error, logger: context.logger)
        }
        let elapsed = ContinuousClock.now - started
        metrics.request(method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: response.status.code, duration: elapsed)
        if logRequests {
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            context.logger.log(level: response.status.code >= 500 ? .error : .info, "request", metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "ms": .string(String(format: "%.2f", ms)),
            ])
        }
        return response
    }
}
