import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The span of LMDB's memory map that a long walk (replay, verify) has touched, so that the walk can hand those pages
/// back after each chunk and its resident set stays flat however long the log is.
///
/// Without this a replay of the whole log leaves every page of the file mapped into the process: a peak RSS the size
/// of the ledger (reclaimable page cache, but it reads as memory use). `MADV_DONTNEED` only drops this process's
/// mappings of those pages: the file's pages stay in the page cache, nothing is written, and any later access maps
/// them again (a minor fault). That holds for LMDB's read-only shared map; it would lose writes under
/// `MDB_WRITEMAP`, which the log never sets (`EnvironmentFlags.unsafe`).
struct MappedSpan {
    private var low = UInt.max
    private var high: UInt = 0

    /// Records bytes handed out by a read-only transaction (they point into the map).
    @inline(__always) mutating func note(_ p: UnsafeRawBufferPointer) {
        guard let base = p.baseAddress else { return }
        let a = UInt(bitPattern: base)
        if a < low { low = a }
        let end = a &+ UInt(p.count)
        if end > high { high = end }
    }

    /// Drops this process's mappings of the pages noted so far and starts afresh. Call only once the read
    /// transaction that handed the bytes out has ended (no pointer from it is used afterwards).
    mutating func release() {
        defer { (low, high) = (.max, 0) }
        guard low < high else { return }
        let page = UInt(MappedSpan.pageSize)
        let start = low & ~(page - 1)
        let end = (high + page - 1) & ~(page - 1)
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), Int(end - start), Int32(MADV_DONTNEED))
    }

    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
}
