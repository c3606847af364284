// Operations end to end, as a user meets them: reading a read-only ledger (a read-only directory, a read-only bind
// mount, a read-only tmpfs), `align backup`, and a full disk. Mounting needs root; where it does not work, the case is
// skipped with the reason printed, never failed.
import Foundation
import Testing

/// Runs `argv` (no shell), answering its exit status and standard error.
@discardableResult
func runTool(_ argv: [String]) -> (code: Int32, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = argv
    let err = Pipe()
    p.standardOutput = FileHandle.nullDevice
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    do { try p.run() } catch { return (-1, "\(error)") }
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: e, as: UTF8.self))
}

/// A file system mounted for a test, unmounted when released.
final class TestMount {
    let point: String
    private init(point: String) { self.point = point }
    deinit {
        runTool(["umount", point])
        try? FileManager.default.removeItem(atPath: point)
    }

    /// A new empty directory for a mount point.
    private static func newPoint() throws -> String {
        let p = FileManager.default.temporaryDirectory.appendingPathComponent("align-mount-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    /// `mount ARGS POINT` as root, or nil with the reason printed (not root, or mounting refused here).
    static func mount(_ args: [String], what: String) throws -> TestMount? {
        guard getuid() == 0 else { print("skipped: \(what) needs root to mount"); return nil }
        let point = try newPoint()
        let r = runTool(["mount"] + args + [point])
        guard r.code == 0 else {
            print("skipped: \(what): mount \(args.joined(separator: " ")) failed here: \(r.err)")
            try? FileManager.default.removeItem(atPath: point)
            return nil
        }
        return TestMount(point: point)
    }

    /// A read-only bind mount of `directory`.
    static func readOnlyBind(_ directory: String) throws -> TestMount? {
        try mount(["--bind", "-o", "ro", directory], what: "a read-only bind mount")
    }

    /// A tmpfs of `size` (e.g. `2m`).
    static func tmpfs(size: String) throws -> TestMount? {
        try mount(["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs"], what: "a \(size) tmpfs")
    }

    /// Mounts this tmpfs read-only in place.
    func remountReadOnly() -> Bool { runTool(["mount", "-o", "remount,ro", point]).code == 0 }
}

extension CLI {
    /// Runs `align ARGS --ledger LEDGER`, optionally as another user (`setpriv` argv prefix).
    func run(_ args: [String], ledger: String, as prefix: [String] = []) throws -> Outcome {
        let script = (prefix + ["\"$A\""] + args.map { "'\($0)'" } + ["--ledger", "'\(ledger)'"]).joined(separator: " ")
        return try sh(script)
    }

    /// A file's bytes (to show nothing was written).
    func digest(_ path: String) -> Data { (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data() }
}

/// The notice a ledger read without its lock prints, once.
let noLockNotice = "align: the ledger is read-only and its lock file cannot be written: reading without the lock, so writers running now are not seen"

@Suite("align operations")
struct OperationsTests {
    /// Every read command, with an id of the demo ledger where one is needed. The scorecard is bounded by --until: without
    /// it, it is read as of the current minute, and the writable and read-only runs, a minute apart on a loaded machine,
    /// differed in `asOf` alone.
    static let reads: [[String]] = [
        ["log", "--limit", "20"], ["log", "--json", "--limit", "5"], ["state"], ["state", "--json"], ["stats"],
        ["audit", "definition", "mql"], ["audit", "who-approved", "mql", "--at", "2026-05-01"], ["audit", "actor", "sam"],
        ["audit", "stream", "ledger"], ["audit", "overrides"], ["scorecard", "--until", "2030-01-01"],
        ["scorecard", "--json", "--by", "actor", "--until", "2030-01-01"],
        ["definition", "list"], ["definition", "show", "mql"], ["campaign", "list"], ["campaign", "show", "flash-sale"],
        ["lead", "list"], ["lead", "show", "L-10000"], ["content", "list"], ["actor", "list"], ["export"],
        ["export", "--format", "csv"], ["projections", "status"], ["verify"], ["verify", "--json"],
    ]

    /// A demo ledger and each read command's output on it while writable.
    func demo() throws -> (CLI, [String: String]) {
        let cli = try CLI()
        try cli.ok(["demo", "--leads", "30", "--seed", "5"])
        var outputs: [String: String] = [:]
        for args in OperationsTests.reads where args[0] != "verify" && args[0] != "stats" {  // these say the path or the time
            let o = try cli.run(args)
            #expect(o.code == 0, "\(args): \(o)")
            outputs[args.joined(separator: " ")] = o.out
        }
        return (cli, outputs)
    }

    /// Runs every read command on `ledger` (as `prefix`'s user) and checks it answers as the writable ledger did, with
    /// the no-lock notice exactly once when `noLock`; then that a command is refused with exit 3, writing nothing.
    func checkReads(_ cli: CLI, _ outputs: [String: String], ledger: String, as prefix: [String] = [], noLock: Bool) throws {
        let before = cli.digest(ledger + "/data.mdb")
        for args in OperationsTests.reads {
            let o = try cli.run(args, ledger: ledger, as: prefix)
            #expect(o.code == 0, "\(args): \(o)")
            if let expected = outputs[args.joined(separator: " ")] {
                #expect(maskNow(tiesUnordered(o.out)) == maskNow(tiesUnordered(expected)), "\(args) answers otherwise read-only: \(o)")
            }
            if args[0] == "verify" { #expect(o.out.contains("sound") || o.out.contains("\"ok\":true"), "\(o)") }
            #expect(o.err == (noLock ? noLockNotice + "\n" : ""), "\(args): \(o)")
        }
        let refused = try cli.run(["definition", "propose", "ro", "--title", "read-only", "--as", "maria"], ledger: ledger, as: prefix)
        #expect(refused.code == 3, "\(refused)")
        #expect(refused.err.contains("error: the ledger is read-only: "), "\(refused)")
        let rebuild = try cli.run(["projections", "rebuild"], ledger: ledger, as: prefix)
        #expect(rebuild.code == 3 && rebuild.err.contains("the ledger is read-only"), "\(rebuild)")
        #expect(cli.digest(ledger + "/data.mdb") == before, "a read-only ledger was written")
    }

    /// `chmod -R a-w` on the ledger directory. Root writes through file modes, so as root the reads run as `nobody`.
    @Test func readsWorkOnAReadOnlyDirectory() throws {
        let (cli, outputs) = try demo()
        var prefix: [String] = []
        if getuid() == 0 {
            guard runTool(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", cli.binary.path, "--version"]).code == 0 else {
                print("skipped: running as root, and `setpriv` cannot run align as nobody here (chmod does not stop root)")
                return
            }
            prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        }
        #expect(runTool(["chmod", "-R", "a-w", cli.ledger]).code == 0)
        defer { runTool(["chmod", "-R", "u+w", cli.ledger]) }
        try checkReads(cli, outputs, ledger: cli.ledger, as: prefix, noLock: true)
    }

    /// A data file that cannot be written beside a lock file that can: read only, with the lock (no notice).
    @Test func readsWorkWithOnlyTheLockFileWritable() throws {
        let (cli, outputs) = try demo()
        var prefix: [String] = []
        if getuid() == 0 {
            guard runTool(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", cli.binary.path, "--version"]).code == 0 else {
                print("skipped: running as root, and `setpriv` cannot run align as nobody here")
                return
            }
            prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        }
        #expect(runTool(["chmod", "a-w", cli.ledger, cli.ledger + "/data.mdb"]).code == 0)
        #expect(runTool(["chmod", "a+rw", cli.ledger + "/lock.mdb"]).code == 0)
        defer { runTool(["chmod", "-R", "u+w", cli.ledger]) }
        try checkReads(cli, outputs, ledger: cli.ledger, as: prefix, noLock: false)
    }

    @Test func readsWorkOnAReadOnlyBindMount() throws {
        let (cli, outputs) = try demo()
        guard let mount = try TestMount.readOnlyBind(cli.ledger) else { return }
        try checkReads(cli, outputs, ledger: mount.point, noLock: true)
    }

    @Test func readsWorkOnATmpfsMountedReadOnly() throws {
        let (cli, outputs) = try demo()
        guard let mount = try TestMount.tmpfs(size: "16m") else { return }
        let ledger = mount.point + "/ledger"
        #expect(runTool(["cp", "-a", cli.ledger, ledger]).code == 0)
        guard mount.remountReadOnly() else { print("skipped: a tmpfs cannot be remounted read-only here"); return }
        try checkReads(cli, outputs, ledger: ledger, noLock: true)
    }

    // MARK: Backup

    @Test func backupCopiesVerifiesAndPrintsTheCopysCheckpoint() throws {
        let (cli, outputs) = try demo()
        let dest = cli.dir.appendingPathComponent("backups/q2.ledger").path
        let o = try cli.ok(["backup", dest])
        let head = try cli.head()
        #expect(o.out.contains("verified: sound"), "\(o)")
        #expect(o.out.contains("\ncheckpoint \(head)\n"), "\(o)")
        // The demo signed a checkpoint of its head: the copy is proven to extend it, and the note comes last.
        #expect(o.out.contains("it extends this signed checkpoint"), "\(o)")
        let j = try cli.ok(["backup", dest + "-2", "--json"]).json()
        #expect(j["head"] as? String == head)
        #expect((j["verify"] as? [String: Any])?["ok"] as? Bool == true)
        // The copy is a ledger that answers as the original and verifies against the checkpoint.
        #expect(try cli.run(["verify", "--checkpoint", head], ledger: dest).code == 0)
        #expect(tiesUnordered(try cli.run(["scorecard", "--until", "2030-01-01"], ledger: dest).out) == tiesUnordered(outputs["scorecard --until 2030-01-01"] ?? ""))
        // A directory that holds anything, or a file, is refused (usage: exit 2), and left as it was.
        try cli.fails(2, ["backup", dest], mentioning: "not empty")
        let file = try cli.write("file", "kept\n")
        try cli.fails(2, ["backup", file], mentioning: "is a file")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "kept\n")
        // An empty directory is taken.
        let empty = cli.dir.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try cli.ok(["backup", empty])
    }

    /// Backups while another process appends in a loop: each exits 0 with a copy that verifies against its own
    /// checkpoint, and the appender never fails.
    @Test func backupWhileAnotherProcessAppends() throws {
        let cli = try CLI()
        try cli.ok(["init", "--admin", "rita", "--name", "Rita Revops"])
        let o = try cli.sh("""
            ( i=0; while [ ! -f stop ]; do i=$((i+1)); "$A" actor add "p$i" --name P --role sales --as rita >/dev/null || { echo "append failed"; exit 1; }; done ) &
            w=$!
            while kill -0 $w 2>/dev/null && [ "$("$A" stats --json | sed 's/.*"events":\\([0-9]*\\).*/\\1/')" -lt 8 ]; do sleep 0.05; done
            for n in 1 2 3 4; do
                "$A" backup "b$n" --json | sed 's/.*"head":"\\([^"]*\\)".*/\\1/' > "b$n.head"
                # The next backup waits for the appender to have moved on (it never stops meanwhile).
                while kill -0 $w 2>/dev/null && [ "$("$A" stats --json | sed 's/.*"events":\\([0-9]*\\).*/\\1/')" -le "$(cut -d: -f1 "b$n.head")" ]; do sleep 0.05; done
            done
            touch stop; wait $w || exit 8
            for n in 1 2 3 4; do "$A" verify --ledger "b$n" --checkpoint "$(cat b$n.head)" >/dev/null || exit 7; cat "b$n.head"; done
            """)
        #expect(o.code == 0, "\(o)")
        let heads = o.out.split(separator: "\n").compactMap { $0.split(separator: ":").first.flatMap { Int($0) } }
        #expect(heads.count == 4 && heads.allSatisfy { $0 >= 8 }, "\(o)")
        #expect(heads == heads.sorted() && Set(heads).count == 4, "the ledger grew between the backups: \(o)")
    }

    /// A backup of a read-only ledger works (LMDB's copy only reads).
    @Test func backupOfAReadOnlyLedger() throws {
        let (cli, _) = try demo()
        guard let mount = try TestMount.readOnlyBind(cli.ledger) else { return }
        let dest = cli.dir.appendingPathComponent("copy").path
        let o = try cli.run(["backup", dest], ledger: mount.point)
        let head = try cli.head()
        #expect(o.code == 0 && o.out.contains("checkpoint \(head)"), "\(o)")
    }

    /// A backup onto a full disk says so, removes the incomplete copy, and leaves the ledger as it was.
    @Test func backupOntoAFullDisk() throws {
        let (cli, _) = try demo()
        guard let mount = try TestMount.tmpfs(size: "64k") else { return }
        let before = cli.digest(cli.ledger + "/data.mdb")
        let dest = mount.point + "/copy"
        let o = try cli.fails(3, ["backup", dest], mentioning: "disk full")
        #expect(o.err.contains("the incomplete copy was removed"), "\(o)")
        #expect(!FileManager.default.fileExists(atPath: dest), "the cut-short copy is gone")
        #expect(cli.digest(cli.ledger + "/data.mdb") == before)
        // Into the mount point itself (an existing empty directory): the copy goes, the directory stays.
        try cli.fails(3, ["backup", mount.point], mentioning: "disk full")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: mount.point)) == [])
    }

