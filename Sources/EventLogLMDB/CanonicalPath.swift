#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ledger directory's identity in this process: its absolute path with symlinks, `.` and `..` resolved
/// (`realpath(3)`), or the path as given when it cannot be resolved (it does not exist yet).
///
/// Not `URL(fileURLWithPath:).resolvingSymlinksInPath().standardizedFileURL`: building those URLs cost 0.2 ms of every
/// command's start in the static binary, about 2% of `align scorecard` (perf record, 2026-12-07).
func canonicalPath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}
