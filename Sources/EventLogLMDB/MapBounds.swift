internal import CLMDB
import EventLog
import Foundation

/// The bytes of the data file as this process maps them: every key and value LMDB hands a read transaction must lie
/// within them.
///
/// Why: LMDB 0.9 keeps no page checksums. It checks page numbers against the last page (`MDB_PAGE_NOTFOUND`), but it
/// takes node offsets and key and value sizes from the page as they are, so a damaged page can hand us a value that
/// runs past the end of the file (a read there is SIGBUS) or past the map (SIGSEGV). Checking each `MDB_val` before
/// Swift touches it turns that into a thrown `EventLogError.damaged` (exit 3) instead of a dead process. Damage that
/// makes LMDB itself read outside the map cannot be caught here: the command line's last-resort signal handler
/// (`DamageNet`) reports it.
struct MapBounds {
    /// The first byte of the map and one past the last byte of the last page in use (by the newest commit, so at
    /// least as far as any snapshot reads).
    let lower: UInt, upper: UInt

    /// Throws when `v` does not lie within the map's pages in use.
    @inline(__always)
    func check(_ v: MDB_val, _ what: @autoclosure () -> String) throws {
        guard v.mv_size > 0 else { return }
        let start = UInt(bitPattern: v.mv_data)
        guard start >= lower, start < upper, v.mv_size <= upper - start else {
            throw EventLogError.damaged("LMDB handed back \(what()) of \(v.mv_size) bytes that lies outside the data file (a damaged page)")
        }
    }
}

extension Environment {
    /// The map's bounds now (nil when the map's address is not known: then nothing is checked). Called at the start of
    /// each read transaction, under the shared resize lock, so the map cannot move while the transaction reads it.
    func mapBounds() -> MapBounds? {
        guard let base = currentMapBase() else { return nil }
        var info = MDB_envinfo()
        guard mdb_env_info(env, &info) == 0 else { return nil }
        let lower = UInt(bitPattern: base)
        let used = UInt(info.me_last_pgno + 1) * UInt(pageSize)
        return MapBounds(lower: lower, upper: lower + min(used, UInt(info.me_mapsize)))
    }
}
