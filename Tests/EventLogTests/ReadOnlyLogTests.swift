// The LMDB store opened read only (MDB_RDONLY, and MDB_NOLOCK where lock.mdb cannot be written), and the messages
// of a full disk and a full map.
import Foundation
import Testing
@testable import EventLog
@testable import EventLogLMDB

/// `path` opened with `request`, once this process has let go of its earlier handle (a released log's writer thread
/// keeps the environment a moment; one process opens a path once).
func openLog(_ path: String, _ request: LedgerAccess.Request, expecting access: LedgerAccess) throws -> EventLog {
    for _ in 0..<500 {
        let log = try EventLog.open(at: path, access: request)
        if log.access == access { return log }
        Thread.sleep(forTimeInterval: 0.01)
    }
    throw EventLogError.storage("'\(path)' did not open as \(access)")
}

/// Runs `argv`, answering whether it exited 0.
@discardableResult
func tool(_ argv: [String]) -> Bool {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = argv
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}

@Suite("read-only log")
struct ReadOnlyLogTests {
    /// A ledger with two streams, a side table row and an unindexed tail; its data file's bytes.
    func make(_ dir: TempDir) throws -> (ids: [UUID], bytes: Data) {
        let log = try EventLog.create(at: dir.path)
        try log.prepareSideTables(["kept"])
        var ids: [UUID] = []
        for n in 1...30 {
            let e = event(n)
            ids.append(e.id)
            try log.append(to: n % 2 == 0 ? "even" : "odd", [e])
        }
        _ = try log.transaction { tx in try tx.put("kept", [1], [42]) }
        return (ids, try Data(contentsOf: dir.url.appendingPathComponent("data.mdb")))
    }

    /// Every read works, every write is refused before it starts, no side table is created, the file is untouched.
    func checkReadOnly(_ log: EventLog, ids: [UUID], bytes: Data, dataFile: String) throws {
        #expect(try log.head().position == 30)
        #expect(try log.read(from: 1, limit: 100).count == 30)
        #expect(try log.read(stream: "even").count == 15)
        #expect(try log.event(id: ids[7])?.position == 8)
        #expect(try log.version(of: "odd") == 15)
        #expect(try log.stats().events == 30)
        #expect(try log.verify().isSound)
        #expect(try log.sideTableValue("kept", [1]) == [42])
        try log.prepareSideTables(["never-made"])
        #expect(try log.sideTableValue("never-made", [1]) == nil)
        var rows = 0
        try log.sideTableScan("never-made") { _, _ in rows += 1; return true }
        #expect(rows == 0)
        #expect(throws: EventLogError.readOnly(path: log.path)) { try log.append(to: "even", [event(99)]) }
        #expect(throws: EventLogError.readOnly(path: log.path)) { _ = try log.transaction { tx in try tx.put("kept", [2], [1]) } }
        #expect(throws: EventLogError.readOnly(path: log.path)) { try log.indexTail() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dataFile)) == bytes, "a read-only log was written")
    }

    @Test func aLogOpenedReadOnlyReadsAndRefusesEveryWrite() throws {
        try withTempDir { dir in
            let (ids, bytes) = try make(dir)
            let log = try openLog(dir.path, .readOnly, expecting: .readOnly)  // lock.mdb can be written here
            #expect((log.environmentFlags?.flags ?? 0) & 0x20000 != 0, "MDB_RDONLY")
            #expect((log.environmentFlags?.flags ?? 0) & 0x400000 == 0, "with the lock")
            try checkReadOnly(log, ids: ids, bytes: bytes, dataFile: dir.sub("data.mdb"))
        }
    }

    /// Where lock.mdb cannot be written (a read-only bind mount as root, `chmod` otherwise): MDB_NOLOCK too.
    @Test func withoutTheLockWhereItCannotBeWritten() throws {
        try withTempDir { dir in
            let (ids, bytes) = try make(dir)
            var path = dir.path
            let point = TempDir("mount")
            if getuid() == 0 {
                try point.create()
                guard tool(["mount", "--bind", "-o", "ro", dir.path, point.path]) else {
                    print("skipped: running as root (chmod does not stop root) and a read-only bind mount failed here")
                    point.remove()
                    return
                }
                path = point.path
            } else {
                #expect(tool(["chmod", "-R", "a-w", dir.path]))
            }
            defer {
                if getuid() == 0 { tool(["umount", point.path]); point.remove() } else { tool(["chmod", "-R", "u+w", dir.path]) }
            }
            let log = try openLog(path, .readWriteIfPossible, expecting: .readOnlyWithoutLock)
            #expect((log.environmentFlags?.flags ?? 0) & 0x420000 == 0x420000, "MDB_RDONLY | MDB_NOLOCK")
            try checkReadOnly(log, ids: ids, bytes: bytes, dataFile: path + "/data.mdb")
        }
    }

    /// A ledger whose files can be written opens read-write when asked "if possible".
    @Test func readWriteIfPossibleWritesWhereItCan() throws {
        try withTempDir { dir in
            _ = try make(dir)
            let log = try openLog(dir.path, .readWriteIfPossible, expecting: .readWrite)
            try log.append(to: "even", [event(31)])
            #expect(try log.head().position == 31)
        }
    }

    @Test func aFullDiskAndAFullMapSayWhichAndThatNothingWasWritten() {
        let disk = "\(LMDBStore.wrap(LMDBError(code: ENOSPC, operation: "mdb_txn_commit"), path: "/srv/ledger"))"
        #expect(disk.hasPrefix("storage failure: disk full: the file system holding the ledger ('/srv/ledger') has no space left"), "\(disk)")
        #expect(disk.contains("No space left on device") && disk.contains("were not written") && disk.contains("the ledger is unchanged"), "\(disk)")
        let map = "\(LMDBStore.wrap(LMDBError(code: -30792, operation: "mdb_put")))"  // MDB_MAP_FULL
        #expect(map.contains("map size limit") && map.contains("not the disk") && !map.contains("disk full"), "\(map)")
        // An input/output error where there is room is not called a full disk.
        let io = "\(LMDBStore.wrap(LMDBError(code: EIO, operation: "mdb_txn_commit"), path: FileManager.default.temporaryDirectory.path))"
        #expect(io == "storage failure: mdb_txn_commit failed: Input/output error (code 5)", "\(io)")
    }
}
