// The page script's canonical JSON and signed bytes against the service's, under node when it is installed (the
// script's pure part runs there unchanged): the line a browser signs must be the line the server checks.
import AlignmentLedger
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import AlignServer

/// Runs `program` under node with the page script loaded as `Align`; its standard output. nil when node is missing.
func runNode(_ program: String, input: String) throws -> String? {
    guard let node = ["/usr/bin/node", "/usr/local/bin/node"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("align-web-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data(StaticFiles.identityScript.utf8).write(to: dir.appendingPathComponent("align.js"))
    try Data(input.utf8).write(to: dir.appendingPathComponent("input.json"))
    let main = """
        const Align = require("./align.js");
        const input = JSON.parse(require("fs").readFileSync(__dirname + "/input.json", "utf8"));
        (async () => { \(program) })().catch((e) => { console.error(e); process.exit(1); });
        """
    try Data(main.utf8).write(to: dir.appendingPathComponent("main.js"))
    let p = Process()
    p.executableURL = URL(fileURLWithPath: node)
    p.arguments = [dir.appendingPathComponent("main.js").path]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "node failed")
    return String(decoding: data, as: UTF8.self)
}

@Suite("align serve: the page script")
struct WebScriptTests {
    @Test func theScriptsCanonicalJSONIsTheServices() throws {
        // Keys whose UTF-16 order is not their UTF-8 order (U+FF5E and U+1F600), escapes, control characters, numbers.
        let lines = [
            #"{"command":"definition.sign-off","args":{"version":1,"id":"mql","comment":"fits \"our\" ICP\\ \n\t\u0001\u001f\u007f é ☃ 😀 \u2028"},"key":"n-1","at":"2026-03-01T09:00:00Z","as":"sam"}"#,
            #"{"z":1,"a":[3,2,{"b":true,"a":null}],"é":"x","～":0,"😀":-5,"A":false,"":""}"#,
            #"{"args":{"profile":["employees=450","company=<Acme> & \"Sons\""],"signal":["webinar.attended@2026-03-01T10:00:00Z:Pricing"]},"command":"lead.handoff"}"#,
        ]
        guard let out = try runNode("for (const v of input) console.log(Align.canonical(v));", input: "[" + lines.joined(separator: ",") + "]") else { return }
        let got = out.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let expected = try lines.map { String(decoding: try SignedCommand.canonicalLine(Array($0.utf8)), as: UTF8.self) }
        #expect(got == expected)
    }

    @Test func theScriptsSignedBytesAreTheServices() throws {
        let ledger = UUID()
        let challenge = (0..<32).map { UInt8($0 * 7 % 256) }
        let line = #"{"args":{"id":"mql","version":1},"as":"sam","at":"2026-03-01T09:00:00Z","command":"definition.sign-off","key":"n"}"#
        let input = #"{"ledger":"\#(ledger.uuidString.lowercased())","challenge":"\#(Base64URL.encode(challenge))","line":\#(String(decoding: try LedgerJSON.encode(line), as: UTF8.self))}"#
        guard let out = try runNode("""
            console.log(Align.hex(Align.signInMessage(input.ledger, "sam", "0123456789abcdef", Align.unb64url(input.challenge))));
            console.log(Align.hex(Align.commandMessage(input.ledger, "0123456789abcdef", Align.enc.encode(input.line))));
            """, input: input) else { return }
        func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
        #expect(out == hex(SignIn.message(ledgerID: ledger, actor: "sam", keyID: "0123456789abcdef", challenge: challenge)) + "\n"
                + hex(SignedCommand.message(ledgerID: ledger, keyID: "0123456789abcdef", line: Array(line.utf8))) + "\n")
    }

    /// A key made as the page makes it (WebCrypto, not extractable), registered from its proof, signs in and signs a
    /// command the server records.
    @Test func aKeyMadeByTheScriptSignsInAndSignsACommand() async throws {
        let f = try ServerFixture()
        let app = Application(router: AlignServer.router(ledger: f.ledger, logRequests: false))
        try await app.test(.router) { client in
            let c = try await client.execute(uri: "/api/v1/session/challenge", method: .post)
            let challenge = try #require(c.object["challenge"] as? String)
            let input = #"{"ledger":"\#(f.ledger.ledgerID.uuidString.lowercased())","challenge":"\#(challenge)"}"#
            guard let out = try runNode("""
                const { enc, b64url, unb64url, hex, canonical } = Align;
                const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
                const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
                const keyId = hex(new Uint8Array(await crypto.subtle.digest("SHA-256", raw)).slice(0, 8));
                const sign = async (bytes) => b64url(new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, bytes)));
                const line = canonical({ args: { id: "mql", version: 1, comment: "signed in node, as in the page" }, as: "nina",
                                         // a little ahead (within the clock skew): nina is registered after node signs
                                         at: new Date(Date.now() + 5000).toISOString(), command: "definition.sign-off", key: crypto.randomUUID() });
                console.log(JSON.stringify({
                  key: "ed25519:" + b64url(raw), keyId, proof: await sign(Align.possessionMessage("nina", raw)),
                  signIn: { actor: "nina", challenge: input.challenge, keyId, signature: await sign(Align.signInMessage(input.ledger, "nina", keyId, unb64url(input.challenge))) },
                  command: { keyId, line, signature: await sign(Align.commandMessage(input.ledger, keyId, enc.encode(line))) },
                }));
                """, input: input) else { return }
            let made = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
            let grant = try KeyGrant(key: made["key"] as? String ?? "", proof: made["proof"] as? String ?? "", actor: "nina")
            #expect(grant.key.id == made["keyId"] as? String)
            try f.ledger.execute(.actorAdd(id: "nina", name: "Nina", roles: [.sales], key: grant), as: "rita", signer: f.keys["rita"])
            let json = { (o: Any?) in ByteBuffer(bytes: Array((try? JSONSerialization.data(withJSONObject: o ?? [:])) ?? Data())) }
            let session = try await client.execute(uri: "/api/v1/session", method: .post, headers: [.contentType: "application/json"], body: json(made["signIn"]))
            #expect(session.status == .created, "\(session.text)")
            let token = try #require(session.object["token"] as? String)
            let r = try await client.execute(uri: "/api/v1/commands", method: .post,
                                             headers: [.contentType: "application/json", .authorization: "Bearer \(token)"], body: json(made["command"]))
            #expect(r.status == .created, "\(r.text)")
            #expect(try f.ledger.definition("mql").versions[0].signOffs.map(\.actor) == ["nina"])
        }
    }
}
