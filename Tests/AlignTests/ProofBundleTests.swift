// Proof-carrying audit answers end to end: `align audit who-approved --proof` on a scripted signed ledger, checked by
// the offline verifier (tools/verify_bundle.py, Python and `cryptography` only), which must accept the bundle and
// refuse every tampered copy.
import Foundation
import Testing

/// Runs tools/verify_bundle.py with an interpreter that has `cryptography`: $ALIGN_PYTHON, else python3, else
/// Debian's /usr/bin/python3 (CI installs python3-cryptography; .ci/run sets ALIGN_PYTHON).
struct BundleVerifier {
    let python: String
    let script: String

    init() throws {
        script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tools/verify_bundle.py").path
        try #require(FileManager.default.fileExists(atPath: script), "tools/verify_bundle.py is not at \(script)")
        let env = ProcessInfo.processInfo.environment
        let candidates = [env["ALIGN_PYTHON"], "python3", "/usr/bin/python3"].compactMap { $0 }.filter { !$0.isEmpty }
        let found = candidates.first { py in
            (try? BundleVerifier.run(["/usr/bin/env", py, "-c", "import cryptography"]).code) == 0
        }
        python = try #require(found, """
            no Python with the `cryptography` package (tried \(candidates.joined(separator: ", "))): the proof-bundle tests need it. \
            Install it (apt-get install python3-cryptography, or pip install cryptography in a venv) and/or point ALIGN_PYTHON at that interpreter
            """)
    }

    /// Verifies the bundle file with the trusted key: the exit code and what it printed.
    func verify(_ bundle: String, vkey: String, json: Bool = false) throws -> Outcome {
        try BundleVerifier.run(["/usr/bin/env", python, script, bundle, "--vkey", vkey] + (json ? ["--json"] : []))
    }

    static func run(_ args: [String]) throws -> Outcome {
        let r = try runProcess(URL(fileURLWithPath: args[0]), Array(args.dropFirst()), environment: ProcessInfo.processInfo.environment,
                               scratch: FileManager.default.temporaryDirectory)
        return Outcome(code: r.code, out: r.out, err: r.err)
    }
}

@Suite("align audit who-approved --proof")
struct ProofBundleTests {
    /// rita, maria, sam, sofia; mql v1 signed off by sam and sofia and active; v2 proposed and rejected by sofia;
    /// events of other streams in between.
    func scriptedLedger() throws -> CLI {
        let cli = try CLI()
        try cli.people()
        try cli.ok(["definition", "propose", "mql", "--title", "Marketing-qualified lead", "--fit", "employees>=200",
                    "--engagement", "webinar.attended>=1", "--as", "maria"])
        try cli.ok(["campaign", "draft", "q2-webinar", "--name", "Q2 pricing webinar", "--as", "maria"])
        try cli.ok(["definition", "sign-off", "mql", "1", "--comment", "matches our ICP", "--as", "sam"])
        try cli.ok(["definition", "sign-off", "mql", "1", "--as", "sofia"])
        try cli.ok(["definition", "activate", "mql", "1", "--as", "maria"])
        try cli.ok(["definition", "propose", "mql", "--title", "Broader", "--fit", "employees>=20", "--as", "maria"])
        try cli.ok(["definition", "reject", "mql", "2", "--reason", "too broad", "--as", "sofia"])
        return cli
    }

    func readJSON(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    func writeJSON(_ o: [String: Any], _ path: String) throws {
        try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
    }

    @Test func aBundleIsCheckedOfflineAndEveryTamperedCopyIsRefused() throws {
        let verifier = try BundleVerifier()
        let cli = try scriptedLedger()
        let file = cli.dir.appendingPathComponent("mql.proof.json").path
        // No checkpoint yet: a clear error, no file.
        try cli.fails(1, ["audit", "who-approved", "mql", "--proof", file], mentioning: "align checkpoint")
        #expect(!FileManager.default.fileExists(atPath: file))
        try cli.ok(["checkpoint"])
        let vkey = try cli.ok(["checkpoint", "--vkey"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let wrote = try cli.ok(["audit", "who-approved", "mql", "--proof", file])
        #expect(wrote.out.contains("signed off by sam") && wrote.out.contains("proof bundle written to \(file)"), "\(wrote)")

        let good = try verifier.verify(file, vkey: vkey)
        #expect(good.code == 0, "\(good)")
        #expect(good.out.contains("signed off by sam") && good.out.contains("every check passed"), "\(good)")
        let report = try verifier.verify(file, vkey: vkey, json: true).json()
        #expect(report["ok"] as? Bool == true)
        #expect(dig(report, "answer", "version") as? Int == 1 && dig(report, "answer", "activatedBy") as? String == "maria", "\(report)")

        // The bundle as written: the answer is the CLI's, the streams complete, no rejection of v1 claimed.
        let bundle = try readJSON(file)
        let cliAnswer = try cli.ok(["audit", "who-approved", "mql", "--at", try #require(dig(bundle, "answer", "at") as? String), "--json"]).json()
        #expect(dig(bundle, "answer", "signOffs") as? NSArray == cliAnswer["signOffs"] as? NSArray)
        #expect((bundle["absence"] as? [[String: Any]])?.first?["kind"] as? String == "no-rejection")
        let events = try #require(bundle["events"] as? [[String: Any]])
        let signOff = try #require(events.first { e in
            guard let r = (e["record"] as? String).flatMap({ Data(base64Encoded: $0) }) else { return false }
            return String(decoding: r, as: UTF8.self).contains("LeadDefinitionSignedOff") && String(decoding: r, as: UTF8.self).contains("sofia")
        })
        let signOffPosition = try #require(signOff["position"] as? Int)

        // The control: the same bundle re-encoded by this test still holds.
        let copy = cli.dir.appendingPathComponent("copy.json").path
        try writeJSON(bundle, copy)
        let control = try verifier.verify(copy, vkey: vkey)
        #expect(control.code == 0, "\(control)")

        func tampered(_ name: String, mentioning: String, vkey key: String? = nil, _ change: (inout [String: Any]) throws -> Void) throws {
            var b = bundle
            try change(&b)
            let path = cli.dir.appendingPathComponent("tampered-\(name).json").path
            try writeJSON(b, path)
            let o = try verifier.verify(path, vkey: key ?? vkey)
            #expect(o.code == 1, "\(name): \(o)")
            #expect(o.err.contains(mentioning), "\(name) should mention \(mentioning.debugDescription): \(o)")
        }
        func editEvent(_ b: inout [String: Any], at position: Int, _ edit: (inout [String: Any]) -> Void) {
            var es = b["events"] as? [[String: Any]] ?? []
            if let i = es.firstIndex(where: { $0["position"] as? Int == position }) { edit(&es[i]) }
            b["events"] = es
        }

        try tampered("record-byte", mentioning: "position \(signOffPosition)") { b in
            editEvent(&b, at: signOffPosition) { e in
                var r = [UInt8](Data(base64Encoded: e["record"] as? String ?? "") ?? Data())
                if r.count > 100 { r[r.count - 40] ^= 1 }  // inside the signature field... or the payload: either way
                e["record"] = Data(r).base64EncodedString()
            }
        }
        try tampered("answer-signer", mentioning: "answer.signOffs") { b in
            var a = b["answer"] as? [String: Any] ?? [:]
            var s = a["signOffs"] as? [[String: Any]] ?? []
            s[0]["actor"] = "rita"
            a["signOffs"] = s
            b["answer"] = a
        }
        try tampered("answer-version", mentioning: "answer.version") { b in
            var a = b["answer"] as? [String: Any] ?? [:]
            a["version"] = 2
            b["answer"] = a
        }
        try tampered("dropped-sign-off", mentioning: "missing") { b in
            b["events"] = (b["events"] as? [[String: Any]] ?? []).filter { $0["position"] as? Int != signOffPosition }
        }
        try tampered("proof-hash", mentioning: "inclusion proof") { b in
            editEvent(&b, at: signOffPosition) { e in
                var p = e["inclusion"] as? [String] ?? []
                p[0] = String(repeating: "ab", count: 32)
                e["inclusion"] = p
            }
        }
        try tampered("checkpoint-size", mentioning: "does not verify") { b in
            var lines = (b["checkpoint"] as? String ?? "").components(separatedBy: "\n")
            lines[1] = String((Int(lines[1]) ?? 0) + 1)
            b["checkpoint"] = lines.joined(separator: "\n")
        }
        let other = try CLI()
        try other.ok(["init", "--admin", "rita", "--name", "Rita Revops"])
        try other.ok(["checkpoint"])
        let otherKey = try other.ok(["checkpoint", "--vkey"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        try tampered("another-log", mentioning: "no signature by the trusted key", vkey: otherKey) { _ in }
    }

    @Test func theNewestCheckpointMustCoverTheAnswer() throws {
        _ = try BundleVerifier()
        let cli = try scriptedLedger()
        try cli.ok(["checkpoint"])
        try cli.ok(["definition", "sign-off", "mql", "2", "--as", "sam"])
        let file = cli.dir.appendingPathComponent("late.json").path
        try cli.fails(1, ["audit", "who-approved", "mql", "--proof", file], mentioning: "align checkpoint")
        #expect(!FileManager.default.fileExists(atPath: file))
        try cli.ok(["checkpoint"])
        try cli.ok(["audit", "who-approved", "mql", "--proof", file, "--json"])
        let vkey = try cli.ok(["checkpoint", "--vkey"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let o = try BundleVerifier().verify(file, vkey: vkey)
        #expect(o.code == 0, "\(o)")
    }
}
