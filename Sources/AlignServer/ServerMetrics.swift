import AlignmentLedger
import Foundation
import Hummingbird
import Prometheus

/// What `GET /metrics` reports, in Prometheus's text format (swift-prometheus): requests by route, method and status,
/// their latencies, the commits of commands and their events, the head's position and the open sessions.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let commits: Counter
    private let eventsPerCommit: ValueHistogram
    let head: Gauge
    let sessions: Gauge

    init() {
        commits = registry.makeCounter(name: "align_commits_total", help: "Commands whose events were appended")
        eventsPerCommit = registry.makeValueHistogram(name: "align_events_per_commit", buckets: [1, 2, 3, 5, 10, 20],
                                                      help: "Events a command appended")
        head = registry.makeGauge(name: "align_head_position", help: "The position of the ledger's last event")
        sessions = registry.makeGauge(name: "align_sessions_open", help: "Sessions open on this server")
    }

    /// Buckets of request latencies.
    private static let latencyBuckets: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                                      .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]

    /// One answered request: `route` is the route's template (`/api/v1/leads/:id`), so that ids do not become labels.
    func request(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(name: "align_http_requests_total", labels: [("method", method), ("route", route), ("status", String(status))],
                             help: "HTTP requests answered").increment()
        registry.makeDurationHistogram(name: "align_http_request_duration_seconds", labels: [("method", method), ("route", route)],
                                       buckets: ServerMetrics.latencyBuckets, help: "Time to answer an HTTP request").record(duration)
    }

    /// A command that appended `events` events, leaving the head at `position`.
    func committed(events: Int, head position: UInt64) {
        guard events > 0 else { return }
        commits.increment()
        eventsPerCommit.record(Double(events))
        head.set(to: Double(position))
    }

    /// The text format.
    func text() -> [UInt8] { registry.emitToBuffer() }
}
