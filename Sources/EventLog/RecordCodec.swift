import Crypto
import Foundation

/// The binary record format (format version 1), documented in `docs/FORMAT.md`.
///
/// ```
/// offset size  field
///  0      1    record layout (1)
///  1      1    flags: bit 0 correlation id present, bit 1 causation id present
///  2      2    schema version            (little-endian, as every integer below)
///  4      2    stream name length (S)
///  6      2    type name length (T)
///  8      2    actor length (A)
/// 10      2    signature length (G)
/// 12      4    payload length (P)
/// 16      8    stream version
/// 24      8    recorded-at, microseconds since the epoch
/// 32      8    occurred-at, microseconds since the epoch
/// 40     16    event id
/// 56     16    correlation id (zeros when absent)
/// 72     16    causation id (zeros when absent)
/// 88      S    stream name, UTF-8
///  .      T    type name, UTF-8
///  .      A    actor, UTF-8
///  .      G    signature
///  .      P    payload, canonical JSON
///  .     32    chain hash of this record (not part of the hashed bytes)
/// ```
/// hash(n) = SHA-256(hash(n-1) || big-endian u64 position n || record bytes without the trailing hash).
public enum RecordCodec {
    package static let layout: UInt8 = 1
    package static let headerSize = 88
    package static let hashSize = 32

    /// A record that does not decode. Carries no payload bytes.
    public struct DecodeError: Error, Equatable, CustomStringConvertible, Sendable {
        public var reason: String
        public var description: String { "malformed record: \(reason)" }
    }

    /// The fields of a record before its position and hash are known.
    package struct Fields {
        package var id: UUID
        package var stream: [UInt8]
        package var version: UInt64
        package var type: [UInt8]
        package var schemaVersion: UInt16
        package var recordedAt: Int64
        package var occurredAt: Int64
        package var actor: [UInt8]
        package var correlationID: UUID?
        package var causationID: UUID?
        package var payload: [UInt8]
        package var signature: [UInt8]
    }

    /// Encodes a record body (without the hash); the caller appends the hash.
    package static func encodeBody(_ f: Fields) -> [UInt8] {
        let size = headerSize + f.stream.count + f.type.count + f.actor.count + f.signature.count + f.payload.count
        var out = [UInt8](repeating: 0, count: size + hashSize)
        out.withUnsafeMutableBytes { p in
            p[0] = layout
            p[1] = (f.correlationID == nil ? 0 : 1) | (f.causationID == nil ? 0 : 2)
            p.storeBytes(of: f.schemaVersion.littleEndian, toByteOffset: 2, as: UInt16.self)
            p.storeBytes(of: UInt16(f.stream.count).littleEndian, toByteOffset: 4, as: UInt16.self)
            p.storeBytes(of: UInt16(f.type.count).littleEndian, toByteOffset: 6, as: UInt16.self)
            p.storeBytes(of: UInt16(f.actor.count).littleEndian, toByteOffset: 8, as: UInt16.self)
            p.storeBytes(of: UInt16(f.signature.count).littleEndian, toByteOffset: 10, as: UInt16.self)
            p.storeBytes(of: UInt32(f.payload.count).littleEndian, toByteOffset: 12, as: UInt32.self)
            p.storeBytes(of: f.version.littleEndian, toByteOffset: 16, as: UInt64.self)
            p.storeBytes(of: f.recordedAt.littleEndian, toByteOffset: 24, as: Int64.self)
            p.storeBytes(of: f.occurredAt.littleEndian, toByteOffset: 32, as: Int64.self)
            withUnsafeBytes(of: f.id.uuid) { p.baseAddress!.advanced(by: 40).copyMemory(from: $0.baseAddress!, byteCount: 16) }
            if let c = f.correlationID {
                withUnsafeBytes(of: c.uuid) { p.baseAddress!.advanced(by: 56).copyMemory(from: $0.baseAddress!, byteCount: 16) }
            }
            if let c = f.causationID {
                withUnsafeBytes(of: c.uuid) { p.baseAddress!.advanced(by: 72).copyMemory(from: $0.baseAddress!, byteCount: 16) }
            }
            // Copied one by one: an array literal of the parts allocated and retained per record.
            var o = headerSize
            @inline(__always) func copy(_ part: [UInt8]) {
                part.withUnsafeBytes { src in
                    if src.count > 0 { p.baseAddress!.advanced(by: o).copyMemory(from: src.baseAddress!, byteCount: src.count) }
                }
                o += part.count
            }
            copy(f.stream)
            copy(f.type)
            copy(f.actor)
            copy(f.signature)
            copy(f.payload)
        }
        return out
    }

