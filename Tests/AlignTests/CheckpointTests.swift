// Signed checkpoints from the command line: `align checkpoint` signs C2SP notes with the ledger's log key; `verify
// --checkpoint NOTE` tells a rolled-back copy from a forked one and prints both heads; `prove` hands out proofs that
// check; notes signed by another key, edited, or whose size is one off are refused.
import Foundation
import Testing

@Suite("align checkpoint and prove")
struct CheckpointTests {
    /// A copy of the ledger directory (as a backup or a stolen copy would be).
    private func copyLedger(_ cli: CLI, to name: String) throws -> String {
        let dest = cli.dir.appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: dest, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: cli.ledger + "/data.mdb", toPath: dest + "/data.mdb")
        return dest
    }

    @Test func aRolledBackAndAForkedLedgerAreToldApartWithBothHeads() throws {
        let cli = try CLI()
        try cli.people()
        let vkey = try cli.ok(["checkpoint", "--vkey"]).out.trimmingCharacters(in: .newlines)
        #expect(vkey.hasPrefix("align/") && vkey.split(separator: "+").count >= 3)
        let early = try cli.write("early.note", try cli.ok(["checkpoint"]).out)
        let earlySize = try #require(Int(early.isEmpty ? "" : try String(contentsOfFile: early, encoding: .utf8).split(separator: "\n")[1]))
        let copy = try copyLedger(cli, to: "copy")  // the ledger as of the early checkpoint
        try cli.activeDefinition()
        let late = try cli.write("late.note", try cli.ok(["checkpoint"]).out)
        // The ledger extends both, with the pinned key and with the key given.
        try cli.ok(["verify", "--checkpoint", early])
        let v = try cli.ok(["verify", "--checkpoint", late, "--vkey", vkey, "--json"]).json()
        let total = try cli.eventCount()
        #expect(v["ok"] as? Bool == true && dig(v, "signedCheckpoint", "size") as? Int == total)

        // The copy is a rollback of the late checkpoint.
        let rolled = try cli.run(["verify", "--checkpoint", late, "--vkey", vkey, "--ledger", copy], withLedger: false)
        #expect(rolled.code == 3 && rolled.out.contains("ROLLBACK"), "\(rolled)")
        #expect(rolled.out.contains("signed checkpoint: \(total) events") && rolled.out.contains("this ledger:       \(earlySize) events"), "\(rolled)")

        // Something else written into the copy makes it a fork of the late checkpoint (same size, other events).
        let events = try cli.eventCount()
        var i = 0
        while try eventCount(cli, copy) < events, i < 50 {
            i += 1
            try cli.ok(["key", "generate", "--as", "fork\(i)"], withLedger: false)
            try cli.ok(["actor", "add", "fork\(i)", "--name", "Forked \(i)", "--role", "marketing", "--as", "rita", "--ledger", copy], withLedger: false)
        }
        // (An `actor add` records the actor and the key: the copy may end one event past the checkpoint; either way its
        // tree at the checkpoint's size is another.)
        #expect(try eventCount(cli, copy) >= events, "the copy could not be brought to the checkpoint's size")
        let forked = try cli.run(["verify", "--checkpoint", late, "--vkey", vkey, "--ledger", copy, "--json"], withLedger: false)
        #expect(forked.code == 3, "\(forked)")
        let f = try forked.json()
        #expect(f["verdict"] as? String == "FORK" && dig(f, "heads", "checkpointSize") as? Int == events, "\(f)")
        #expect(dig(f, "heads", "ledgerRootAtCheckpoint") as? String != dig(f, "heads", "checkpointRoot") as? String)
        // The early checkpoint is still extended by the fork (it forked after it).
        try cli.ok(["verify", "--checkpoint", early, "--ledger", copy], withLedger: false)
    }

    private func eventCount(_ cli: CLI, _ ledger: String) throws -> Int {
        (try cli.ok(["stats", "--json", "--ledger", ledger], withLedger: false).json()["events"] as? Int) ?? -1
    }

    @Test func aBackupExtendsASignedCheckpointOfTheHead() throws {
        let cli = try CLI()
        try cli.people()
        let dest = cli.dir.appendingPathComponent("backup").path
        let b = try cli.ok(["backup", dest, "--json"]).json()
        let note = try #require(b["signedCheckpoint"] as? String)
        let events = try cli.eventCount()
        #expect(b["signedNow"] as? Bool == true && note.split(separator: "\n")[1] == Substring(String(events)), "\(b)")
        // The copy verifies against that note, and the note is the one kept.
        try cli.ok(["verify", "--ledger", dest, "--checkpoint", try cli.write("b.note", note)], withLedger: false)
        #expect(try cli.ok(["checkpoint", "--latest"]).out == note)
    }

    @Test func theOriginIsChosenAtInit() throws {
        let cli = try CLI()
        // A name with a space cannot be a note's key name: refused, and no ledger is left behind.
        try cli.fails(2, ["init", "--admin", "rita", "--name", "Rita", "--origin", "acme ledger"], mentioning: "origin")
        #expect(!FileManager.default.fileExists(atPath: cli.ledger + "/data.mdb"))
        try cli.ok(["init", "--admin", "rita", "--name", "Rita", "--origin", "ledger.acme.example/revops"])
        let note = try cli.ok(["checkpoint"]).out
        #expect(note.hasPrefix("ledger.acme.example/revops\n4\n"), "\(note)")
        #expect(try cli.ok(["checkpoint", "--vkey"]).out.hasPrefix("ledger.acme.example/revops+"))
        // Signing again at the same size hands back the note kept for it.
        #expect(try cli.ok(["checkpoint"]).out == note)
    }

    @Test func notesThatAreNotTheLogsOwnAreRefused() throws {
        let cli = try CLI()
        try cli.people()
        let note = try cli.ok(["checkpoint"]).out
        let other = try CLI()
        try other.people()
        let otherKey = try other.ok(["checkpoint", "--vkey"]).out.trimmingCharacters(in: .newlines)
        // Another log's key: its name is not the note's signer, so no known signature.
        try cli.fails(3, ["verify", "--checkpoint", try cli.write("n1", note), "--vkey", otherKey], mentioning: "no signature")
        // A note whose size was edited: the signature no longer verifies.
        var lines = note.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let size = try #require(Int(lines[1]))
        lines[1] = String(size - 1)
        try cli.fails(3, ["verify", "--checkpoint", try cli.write("n2", lines.joined(separator: "\n"))], mentioning: "does not verify")
        lines[1] = "0" + String(size)
        try cli.fails(3, ["verify", "--checkpoint", try cli.write("n3", lines.joined(separator: "\n"))], mentioning: "does not verify")
        // Without its final newline.
        try cli.fails(3, ["verify", "--checkpoint", try cli.write("n4", String(note.dropLast()))], mentioning: "newline")
        // A malformed verifier key is a usage error.
        try cli.fails(2, ["verify", "--checkpoint", try cli.write("n5", note), "--vkey", "nonsense"], mentioning: "verifier key")
        // The note itself still checks.
        try cli.ok(["verify", "--checkpoint", try cli.write("n6", note)])
    }

    @Test func proofsCheckAgainstTheSignedCheckpoint() throws {
        let cli = try CLI()
        try cli.people()
        try cli.fails(1, ["prove", "inclusion", "2"], mentioning: "align checkpoint")
        let a = try cli.write("a.note", try cli.ok(["checkpoint"]).out)
        let first = try cli.eventCount()
        try cli.activeDefinition()
        let b = try cli.write("b.note", try cli.ok(["checkpoint"]).out)
        let n = try cli.eventCount()
        for position in [1, 2, n / 2, n] {
            let p = try cli.ok(["prove", "inclusion", String(position), "--json"]).json()
            #expect(p["position"] as? Int == position && p["leafIndex"] as? Int == position - 1 && p["treeSize"] as? Int == n)
            #expect((p["leafHash"] as? String)?.count == 64 && (p["checkpoint"] as? String)?.contains("\n\n— ") == true)
        }
        // Against the older note: its size, and a position beyond it is refused.
        let old = try cli.ok(["prove", "inclusion", "2", "--checkpoint", a, "--json"]).json()
        #expect(old["treeSize"] as? Int == first)
        try cli.fails(1, ["prove", "inclusion", String(n), "--checkpoint", a], mentioning: "not in the checkpoint")
        let c = try cli.ok(["prove", "consistency", a, b, "--json"]).json()
        #expect(c["oldSize"] as? Int == first && c["newSize"] as? Int == n && !((c["proof"] as? [Any]) ?? []).isEmpty)
        try cli.fails(1, ["prove", "consistency", b, a], mentioning: "in order")
    }
}
