// Keys from the command line: generated private, never overwritten, refused when others may read them; `--as` without
// a usable key is refused with a way to get one; a rotation by the key's owner swaps the key file; verify counts.
import Foundation
import Testing

@Suite("align keys")
struct KeyTests {
    @Test func actingWithoutAKeyIsRefusedWithAWayToGetOne() throws {
        let cli = try CLI()
        try cli.people()
        let before = try cli.eventCount()
        // vic exists, but no key of his is at hand.
        try cli.ok(["actor", "add", "vic", "--name", "Vic", "--role", "sales", "--as", "rita"])
        try cli.fails(1, ["definition", "propose", "mql", "--title", "T", "--fit", "employees>=1", "--as", "vic"], mentioning: "align key generate --as vic")
        #expect(try cli.eventCount() == before + 1)
        // A key generated but not registered signs nothing either.
        try cli.ok(["key", "generate", "--as", "vic"], withLedger: false)
        try cli.fails(1, ["definition", "propose", "mql", "--title", "T", "--fit", "employees>=1", "--as", "vic"], mentioning: "not registered")
        try cli.ok(["actor", "key", "add", "vic", "--as", "rita"])
        try cli.ok(["definition", "propose", "mql", "--title", "T", "--fit", "employees>=1", "--as", "vic"])
    }

    /// A proof is base64url, and one in 64 begins with '-': it is read as the option's value, not as another option (the
    /// proof below is refused for not checking, not for being an unknown option).
    @Test func aProofThatBeginsWithADashIsAProof() throws {
        let cli = try CLI()
        try cli.people()
        let key = try cli.ok(["key", "generate", "--as", "vic", "--json"], withLedger: false).json()["publicKey"] as? String ?? ""
        try cli.fails(2, ["actor", "add", "vic", "--name", "Vic", "--role", "sales", "--key", key, "--proof", "-" + String(repeating: "A", count: 85),
                          "--as", "rita"], mentioning: "the proof does not show")
    }

    @Test func keyFilesAreNeverOverwrittenAndMustBePrivate() throws {
        let cli = try CLI()
        try cli.people()
        let path = cli.keys + "/sam.key"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let again = try cli.run(["key", "generate", "--as", "sam"], withLedger: false)
        #expect(again.code == 1 && again.err.contains("never overwritten"), "\(again)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == original)
        chmod(path, 0o644)
        try cli.fails(1, ["definition", "propose", "mql", "--title", "T", "--fit", "employees>=1", "--as", "sam"], mentioning: "chmod 600")
        chmod(path, 0o600)
        let shown = try cli.ok(["key", "show", "--as", "sam", "--json"], withLedger: false).json()
        #expect((shown["publicKey"] as? String)?.hasPrefix("ed25519:") == true && (shown["keyId"] as? String)?.count == 16)
    }

    @Test func anActorRotatesTheirOwnKey() throws {
        let cli = try CLI()
        try cli.people()
        let oldID = try #require(try cli.ok(["key", "show", "--as", "sam", "--json"], withLedger: false).json()["keyId"] as? String)
        let rotated = try cli.ok(["actor", "key", "rotate", "sam", "--as", "sam"])
        #expect(rotated.out.contains("revoked \(oldID)"), "\(rotated)")
        let newID = try #require(try cli.ok(["key", "show", "--as", "sam", "--json"], withLedger: false).json()["keyId"] as? String)
        #expect(newID != oldID && FileManager.default.fileExists(atPath: cli.keys + "/sam.\(oldID).revoked.key"))
        let list = try cli.ok(["actor", "key", "list", "sam"])
        #expect(list.out.contains(oldID) && list.out.contains(newID) && list.out.contains("revoked"))
        // The new key acts; verify counts every signed event and the keys.
        try cli.ok(["definition", "propose", "mql", "--title", "T", "--fit", "employees>=1", "--as", "maria"])
        try cli.ok(["definition", "sign-off", "mql", "1", "--as", "sam"])
        let v = try cli.ok(["verify", "--json"]).json()
        #expect(v["ok"] as? Bool == true)
        #expect(dig(v, "signatures", "unsigned") as? Int == 0 && (dig(v, "signatures", "keys") as? Int ?? 0) >= 3, "\(v)")
    }
}

@Suite("align apply --import")
struct ImportTests {
    @Test func aRevopsMemberImportsLinesWhoseActorsKeysAreNotAtHand() throws {
        let cli = try CLI()
        try cli.people()
        try cli.ok(["actor", "add", "max", "--name", "Max", "--role", "sales", "--as", "rita"])  // his key is elsewhere
        try cli.ok(["definition", "propose", "mql", "--title", "T", "--fit", "employees>=1", "--as", "maria"])
        let file = try cli.write("crm.jsonl", #"{"command": "definition.sign-off", "as": "max", "args": {"id": "mql", "version": 1}}"# + "\n")
        let before = try cli.eventCount()
        try cli.fails(1, ["apply", file], mentioning: "no key for 'max'")
        try cli.fails(2, ["apply", file, "--import", "--as", "rita"], mentioning: "--reason")
        try cli.fails(1, ["apply", file, "--import", "--reason", "sync", "--as", "sam"])
        #expect(try cli.eventCount() == before)
        try cli.ok(["apply", file, "--import", "--reason", "weekly CRM sync", "--as", "rita"])
        #expect(try cli.eventCount() == before + 2)
        let audit = try cli.ok(["audit", "actor", "max"])
        #expect(audit.out.contains("imported by rita from \(file): max"), "\(audit)")
        let v = try cli.ok(["verify", "--json"]).json()
        #expect(v["ok"] as? Bool == true && dig(v, "signatures", "imported") as? Int == 1, "\(v)")
    }
}
