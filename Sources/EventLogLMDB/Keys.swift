import EventLog
import Foundation

/// The keys of the records and of the stream index.
enum Keys {
    /// Tag of record keys: the high byte of the big-endian key is 0xFF.
    static let recordTag: UInt64 = 0xFF << 56
    /// Positions stay below 2^56, so that the tag never collides with a position's bits.
    static let maxPosition = RecordCodec.maxPosition

    /// The key of the record at `position` in LMDB's main database: the position as 8 big-endian bytes with the
    /// high byte set to 0xFF. The main database also holds the catalogue of the named databases (keyed by their
    /// ASCII names); the tag sorts every record after them, so that records are appended with `MDB_APPEND`.
    @inline(__always) static func record(_ position: UInt64) -> UInt64 { (position | recordTag).bigEndian }

    /// The position of a record key; nil for any other key of the main database.
    @inline(__always) static func recordPosition(_ k: UnsafeRawBufferPointer) -> UInt64? {
        guard k.count == 8 else { return nil }
        let v = UInt64(bigEndian: k.loadUnaligned(as: UInt64.self))
        return v & recordTag == recordTag ? v & ~recordTag : nil
    }

    /// Stream index key: big-endian stream id (4 bytes) then big-endian version (8 bytes).
    typealias StreamIndexKey = (UInt32, UInt32, UInt32)
    @inline(__always) static func streamIndex(_ sid: UInt32, _ version: UInt64) -> StreamIndexKey {
        (sid.bigEndian, UInt32(truncatingIfNeeded: version >> 32).bigEndian, UInt32(truncatingIfNeeded: version).bigEndian)
    }
    @inline(__always) static func streamID(_ k: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(bigEndian: k.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
    }
    @inline(__always) static func streamVersion(_ k: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(bigEndian: k.loadUnaligned(fromByteOffset: 4, as: UInt64.self))
    }
}
