internal import CLMDB
import Foundation

/// Flags the environment is opened with. Kept in one place so tests can assert the unsafe ones are absent.
enum EnvironmentFlags {
    /// `MDB_NOTLS`: reader slots belong to transactions, not threads (Swift tasks hop threads).
    static let open: UInt32 = UInt32(MDB_NOTLS)
    /// Flags that trade durability for speed; none of them is ever set for acknowledged writes.
    static let unsafe: UInt32 = UInt32(MDB_NOSYNC | MDB_NOMETASYNC | MDB_MAPASYNC | MDB_WRITEMAP)

    /// The flags for opening with `access`: `MDB_RDONLY` to read only, and `MDB_NOLOCK` where the lock file cannot
    /// be written (no reader table: LMDB then neither sees nor blocks writers).
    static func open(_ access: LedgerAccess) -> UInt32 {
        switch access {
        case .readWrite: open
        case .readOnly: open | UInt32(MDB_RDONLY)
        case .readOnlyWithoutLock: open | UInt32(MDB_RDONLY | MDB_NOLOCK)
        }
    }
}
