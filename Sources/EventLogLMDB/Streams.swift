import EventLog
import Foundation

/// The stream table (name -> numeric id) and the stream index.
enum Streams {
    /// The numeric id of a stream (streams DB: name -> big-endian u32 id).
    static func id(_ r: ReadTransaction, _ name: String) throws -> UInt32? {
        var n = name
        return try n.withUTF8 { u in
            guard let v = try r.get(r.dbs.streams, UnsafeRawBufferPointer(u)) else { return nil }
            return try sid(v)
        }
    }

    /// The numeric id of the stream with this name's bytes.
    static func id(_ r: ReadTransaction, _ name: [UInt8]) throws -> UInt32? {
        guard let v = try r.get(r.dbs.streams, name) else { return nil }
        return try sid(v)
    }

    /// A stream table value: a stream id, or damage (a stream that exists is never answered as absent).
    private static func sid(_ v: UnsafeRawBufferPointer) throws -> UInt32 {
        guard v.count == 4 else { throw EventLogError.damaged("an entry of the stream table holds \(v.count) bytes instead of a 4-byte stream id") }
        return UInt32(bigEndian: v.loadUnaligned(as: UInt32.self))
    }

    /// The last version of stream `sid` (nil when it has no events).
    static func lastVersion(_ r: ReadTransaction, _ sid: UInt32) throws -> UInt64? {
        let c = try r.cursor(r.dbs.streamIndex)
        defer { c.close() }
        if sid < UInt32.max {
            var key = Keys.streamIndex(sid + 1, 0)
            let found = try withUnsafeBytes(of: &key) { try c.seek($0) }
            if found != nil {
                guard let prev = try c.previous() else { return nil }
                return prev.key.count == 12 && Keys.streamID(prev.key) == sid ? Keys.streamVersion(prev.key) : nil
            }
        }
        guard let last = try c.last() else { return nil }
        return last.key.count == 12 && Keys.streamID(last.key) == sid ? Keys.streamVersion(last.key) : nil
    }
}
