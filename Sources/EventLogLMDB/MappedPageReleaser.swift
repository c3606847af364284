import EventLog
import Foundation

/// Lets a long walk go of the map pages it has read, every `every` bytes, so that walking the whole ledger keeps a
/// flat resident size (the pages stay in the page cache; a later read maps them again). `every == nil` keeps
/// everything mapped.
struct MappedPageReleaser {
    let env: Environment
    let every: Int?
    private var bytes = 0

    init(_ env: Environment, every: Int?) {
        self.env = env
        self.every = every
    }

    @inline(__always) mutating func read(_ b: UnsafeRawBufferPointer) { bytes &+= b.count }

    /// Releases the map when the walk has read `every` bytes since the last time. Call between read transactions.
    mutating func releaseIfDue() {
        guard let every, bytes >= every else { return }
        env.releaseMappedPages()
        bytes = 0
    }
}
