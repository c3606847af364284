/// A consistent read of the side tables (one snapshot of the store), for walks that must see every table as of the
/// same commit: `verify` compares the kept read models with a fresh fold of the log through it.
public protocol SideTableReader {
    /// One value of a side table, as of the snapshot.
    func value(_ table: String, _ key: [UInt8]) throws -> [UInt8]?
    /// Every entry of a side table in key order, until `body` returns false. `reachable` says whether a lookup by the
    /// entry's key finds that same entry: a damaged B-tree can hold an entry that a sequential walk meets but a
    /// search never reaches (a wrong separator key in a branch page), and the reads answer by search. The bytes are
    /// valid only during the call.
    func walk(_ table: String, _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, _ reachable: Bool) throws -> Bool) throws
}

extension EventLog {
    /// The first record or index entry that a walk of the store meets but a search by its own key does not find (a
    /// damaged separator key in a branch page hides entries from searches only); nil when every one is found. `verify`
    /// runs it after the chain and the indexes, whose walks never read separator keys.
    public func firstUnreachable() throws -> (table: String, key: [UInt8])? { try store.firstUnreachable() }

    /// Runs `body` over one snapshot of the side tables (one read transaction, held until it returns: keep it to a
    /// walk, not to work that waits on anything).
    public func readSideTables<T>(_ body: (any SideTableReader) throws -> T) throws -> T {
        try store.readSideTables(body)
    }
}
