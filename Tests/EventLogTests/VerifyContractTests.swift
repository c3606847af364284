// Verify's contract on every store: a sound log verifies, a checkpoint is proved or refuted the same way, and an
// event id stored twice is named at its repeat.
import Foundation
import Testing
@testable import EventLog
@testable import EventLogLMDB
@testable import EventLogMemory

/// Copies the record at `original` verbatim (same id, same signature) to a new head record, as someone writing into
/// the store by other means would: its stream version follows the stream's last one and its chain hash is recomputed,
/// so the chain and the versions stay sound. On disk it is written as a tail record (no index entries); in memory,
/// with its stream index entry (the id index holds one position per id, and keeps the original's). Returns its position.
@discardableResult
func forgeRepeat(of original: UInt64, in log: EventLog, _ backend: Backend) throws -> UInt64 {
    var v: [UInt8] = []
    try log.replayRaw(from: original, through: original) { _, bytes in v = Array(bytes) }
    let stream = try #require(try log.read(from: original, limit: 1).first).stream
    let version = (try log.version(of: stream) ?? 0) + 1
    let head = try log.head()
    let position = head.position + 1
    v.withUnsafeMutableBytes { $0.storeBytes(of: version.littleEndian, toByteOffset: 16, as: UInt64.self) }
    let bodyLen = v.count - RecordCodec.hashSize
    let hash = v.withUnsafeBytes { RecordCodec.chain(previous: head.hash, position: position, body: UnsafeRawBufferPointer(rebasing: $0[0..<bodyLen])) }
    hash.write(into: &v, at: bodyLen)
    switch backend {
    case .lmdb:
        try log.env.write { w in try w.put(w.dbs.events, positionKey(position), v) }
    case .memory:
        let store = try #require(log.store as? MemoryStore)
        try store.tamper { s in
            s.records.append(v)
            try s.addLeaf(position: position)  // a thorough forger keeps the Merkle tree in step
            s.head = Checkpoint(position: position, hash: hash)
            s.streams[StreamKey(stream), default: []].append(position)
        }
    }
    #expect(try log.head() == Checkpoint(position: position, hash: hash))
    return position
}

@Suite("Verify contract")
struct VerifyContractTests {
    @Test(arguments: Backend.allCases) func checkpointsAreProvedOrRefuted(_ backend: Backend) throws {
        try withLedger(backend) { log, _ throws in
            let empty = try log.verify(checkpoint: Checkpoint(position: 0, hash: .genesis))
            #expect(empty.isSound && empty.events == 0 && empty.checkpointMatched == true)
            try appendMany(log, stream: "a", count: 5)
            let middle = try log.read(from: 3, limit: 1)[0]
            try log.append([StreamAppend(stream: "b", events: [event(6), event(7)])])

            let whole = try log.verify()
            #expect(whole.isSound && whole.events == 7 && whole.checkpointMatched == nil)
            #expect(whole.head == (try log.head()))

            let proved = try log.verify(checkpoint: Checkpoint(position: 3, hash: middle.hash))
            #expect(proved.isSound && proved.checkpointMatched == true)

            let rewritten = try log.verify(checkpoint: Checkpoint(position: 3, hash: .genesis))
            #expect(rewritten.problem?.position == 3 && rewritten.checkpointMatched == false)

            let beyond = try log.verify(checkpoint: Checkpoint(position: 9, hash: middle.hash))
            #expect(beyond.problem?.position == 8 && beyond.checkpointMatched == false)

            let stats = try log.stats()
            #expect(stats.events == 7 && stats.streams == 2 && stats.head == whole.head && stats.ledgerID == log.ledgerID)
        }
    }

    @Test(arguments: Backend.allCases) func aTailEventRepeatingAStoredIDIsNamedAtItsPosition(_ backend: Backend) throws {
        // The original indexed (position 5), or itself in the tail (position 35): either way the repeat is named.
        for original: UInt64 in [5, 35] {
            try withLedger(backend) { log, _ throws in
                for i in 1...30 { try log.append(to: "s\(i % 4)", [event(i)]) }
                try log.indexTail()
                for i in 31...40 { try log.append(to: "s\(i % 4)", [event(i)]) }
                if backend == .lmdb { #expect(try log.indexedPosition() == 30) }
                #expect(try log.verify().isSound)

                let id = try #require(try log.read(from: original, limit: 1).first).id
                let forged = try forgeRepeat(of: original, in: log, backend)
                let report = try log.verify()
                #expect(report.problem?.position == forged, "original \(original): \(report)")
                #expect(report.problem?.reason.contains("event id \(id.uuidString.lowercased()) is already stored at position \(original)") == true,
                        "original \(original): \(report)")
                #expect(report.events == forged - 1)
                // Events after the repeat do not hide it.
                if backend == .memory { try log.append(to: "after", [event(99)]) }
                #expect(try log.verify().problem?.position == forged)

                guard backend == .lmdb else { return }
                // A writer's index pass meets the repeat: it reports the damage and its position, not LMDB's error,
                // and writes nothing.
                let head = try log.head()
                let attempts: [() throws -> Void] = [{ _ = try log.append(to: "after", [event(99)]) }, { try log.indexTail() }]
                for attempt in attempts {
                    do {
                        try attempt()
                        Issue.record("original \(original): the index pass stored the repeated id")
                    } catch EventLogError.corrupt(let position, let reason) {
                        #expect(position == forged, "\(reason)")
                        #expect(reason.contains("already stored at position \(original)"), "\(reason)")
                    }
                }
                #expect(try log.head() == head && log.indexedPosition() == 30)
            }
        }
    }

    @Test(arguments: Backend.allCases) func aFullTailAcrossTheIndexedPositionVerifiesSound(_ backend: Backend) throws {
        // Ids made now sort after every indexed one and are not looked up; ids in no time order (some below the
        // index's greatest id) are, and must not be taken for repeats.
        try withLedger(backend) { log, _ throws in
            var n = 0
            func batch(_ size: Int) throws {
                let events = (0..<size).map { i in
                    n += 1
                    return StreamAppend(stream: "s\(n % 37)", events: [event(n, id: i % 3 == 0 ? UUID() : UUID.v7())])
                }
                try log.append(events)
            }
            // The transaction that brings the tail to the limit indexes it; then a tail one short of the limit.
            for _ in 0..<(Writer.tailLimit / 64) { try batch(64) }
            let indexed = UInt64(Writer.tailLimit)
            for _ in 0..<((Writer.tailLimit - 1) / 31) { try batch(31) }
            if (Writer.tailLimit - 1) % 31 > 0 { try batch((Writer.tailLimit - 1) % 31) }
            let head = try log.head().position
            #expect(head == 2 * indexed - 1)
            #expect(try log.indexedPosition() == (backend == .lmdb ? indexed : head))
            let report = try log.verify()
            #expect(report.isSound && report.events == head, "\(report)")
            // Indexed, the same events still verify.
            try log.indexTail()
            #expect(try log.verify().isSound)
        }
    }
}