    // MARK: A full disk

    /// A ledger on a 2 MiB tmpfs takes commands until the disk is full; then a command says "disk full" and that
    /// nothing of it was written, the ledger is unchanged and verifies, and commands go on once space is freed.
    @Test func aFullDiskSaysDiskFullAndWritesNothing() throws {
        let cli = try CLI()
        guard let mount = try TestMount.tmpfs(size: "2m") else { return }
        let ledger = mount.point + "/ledger"
        let filler = mount.point + "/filler"
        #expect(try cli.run(["init", "--admin", "rita", "--name", "Rita Revops"], ledger: ledger).code == 0)
        // Fill the rest but a little, so the first commands fit and a few more do not.
        let free = try #require(freeBytes(mount.point))
        _ = FileManager.default.createFile(atPath: filler, contents: Data(count: max(0, free - 96 * 1024)))
        var full: Outcome?
        for i in 0..<400 {
            let o = try cli.run(["actor", "add", "p\(i)", "--name", String(repeating: "P", count: 200), "--role", "sales", "--as", "rita"], ledger: ledger)
            if o.code != 0 { full = o; break }
        }
        let failed = try #require(full, "the disk never filled")
        #expect(failed.code == 3, "\(failed)")
        #expect(failed.err.contains("error: storage failure: disk full"), "\(failed)")
        #expect(failed.err.contains("were not written") && failed.err.contains("the ledger is unchanged"), "\(failed)")
        let headAfter = try cli.run(["stats", "--json"], ledger: ledger).json()["head"] as? String
        #expect(try cli.run(["verify"], ledger: ledger).code == 0)
        // Refused again, nothing written; then space is freed and commands go on.
        #expect(try cli.run(["actor", "add", "late", "--name", "Late", "--role", "sales", "--as", "rita"], ledger: ledger).code == 3)
        #expect(try cli.run(["stats", "--json"], ledger: ledger).json()["head"] as? String == headAfter)
        try FileManager.default.removeItem(atPath: filler)
        #expect(try cli.run(["actor", "add", "late", "--name", "Late", "--role", "sales", "--as", "rita"], ledger: ledger).code == 0)
        #expect(try cli.run(["verify"], ledger: ledger).code == 0)
    }
}

