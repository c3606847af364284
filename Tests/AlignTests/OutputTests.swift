// Output that never crashes: a full disk, a closed standard output, a reader that stops early, and an export that
// will not write over a link, a FIFO or a read-only file.
import Foundation
import Testing

extension CLI {
    /// Runs a shell script with `$A` the binary and `ALIGN_LEDGER` the ledger; stdout and stderr as the script leaves them.
    func sh(_ script: String) throws -> Outcome {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ALIGN_") }
        environment["A"] = binary.path
        environment["ALIGN_LEDGER"] = ledger
        environment["ALIGN_KEYS"] = keys
        // Its output files outside the directory the script lists.
        let r = try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", script], environment: environment,
                               scratch: FileManager.default.temporaryDirectory, directory: dir)
        return Outcome(code: r.code, out: r.out, err: r.err)
    }
}

@Suite("align output")
struct OutputTests {
    func ledger() throws -> CLI {
        let cli = try CLI()
        try cli.people()
        return cli
    }

    @Test func aFullDiskExits3WithOneLine() throws {
        let cli = try ledger()
        let o = try cli.sh(#""$A" log > /dev/full"#)
        #expect(o.code == 3, "\(o)")
        #expect(o.err == "error: cannot write the output: No space left on device\n", "\(o)")
    }

    @Test func aLongOutputOntoAFullDiskIsReportedOnce() throws {
        let cli = try CLI()
        try #require(try cli.run(["demo", "--leads", "300", "--seed", "5"]).code == 0)
        // Far more than the 64 KiB buffer: the failure is met while writing, not at the final flush.
        for command in [#""$A" log --json > /dev/full"#, #""$A" export > /dev/full"#] {
            let o = try cli.sh(command)
            #expect(o.code == 3, "\(o)")
            #expect(o.err == "error: cannot write the output: No space left on device\n", "\(o)")
        }
    }

    @Test func helpAndVersionOntoAFullDiskExit3() throws {
        let cli = try CLI()
        for command in [#""$A" --help > /dev/full"#, #""$A" --version > /dev/full"#, #""$A" log --help >&-"#] {
            let o = try cli.sh(command)
            #expect(o.code == 3, "\(command): \(o)")
            #expect(o.err.hasPrefix("error: cannot write the output:"), "\(command): \(o)")
        }
    }

    @Test func anExportReplacingAFileKeepsItsPermissions() throws {
        let cli = try ledger()
        let o = try cli.sh(#"echo old > private.jsonl; chmod 600 private.jsonl; "$A" export --output private.jsonl >/dev/null && stat -c %a private.jsonl"#)
        #expect(o.out == "600\n", "\(o)")
    }

    @Test func aClosedStandardOutputExits3WithOneLine() throws {
        let cli = try ledger()
        let o = try cli.sh(#""$A" stats >&-"#)
        #expect(o.code == 3, "\(o)")
        #expect(o.err.hasPrefix("error: cannot write the output:") && o.err.split(separator: "\n").count == 1, "\(o)")
    }

    @Test func aCommittedWriteWhoseOutputFailsSaysSo() throws {
        let cli = try ledger()
        let o = try cli.sh(#""$A" actor add vic --name Vic --role viewer --as rita > /dev/full"#)
        #expect(o.code == 3, "\(o)")
        #expect(o.err.contains("were committed"), "\(o)")
        #expect(try cli.ok(["actor", "list"]).out.contains("vic"))
    }

    @Test func aReaderThatStopsEarlyEndsItQuietly() throws {
        let cli = try CLI()
        try #require(try cli.run(["demo", "--leads", "300", "--seed", "5"]).code == 0)
        // The log is far longer than a pipe holds: align is still writing when head exits.
        let o = try cli.sh(#"("$A" log --json; echo "align exited $?" >&2) | head -1"#)
        #expect(o.out.split(separator: "\n").count == 1, "\(o)")
        #expect(o.err == "align exited 0\n", "\(o)")
        let f = try cli.sh(#"(timeout 20 "$A" log --follow; echo "align exited $?" >&2) | head -1"#)
        #expect(f.err == "align exited 0\n", "\(f)")
        // The reader goes while align waits for new events, everything stored already written: it notices (as tail -f).
        let idle = try cli.sh(#"(timeout 20 "$A" log --follow; echo "align exited $?" >&2) | (head -1 > /dev/null; sleep 1)"#)
        #expect(idle.err == "align exited 0\n", "\(idle)")
    }

    @Test func exportRefusesALinkAFIFOAndAReadOnlyFileAndReplacesNothing() throws {
        let cli = try ledger()
        let o = try cli.sh("""
            echo kept > target; ln -s target link; mkfifo fifo; echo kept > readonly; chmod 444 readonly
            for f in link fifo readonly /dev/full; do "$A" export --output "$f"; echo "exit $?"; done
            cat target readonly; ls
            """)
        #expect(o.out == "exit 3\nexit 3\nexit 3\nexit 3\nkept\nkept\nfifo\nkeys\nledger\nlink\nreadonly\ntarget\n", "\(o)")
        #expect(o.err.split(separator: "\n").count == 4 && o.err.contains("not a regular file") && o.err.contains("read-only"), "\(o)")
        let ok = try cli.sh(#""$A" export --output events.jsonl && wc -l < events.jsonl && ls"#)
        #expect(ok.out.hasSuffix("10\nevents.jsonl\nfifo\nkeys\nledger\nlink\nreadonly\ntarget\n"), "no temporary file is left: \(ok)")
    }
}

@Suite("align log --follow")
struct FollowTests {
    /// `--follow` prints the events stored, then each new one as another process commits it.
    @Test func followPrintsAnEventCommittedByAnotherProcess() throws {
        let cli = try CLI()
        try cli.people()
        let o = try cli.sh("""
            timeout 20 "$A" log --follow --limit 7 > followed.txt & pid=$!
            sleep 1; "$A" actor add vic --name Vic --role viewer --as rita > /dev/null
            wait $pid; echo "exit $?"; cat followed.txt
            """)
        let lines = o.out.split(separator: "\n")
        #expect(lines.first == "exit 0", "\(o)")
        #expect(lines.count == 8 && lines.last?.contains("ActorRegistered") == true, "\(o)")
    }
}
