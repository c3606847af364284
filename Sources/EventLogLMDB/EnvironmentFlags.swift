internal import CLMDB
import Foundation

/// Flags the environment is opened with. Kept in one place so tests can assert the unsafe ones are absent.
enum EnvironmentFlags {
    /// `MDB_NOTLS`: reader slots belong to transactions, not threads (Swift tasks hop threads).
    static let open: UInt32 = UInt32(MDB_NOTLS)
    /// Flags that trade durability for speed; none of them is ever set for acknowledged writes.
    static let unsafe: UInt32 = UInt32(MDB_NOSYNC | MDB_NOMETASYNC | MDB_MAPASYNC | MDB_WRITEMAP)
}
