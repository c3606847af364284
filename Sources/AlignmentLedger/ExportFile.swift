import Foundation

/// Why an export file was not written (nothing was replaced).
public struct ExportFileError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the file.
    public var description: String
}

/// An export file written whole or not at all: bytes go to a temporary file beside it, flushed and renamed into
/// place at the end. Only a regular, writable file is replaced: a link, FIFO, device, directory or read-only file is
/// refused, so an export never writes through a link or into a device.
final class ExportFile {
    let path: String
    let temporary: String
    private var fd: Int32

    init(path: String) throws {
        var st = stat()
        if lstat(path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFREG else {
                throw ExportFileError(description: "'\(path)' is not a regular file (a link, FIFO, device or directory); export writes regular files only")
            }
            // Root may write anything: a file nobody may write (by its mode) is read-only to it too.
            guard st.st_mode & 0o222 != 0, access(path, W_OK) == 0 else { throw ExportFileError(description: "'\(path)' is read-only; it was left as it is") }
        }
        self.path = path
        temporary = path + ".partial-\(getpid())"
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExportFile.failure(errno, path) }
        // A file being replaced keeps its permissions (an export kept 0600 does not become readable by all).
        if st.st_mode & S_IFMT == S_IFREG { _ = fchmod(fd, st.st_mode & 0o7777) }
    }

    static func failure(_ code: Int32, _ path: String) -> ExportFileError {
        ExportFileError(description: "cannot write '\(path)': \(String(cString: strerror(code)))")
    }

    /// Appends `bytes`.
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { b in
            guard let base = b.baseAddress else { return }
            var done = 0
            while done < b.count {
                let n = Foundation.write(fd, base + done, b.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw ExportFile.failure(errno, path) }
                done += n
            }
        }
    }

    /// Flushes the file to disk and renames it into place.
    func commit() throws {
        guard fsync(fd) == 0, close(fd) == 0 else { throw ExportFile.failure(errno, path) }
        fd = -1
        guard rename(temporary, path) == 0 else { throw ExportFile.failure(errno, path) }
    }

    /// Removes the temporary file (after a failure).
    func discard() {
        if fd >= 0 { close(fd) }
        unlink(temporary)
    }
}

extension AlignmentLedger {
    /// `export` into the file at `path`, replaced whole or not at all (see `ExportFile`); throws `ExportFileError`.
    public func export(_ filter: EventFilter, as format: ExportFormat, toFile path: String,
                       progress: ((UInt64, UInt64) -> Void)? = nil) throws -> (events: Int, head: Checkpoint) {
        let file = try ExportFile(path: path)
        do {
            let r = try export(filter, as: format, progress: progress, to: file.write)
            try file.commit()
            return r
        } catch {
            file.discard()
            throw error
        }
    }
}
