import EventLog
import Foundation

extension LMDBStore {
    /// The tree tables, or nil on a ledger no writer of this build has written yet (reading never creates them).
    private func treeTables() throws -> [UInt32]? { try MerkleTable.tables(env).map { [$0.tree, $0.heads] } }

    func treeSize() throws -> UInt64 {
        try LMDBStore.storage {
            guard let t = try treeTables() else { return 0 }
            return try env.read { r in try MerkleTable.size(r, t[0]) }
        }
    }

    func treeHashes(_ indexes: [UInt64]) throws -> [ChainHash] {
        try LMDBStore.storage {
            guard let t = try treeTables() else { throw MerkleError.storedHashesMissing }
            return try env.read { r in try MerkleTable.hashes(r, t[0], indexes) }
        }
    }

    func storedRecord(at position: UInt64) throws -> (bytes: [UInt8], previous: ChainHash)? {
        try LMDBStore.storage {
            try env.read { r -> (bytes: [UInt8], previous: ChainHash)? in
                guard position > 0, let bytes = try r.record(at: position) else { return nil }
                var previous = ChainHash.genesis
                if position > 1 {
                    guard let before = try r.record(at: position - 1), before.count >= 32 else {
                        throw EventLogError.corrupt(position: position - 1, reason: "the record is missing")
                    }
                    previous = ChainHash(bytes: UnsafeRawBufferPointer(rebasing: before[(before.count - 32)...]))
                }
                return (Array(bytes), previous)
            }
        }
    }

    func latestTreeHead() throws -> StoredTreeHead? {
        try LMDBStore.storage {
            guard let t = try treeTables() else { return nil }
            return try env.read { r in try MerkleTable.latestHead(r, t[1]) }
        }
    }

    func treeHead(size: UInt64) throws -> StoredTreeHead? {
        try LMDBStore.storage {
            guard let t = try treeTables() else { return nil }
            return try env.read { r -> StoredTreeHead? in
                var key = size.bigEndian
                guard let v = try withUnsafeBytes(of: &key, { try r.get(t[1], $0) }) else { return nil }
                return try withUnsafeBytes(of: &key) { try MerkleTable.decodeHead($0, v) }
            }
        }
    }
}
