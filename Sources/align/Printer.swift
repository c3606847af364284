import AlignmentLedger
import Foundation

/// Why standard output (or an export file) could not be written.
struct OutputError: Error {
    var code: Int32
    var isBrokenPipe: Bool { code == EPIPE }
    var message: String { String(cString: strerror(code)) }
}

/// The one buffered writer of standard output. Writes return errors (SIGPIPE is ignored at start): the first one is
/// kept, later writes are dropped, and `check()` (long outputs call it as they go) and `flush()` throw it.
final class Printer: @unchecked Sendable {
    static let out = Printer(fd: 1)
    private let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var failure: OutputError?
    /// What a write command committed before printing, for the message when printing then fails.
    var committed: String?

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    /// Appends bytes, writing them out when 64 KiB are waiting.
    func write(_ bytes: some Sequence<UInt8>) {
        guard failure == nil else { return }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try? flush() }
    }

    /// Writes everything waiting; throws the first output error.
    func flush() throws {
        if failure == nil, !buffer.isEmpty {
            if let code = Printer.writeAll(fd, buffer) { failure = OutputError(code: code) }
            buffer.removeAll(keepingCapacity: true)
        }
        try check()
    }

    /// Throws the first output error, if one happened.
    func check() throws { if let failure { throw failure } }

    /// Whether the reader of a pipe has gone (its end closed): writes would fail with EPIPE.
    func readerIsGone() -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        return poll(&p, 1, 0) == 1 && p.revents & Int16(POLLERR | POLLHUP) != 0
    }

    /// Writes all of `bytes` to `fd`; the errno of a failure.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { b -> Int32? in
            guard let base = b.baseAddress else { return nil }
            var done = 0
            while done < b.count {
                let n = Foundation.write(fd, base + done, b.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return nil
        }
    }
}

/// What commands print: lines, tables and JSON on standard output, notes on standard error.
enum Say {
    static func line(_ s: String) { Printer.out.write((s + "\n").utf8) }

    /// One JSON response, through the service's one encoder.
    static func json<T: Encodable>(_ value: T) throws { Printer.out.write(try LedgerJSON.encode(value) + [10]) }

    /// A note on standard error (progress, errors), unbuffered; failures to write it are ignored.
    static func note(_ s: String) { _ = Printer.writeAll(2, Array(s.utf8)) }
}