/// `out` with the scorecard's "rejections by reason" line in name order: reasons with equal counts come in
/// dictionary order there, which differs from one process to the next (`ScorecardReport`).
func tiesUnordered(_ out: String) -> String {
    out.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        guard line.hasPrefix("rejections by reason: ") else { return String(line) }
        return "rejections by reason: " + line.dropFirst(22).components(separatedBy: ", ").sorted().joined(separator: ", ")
    }.joined(separator: "\n")
}

/// `out` with today's times written as NOW: a scorecard ages open leads "as of" the current minute, which two runs a
/// minute boundary apart tell differently (the outputs are compared, not the clock).
func maskNow(_ out: String) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyy-MM-dd"
    let today = f.string(from: Date()), yesterday = f.string(from: Date().addingTimeInterval(-86_400))
    var masked = out
    for day in [today, yesterday] {
        masked = masked.replacingOccurrences(of: day + #"T\d\d:\d\d(:\d\d(\.\d+)?)?Z"#, with: "NOW", options: .regularExpression)
    }
    return masked
}

/// Bytes free for this user on the file system of `path`.
func freeBytes(_ path: String) -> Int? {
    var s = statvfs()
    guard statvfs(path, &s) == 0 else { return nil }
    return Int(s.f_bavail) * Int(s.f_frsize)
}
