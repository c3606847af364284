import AlignmentLedger
import Foundation
import Hummingbird
import ServiceLifecycle

/// `GET /api/v1/export`: `align export` over HTTP, streamed. The service's export is synchronous and hands out chunks of
/// about 1 MiB from a thread of its own; the response writes them as they come. At most `window` chunks wait for a
/// slow reader (the export thread waits for room, so memory stays flat); a reader that goes away, or a shutdown, stops
/// the export at its next chunk. The status line is sent before the first chunk: a failure after it cuts the response
/// short (a client checks it got whole lines, as with any stream).
enum ExportStream {
    static let window = 4

    static func body(_ ledger: AlignmentLedger, _ filter: EventFilter, _ format: ExportFormat) -> ResponseBody {
        ResponseBody { writer in
            let (chunks, continuation) = AsyncThrowingStream<[UInt8], Error>.makeStream()
            let room = DispatchSemaphore(value: window)
            let stop = StopFlag()
            DispatchQueue.global(qos: .utility).async {
                do {
                    _ = try ledger.export(filter, as: format) { chunk in
                        room.wait()
                        if stop.isSet { throw CancellationError() }
                        continuation.yield(chunk)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            /// Wakes the export thread for good (it then sees `stop` and ends).
            func release() {
                stop.set()
                for _ in 0...window { room.signal() }
            }
            do {
                for try await chunk in chunks.cancelOnGracefulShutdown() {
                    var buffer = ByteBuffer()
                    buffer.writeBytes(chunk)
                    try await writer.write(buffer)
                    room.signal()
                }
            } catch {
                release()
                throw error
            }
            release()
            try await writer.finish(nil)
        }
    }
}

/// A flag set once, read from any thread.
final class StopFlag: @unchecked Sendable {
    // @unchecked: `value` is only read and written under `lock`.
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
