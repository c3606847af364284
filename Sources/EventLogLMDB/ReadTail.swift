import EventLog
import Foundation

/// The unindexed tail as reads see it: the events after the indexed position, by id and by stream. Read once per
/// commit (a read at the same commit finds the same tail) instead of once per lookup, and only by the reads that
/// need it: opening reads nothing of it.
///
/// Built as the lookups it replaces behaved: a record too short for an id, or whose stream name does not parse,
/// matches no id or stream (`stats`, which counted every stream, reports it as damaged).
final class ReadTail: @unchecked Sendable {
    /// The commit this tail was read at.
    let commitID: Int
    /// The position of each id (the first, should one appear twice).
    private(set) var ids: [UUID: UInt64] = [:]
    /// Each stream's events in the tail, in order: version and position.
    private(set) var streams: [StreamKey: [(version: UInt64, position: UInt64)]] = [:]
    /// Why the first record that does not parse fails, if any does.
    private(set) var damage: RecordCodec.DecodeError?
    /// The indexed position the tail starts after, and the last position it holds (`indexed` when it is empty).
    private(set) var indexed: UInt64 = 0, through: UInt64 = 0

    private init(commitID: Int) { self.commitID = commitID }

    /// Reads the tail of the commit `r` reads. Given the tail of an older commit (`known`) that starts at the same
    /// indexed position, only the records after it are read, onto a copy of it: records are never rewritten, and an
    /// index pass (by this process or another) moves the indexed position, which makes the tail read whole again.
    /// Measured (`align-bench serve-floor`, 64 clients, 28-45 events per commit): reading the whole tail (up to 1,024
    /// records) once per commit for the nonce look-up was 6 % of the samples.
    static func load(_ r: ReadTransaction, after known: ReadTail? = nil) throws -> ReadTail {
        let indexed = try Meta.readIndexed(r)
        let t = ReadTail(commitID: r.commitID)
        t.indexed = indexed
        t.through = indexed
        // Only a tail of an older commit: another thread may have read a newer one than this transaction sees.
        if let k = known, k.commitID < r.commitID, k.indexed == indexed {
            t.ids = k.ids
            t.streams = k.streams
            t.damage = k.damage
            t.through = k.through
        }
        try Records.forEach(r, from: t.through + 1) { pos, v in
            t.through = pos
            if v.count >= RecordCodec.headerSize {
                let id = UUID(bytes: RecordCodec.idBytes(v))
                if t.ids[id] == nil { t.ids[id] = pos }
            }
            do throws(RecordCodec.DecodeError) {
                let name = try RecordCodec.streamName(v)
                t.streams[StreamKey(bytes: Array(name)), default: []].append((RecordCodec.version(v), pos))
            } catch {
                if t.damage == nil { t.damage = error }
            }
            return true
        }
        return t
    }
}
