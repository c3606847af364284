import EventLog
import Foundation

/// Everything a memory store holds: the records as stored bytes, the stream and id indexes, the side tables.
/// Guarded by its store's lock.
final class MemoryState {
    /// The stored record at position n is `records[n - 1]`.
    var records: [[UInt8]] = []
    /// The positions of each stream's events, in version order.
    var streams: [StreamKey: [UInt64]] = [:]
    var ids: [UUID: UInt64] = [:]
    var head = Checkpoint(position: 0, hash: .genesis)
    var tables: [String: [[UInt8]: [UInt8]]] = [:]
    /// The Merkle tree's stored hashes, by storage index (`Merkle.storedIndex`).
    var tree: [ChainHash] = []
    /// The signed tree heads kept, in size order.
    var treeHeads: [StoredTreeHead] = []

    /// Stored tree hashes by storage index.
    func treeHashes(_ indexes: [UInt64]) throws -> [ChainHash] {
        try indexes.map { i in
            guard i < UInt64(tree.count) else { throw MerkleError.storedHashesMissing }
            return tree[Int(i)]
        }
    }

    /// Stores the hashes the record just appended at `position` adds to the tree.
    func addLeaf(position: UInt64) throws {
        let n = position - 1
        let old = try treeHashes(Merkle.indexesToCombine(leaf: n))
        let leaf = records[Int(n)].withUnsafeBytes { Merkle.leafHash($0) }
        tree.append(contentsOf: Merkle.hashesToStore(leaf: n, leaf, combining: old))
    }

    /// The event at `position` (which is stored).
    func event(at position: UInt64) throws -> RecordedEvent {
        try records[Int(position - 1)].withUnsafeBytes { try RecordCodec.decodeStored(position: position, $0) }
    }

    /// The chain checks, stream versions, and the indexes against the records.
    func verify(checkpoint: Checkpoint?, progress: ((UInt64, UInt64) -> Void)?) throws -> VerifyReport {
        var report = VerifyReport(events: 0, head: head, problem: nil, checkpointMatched: nil)
        var chain = ChainCheck(checkpoint: checkpoint)
        var versions: [StreamKey: UInt64] = [:]
        func fail(_ p: VerifyReport.Problem) -> VerifyReport {
            report.events = chain.count
            report.problem = p
            if checkpoint != nil { report.checkpointMatched = false }
            return report
        }
        for (i, bytes) in records.enumerated() {
            let pos = UInt64(i + 1)
            let problem: VerifyReport.Problem? = bytes.withUnsafeBytes { v in
                if let p = chain.check(pos, v) { return p }
                guard let name = try? RecordCodec.streamName(v) else { return .init(pos, "its stream name is malformed") }
                let key = StreamKey(bytes: Array(name))
                let version = RecordCodec.version(v)
                let prev = versions[key] ?? 0
                guard version == prev + 1 else {
                    return .init(pos, "stream version \(version) follows version \(prev) (versions must be gapless)")
                }
                versions[key] = version
                let id = UUID(bytes: RecordCodec.idBytes(v))
                // Two records with one id leave the id index pointing at the earlier: name the repeat as such.
                if let at = ids[id], at >= 1, at < pos, records[Int(at - 1)].withUnsafeBytes({ RecordCodec.idBytes($0).elementsEqual(RecordCodec.idBytes(v)) }) {
                    return .init(pos, "event id \(id.uuidString.lowercased()) is already stored at position \(at) (an id is stored once; this record repeats it)")
                }
                guard ids[id] == pos, streams[key]?[Int(version - 1)] == pos else {
                    return .init(pos, "an index entry for this event is missing or wrong")
                }
                return nil
            }
            if let problem { return fail(problem) }
            chain.accept()
            if pos % 65_536 == 0 { progress?(pos, head.position) }
        }
        report.events = chain.count
        progress?(chain.count, head.position)
        if chain.count != head.position || chain.hash != head.hash {
            return fail(.init(chain.count + 1, "the head does not match the last record"))
        }
        if ids.count != records.count || streams.values.reduce(0, { $0 + $1.count }) != records.count {
            return fail(.init(chain.count + 1, "the indexes hold entries for events that are not stored"))
        }
        var builder = MerkleBuilder()
        var rebuilt: [ChainHash] = []
        for bytes in records { bytes.withUnsafeBytes { builder.add(leaf: Merkle.leafHash($0)) { rebuilt.append($0) } } }
        if let i = rebuilt.indices.first(where: { $0 >= tree.count || rebuilt[$0] != tree[$0] }) ?? (rebuilt.count == tree.count ? nil : rebuilt.count) {
            return fail(.init(UInt64(records.count), "the Merkle tree's stored hash \(i) differs from the one recomputed from the records"))
        }
        report.treeRoot = builder.root
        report.treeStored = UInt64(records.count)
        if let p = chain.checkpointProblem() { return fail(p) }
        if checkpoint != nil { report.checkpointMatched = true }
        return report
    }
}