    /// hash(n) from hash(n-1), the position and the record body.
    package static func chain(previous: ChainHash, position: UInt64, body: UnsafeRawBufferPointer) -> ChainHash {
        var hasher = SHA256()
        var head = (previous.a.bigEndian, previous.b.bigEndian, previous.c.bigEndian, previous.d.bigEndian, position.bigEndian)
        withUnsafeBytes(of: &head) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: body)
        return hasher.finalize().withUnsafeBytes { ChainHash(bytes: $0) }
    }

    /// Checks lengths against the buffer; returns the body length (record without trailing hash).
    @inline(__always)
    package static func bodyLength(_ p: UnsafeRawBufferPointer) throws(DecodeError) -> Int {
        guard p.count >= headerSize + hashSize else { throw DecodeError(reason: "record of \(p.count) bytes is shorter than its header") }
        guard p[0] == layout else { throw DecodeError(reason: "unknown record layout \(p[0])") }
        let s = Int(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt16.self)))
        let t = Int(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 6, as: UInt16.self)))
        let a = Int(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
        let g = Int(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 10, as: UInt16.self)))
        let pl = Int(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
        let body = headerSize + s + t + a + g + pl
        guard body + hashSize == p.count else {
            throw DecodeError(reason: "field lengths add up to \(body + hashSize) bytes but the record has \(p.count)")
        }
        return body
    }

    /// The stream name of a record, without decoding the rest.
    package static func streamName(_ p: UnsafeRawBufferPointer) throws(DecodeError) -> UnsafeRawBufferPointer {
        _ = try bodyLength(p)
        let s = Int(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt16.self)))
        return UnsafeRawBufferPointer(rebasing: p[headerSize..<(headerSize + s)])
    }

    /// True when the record is well formed and belongs to the stream named by these UTF-8 bytes.
    package static func isStream(_ p: UnsafeRawBufferPointer, _ name: UnsafeRawBufferPointer) -> Bool {
        guard let s = try? streamName(p), s.count == name.count else { return false }
        return s.count == 0 || memcmp(s.baseAddress!, name.baseAddress!, s.count) == 0
    }

    /// The stream version of a record whose length was checked (`bodyLength`, `streamName` or `isStream`).
    package static func version(_ p: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
    }

    package static func idBytes(_ p: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: p[40..<56])
    }

    package static func storedHash(_ p: UnsafeRawBufferPointer) -> ChainHash {
        ChainHash(bytes: UnsafeRawBufferPointer(rebasing: p[(p.count - hashSize)...]))
    }

    /// The variable-length fields of a record, after checking their lengths against the buffer (`bodyLength`).
    private static func parts(_ p: UnsafeRawBufferPointer) throws(DecodeError)
        -> (stream: UnsafeRawBufferPointer, type: UnsafeRawBufferPointer, actor: UnsafeRawBufferPointer,
            signature: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) {
        _ = try bodyLength(p)
        var o = headerSize
        func take(_ lengthOffset: Int, wide: Bool = false) -> UnsafeRawBufferPointer {
            let n = wide ? Int(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: lengthOffset, as: UInt32.self)))
                         : Int(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: lengthOffset, as: UInt16.self)))
            defer { o += n }
            return UnsafeRawBufferPointer(rebasing: p[o..<(o + n)])
        }
        return (take(4), take(6), take(8), take(10), take(12, wide: true))
    }

    /// Decodes a whole record (copying its bytes out). Never traps on malformed input.
    public static func decode(position: UInt64, _ p: UnsafeRawBufferPointer) throws(DecodeError) -> RecordedEvent {
        let f = try parts(p)
        let flags = p[1]
        return RecordedEvent(
            position: position,
            id: UUID(bytes: UnsafeRawBufferPointer(rebasing: p[40..<56])),
            stream: String(decoding: f.stream, as: UTF8.self),
            version: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            type: String(decoding: f.type, as: UTF8.self),
            schemaVersion: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2, as: UInt16.self)),
            recordedAt: Timestamp(microseconds: Int64(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: Int64.self))),
            occurredAt: Timestamp(microseconds: Int64(littleEndian: p.loadUnaligned(fromByteOffset: 32, as: Int64.self))),
            actor: String(decoding: f.actor, as: UTF8.self),
            correlationID: flags & 1 != 0 ? UUID(bytes: UnsafeRawBufferPointer(rebasing: p[56..<72])) : nil,
            causationID: flags & 2 != 0 ? UUID(bytes: UnsafeRawBufferPointer(rebasing: p[72..<88])) : nil,
            payload: Array(f.payload),
            signature: Array(f.signature),
            hash: storedHash(p)
        )
    }

    /// The fields a fold needs, read in place (no copy); the lengths are checked as `decode` checks them.
    package static func view(position: UInt64, _ p: UnsafeRawBufferPointer) throws(DecodeError) -> RecordView {
        let f = try parts(p)
        return RecordView(
            position: position,
            schemaVersion: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2, as: UInt16.self)),
            occurredAt: Timestamp(microseconds: Int64(littleEndian: p.loadUnaligned(fromByteOffset: 32, as: Int64.self))),
            recordedAt: Timestamp(microseconds: Int64(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: Int64.self))),
            stream: f.stream, type: f.type, actor: f.actor, payload: f.payload)
    }

    /// Decodes a stored record, reporting damage as `EventLogError.corrupt` with its position.
    package static func decodeStored(position: UInt64, _ p: UnsafeRawBufferPointer) throws -> RecordedEvent {
        do { return try decode(position: position, p) } catch {
            throw EventLogError.corrupt(position: position, reason: error.reason)
        }
    }

    /// Encodes a recorded event back to its stored bytes (for tests and tools).
    public static func encode(_ e: RecordedEvent) -> [UInt8] {
        var out = encodeBody(Fields(
            id: e.id, stream: Array(e.stream.utf8), version: e.version, type: Array(e.type.utf8),
            schemaVersion: e.schemaVersion, recordedAt: e.recordedAt.microseconds, occurredAt: e.occurredAt.microseconds,
            actor: Array(e.actor.utf8), correlationID: e.correlationID, causationID: e.causationID,
            payload: e.payload, signature: e.signature))
        e.hash.write(into: &out, at: out.count - hashSize)
        return out
    }
}
