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

    private init(commitID: Int) { self.commitID = commitID }

    /// Reads the tail of the commit `r` reads.
    static func load(_ r: ReadTransaction) throws -> ReadTail {
        let t = ReadTail(commitID: r.commitID)
        try Records.forEach(r, from: try Meta.readIndexed(r) + 1) { pos, v in
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
