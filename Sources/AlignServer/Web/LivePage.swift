import AlignmentLedger
import Foundation

/// `/live`: the newest events as they are committed, read by `/static/live.js` from `/api/v1/events` (server-sent
/// events over `fetch`, so the session cookie applies). Starts with the last `recent` events.
enum LivePage {
    static let recent: UInt64 = 20

    static func render(_ r: WebRoutes.PageRequest) throws -> HTML {
        let head = try r.ledger.head().position
        let from = head > recent ? head - recent + 1 : 1
        return Layout.page(title: "Live", path: "/live", viewer: r.viewer, live: true, """
            <p>Every event as it is committed, newest first.</p>
            <p class="live-note" id="tail-state" role="status" aria-live="polite">Connecting…</p>
            <ol id="tail" class="tail" data-from="\(from)" aria-label="Events"></ol>
            """)
    }
}
