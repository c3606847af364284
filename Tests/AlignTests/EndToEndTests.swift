// End-to-end tests of the built `align` binary: the full story from `init` to an override, the exit codes for
// bad input (0 done, 1 refused or not found, 2 usage, 3 storage or verification), JSON output, `apply` and `verify`.
import Foundation
import Testing

// MARK: - Running the binary

struct Outcome: CustomStringConvertible {
    var code: Int32
    var out: String
    var err: String
    var description: String { "exit \(code)\n--- stdout\n\(out)--- stderr\n\(err)" }

    /// stdout as one JSON object.
    func json(_ sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
        guard let o = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] else {
            Issue.record("stdout is not one JSON object: \(self)", sourceLocation: sourceLocation)
            return [:]
        }
        return o
    }
}

/// The `align` executable built next to the test bundle.
func alignBinary() throws -> URL {
    let fm = FileManager.default
    var dirs = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(), Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
    if let first = CommandLine.arguments.first, first.contains(".xctest") {
        // macOS: .../debug/Foo.xctest/Contents/MacOS/Foo
        var u = URL(fileURLWithPath: first)
        while u.pathComponents.count > 1, !u.lastPathComponent.hasSuffix(".xctest") { u.deleteLastPathComponent() }
        dirs.append(u.deletingLastPathComponent())
    }
    let found = dirs.map { $0.appendingPathComponent("align") }.first { fm.isExecutableFile(atPath: $0.path) }
    return try #require(found, "the align binary was not found next to the tests in \(dirs.map(\.path))")
}

/// Runs `binary ARGS` with `environment`, standard output and error going to files in `scratch` (no pipe to fill up),
/// and answers its exit code, whether it died of a signal, and what it wrote.
func runProcess(_ binary: URL, _ args: [String], environment: [String: String], stdin: String? = nil,
                scratch: URL, directory: URL? = nil) throws -> (code: Int32, signal: Bool, out: String, err: String) {
    let p = Process()
    p.executableURL = binary
    p.arguments = args
    p.environment = environment
    if let directory { p.currentDirectoryURL = directory }
    let id = UUID().uuidString
    let outURL = scratch.appendingPathComponent("\(id).out"), errURL = scratch.appendingPathComponent("\(id).err")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    defer {
        try? out.close(); try? err.close()
        try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL)
    }
    p.standardOutput = out
    p.standardError = err
    let input = Pipe()
    p.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try p.run()
    if let stdin {
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
    }
    p.waitUntilExit()
    return (p.terminationStatus, p.terminationReason == .uncaughtSignal,
            (try? String(contentsOf: outURL, encoding: .utf8)) ?? "", (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
}

/// A temporary ledger and a way to run `align` against it.
final class CLI {
    let binary: URL
    let dir: URL
    var ledger: String { dir.appendingPathComponent("ledger").path }
    /// The key directory of this test's actors.
    var keys: String { dir.appendingPathComponent("keys").path }

    init() throws {
        binary = try alignBinary()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("align-e2e-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    /// Runs `align ARGS --ledger LEDGER` (unless `withLedger` is false), with no ALIGN_* variables inherited.
    @discardableResult
    func run(_ args: [String], withLedger: Bool = true, stdin: String? = nil, env: [String: String] = [:]) throws -> Outcome {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ALIGN_") }
        environment["ALIGN_KEYS"] = keys  // never the user's own key directory
        environment.merge(env) { _, new in new }
        let r = try runProcess(binary, args + (withLedger ? ["--ledger", ledger] : []), environment: environment, stdin: stdin, scratch: dir)
        return Outcome(code: r.code, out: r.out, err: r.err)
    }

    /// Runs and expects exit 0.
    @discardableResult
    func ok(_ args: [String], withLedger: Bool = true, stdin: String? = nil, _ sourceLocation: SourceLocation = #_sourceLocation) throws -> Outcome {
        let o = try run(args, withLedger: withLedger, stdin: stdin)
        #expect(o.code == 0, "align \(args.joined(separator: " ")): \(o)", sourceLocation: sourceLocation)
        return o
    }

    /// Runs and expects a failure with `code`, a message on stderr and nothing on stdout.
    @discardableResult
    func fails(_ code: Int32, _ args: [String], mentioning: String? = nil, stdin: String? = nil, env: [String: String] = [:],
               _ sourceLocation: SourceLocation = #_sourceLocation) throws -> Outcome {
        let o = try run(args, stdin: stdin, env: env)
        #expect(o.code == code, "align \(args.joined(separator: " ")): \(o)", sourceLocation: sourceLocation)
        #expect(!o.err.isEmpty, "no message on stderr: \(o)", sourceLocation: sourceLocation)
        if !args.contains("--json") {
            #expect(o.out.isEmpty, "a failure printed on stdout: \(o)", sourceLocation: sourceLocation)
        }
        if let mentioning {
            #expect(o.err.contains(mentioning), "stderr should mention \(mentioning.debugDescription): \(o)", sourceLocation: sourceLocation)
        }
        return o
    }

    /// `align stats --json`'s event count.
    func eventCount(_ sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let o = try ok(["stats", "--json"], sourceLocation)
        return (o.json(sourceLocation)["events"] as? Int) ?? -1
    }

    func head() throws -> String {
        (try ok(["stats", "--json"]).json()["head"] as? String) ?? ""
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A ledger with rita (revops), maria (marketing), sam and sofia (sales), quorum 2, and an active `mql` v1.
    func people() throws {
        try ok(["init", "--admin", "rita", "--name", "Rita Revops"])
        // Each actor's key, registered with them by `actor add` (which takes it from the key directory).
        for a in ["maria", "sam", "sofia"] { try ok(["key", "generate", "--as", a], withLedger: false) }
        try ok(["actor", "add", "maria", "--name", "Maria Marketer", "--role", "marketing", "--as", "rita"])
        try ok(["actor", "add", "sam", "--name", "Sam Seller", "--role", "sales", "--as", "rita"])
        try ok(["actor", "add", "sofia", "--name", "Sofia Sales", "--role", "sales", "--as", "rita"])
    }

    func activeDefinition() throws {
        try ok(["definition", "propose", "mql", "--title", "Marketing-qualified lead", "--fit", "employees>=200",
                "--engagement", "webinar.attended>=1", "--as", "maria"])
        try ok(["definition", "sign-off", "mql", "1", "--as", "sam"])
        try ok(["definition", "activate", "mql", "1", "--as", "maria"])
    }
}

func dig(_ o: Any?, _ path: String...) -> Any? {
    var cur = o
    for key in path {
        if let i = Int(key), let a = cur as? [Any] { cur = i < a.count ? a[i] : nil } else { cur = (cur as? [String: Any])?[key] }
    }
    return cur
}

let signal = "webinar.attended@2026-06-20T15:00:00Z:Pricing webinar"

// MARK: - Tests

@Suite("align end to end")
struct EndToEndTests {
    @Test func theBinaryIsThere() throws {
        let b = try alignBinary()
        #expect(FileManager.default.isExecutableFile(atPath: b.path))
    }

    @Test func theFullStory() throws {
        let cli = try CLI()
        let created = try cli.ok(["init", "--admin", "rita", "--name", "Rita"])
        #expect(created.out.contains("Created ledger") && created.out.contains("rita"))
        for a in ["maria", "sam", "sofia"] { try cli.ok(["key", "generate", "--as", a], withLedger: false) }
        try cli.ok(["actor", "add", "maria", "--name", "Maria", "--role", "marketing", "--as", "rita"])
        try cli.ok(["actor", "add", "sam", "--name", "Sam", "--role", "sales", "--as", "rita"])
        let sofia = try cli.ok(["actor", "add", "sofia", "--name", "Sofia", "--role", "sales", "--as", "rita", "--json"])
        #expect(dig(sofia.json(), "events", "0", "payload", "actor") as? String == "sofia")
        let policy = try cli.ok(["policy", "set", "--quorum", "2", "--as", "rita"])
        #expect(policy.out.contains("quorum 2"))
        #expect(dig(try cli.ok(["policy", "show", "--json"]).json(), "quorum") as? Int == 2)

        // A lead definition: proposed by marketing, signed off by two salespeople, activated.
        let proposed = try cli.ok(["definition", "propose", "mql", "--title", "Marketing-qualified lead", "--fit", "employees>=200",
                                   "--fit", "industry in [saas,fintech]", "--engagement", "webinar.attended>=1", "--rationale", "Q3 wins", "--as", "maria"])
        #expect(proposed.out.contains("v1"))
        let signed = try cli.ok(["definition", "sign-off", "mql", "1", "--comment", "fits our ICP", "--as", "sam"])
        #expect(signed.out.contains("signed off 'mql' v1"))
        try cli.fails(1, ["definition", "activate", "mql", "1", "--as", "maria"], mentioning: "sign-off-quorum")
        let second = try cli.ok(["definition", "sign-off", "mql", "1", "--as", "sofia", "--json"]).json()
        #expect(second["ok"] as? Bool == true)
        #expect(dig(second, "events", "0", "type") as? String == "LeadDefinitionSignedOff")
        let activated = try cli.ok(["definition", "activate", "mql", "1", "--as", "maria", "--json"])
        let a = activated.json()
        #expect(a["ok"] as? Bool == true)
        #expect((a["events"] as? [Any])?.count == 1)
        #expect(dig(a, "events", "0", "type") as? String == "LeadDefinitionActivated")
        #expect(dig(a, "events", "0", "payload", "signOffs") as? Int == 2)
        #expect(dig(a, "events", "0", "payload", "quorum") as? Int == 2)
        #expect(dig(a, "events", "0", "stream") as? String == "definition/mql")
        #expect((a["head"] as? String)?.hasPrefix("\(dig(a, "events", "0", "position") as? Int ?? -1):") == true)
        let shown = try cli.ok(["definition", "show", "mql"])
        #expect(shown.out.contains("active: v1") && shown.out.contains("signed off  by sam") && shown.out.contains("signed off  by sofia"))

        // A campaign: drafted, reviewed by sales, briefed, launched.
        try cli.ok(["campaign", "draft", "q3-webinar", "--name", "Q3 pricing webinar", "--audience", "RevOps leaders", "--offer", "free audit",
                    "--channel", "email", "--channel", "linkedin", "--launch-date", "2026-07-01", "--as", "maria"])
        try cli.ok(["campaign", "request-review", "q3-webinar", "--as", "maria"])
        try cli.ok(["campaign", "review", "q3-webinar", "--approve", "--comment", "good offer", "--as", "sam"])
        let brief = try cli.ok(["campaign", "brief", "q3-webinar", "--summary", "Pricing webinar for RevOps", "--talking-point", "ask about their audit",
                                "--offer", "free audit", "--as", "maria"])
        #expect(brief.out.contains("brief v1"))
        let launched = try cli.ok(["campaign", "launch", "q3-webinar", "--as", "maria"])
        #expect(launched.out.contains("launched 'q3-webinar'") && !launched.out.contains("OVERRIDE"))

        // A lead from the campaign, with behaviour: the brief is attached just in time.
        let handed = try cli.ok(["lead", "handoff", "L-1001", "--definition", "mql", "--campaign", "q3-webinar", "--owner", "sam",
                                 "--profile", "company=Acme", "--profile", "employees=450", "--profile", "industry=SaaS", "--signal", signal,
                                 "--score", "82", "--as", "maria"])
        #expect(handed.out.contains("brief v1 attached") && handed.out.contains("meets the definition"))
        // One that does not meet it is refused, naming what failed, and writes nothing.
        let off = try cli.fails(1, ["lead", "handoff", "L-1002", "--definition", "mql", "--profile", "employees=5", "--profile", "industry=retail",
                                    "--signal", signal, "--as", "maria"], mentioning: "off-definition")
        #expect(off.err.contains("employees>=200: failed (was 5)") && off.err.contains("industry in [saas,fintech]: failed (was retail)"))
        try cli.fails(1, ["lead", "show", "L-1002"], mentioning: "L-1002")
        let lead = try cli.ok(["lead", "show", "L-1001", "--json"]).json()
        #expect(dig(lead, "status") as? String == "handed-off")
        #expect(dig(lead, "handoff", "brief", "version") as? Int == 1)
        #expect(dig(lead, "handoff", "brief", "summary") as? String == "Pricing webinar for RevOps")
        #expect(dig(lead, "handoff", "definitionVersion") as? Int == 1)
        #expect(dig(lead, "handoff", "signals", "0", "name") as? String == "webinar.attended")
        #expect(dig(lead, "handoff", "signals", "0", "detail") as? String == "Pricing webinar")
        #expect(dig(lead, "handoff", "profile", "company") as? String == "Acme")
        try cli.ok(["lead", "accept", "L-1001", "--as", "sam"])
        #expect(dig(try cli.ok(["lead", "show", "L-1001", "--json"]).json(), "status") as? String == "accepted")
        let human = try cli.ok(["lead", "show", "L-1001"])
        #expect(human.out.contains("[accepted]") && human.out.contains("brief v1: Pricing webinar for RevOps"))

        // Content: a request from sales added to the plan by marketing.
        try cli.ok(["content", "request", "REQ-1", "--what", "security FAQ", "--stage", "consideration", "--lead", "L-1001", "--as", "sam"])
        let triaged = try cli.ok(["content", "triage", "REQ-1", "--add-to-plan", "security-faq", "--as", "maria", "--json"]).json()
        #expect((triaged["events"] as? [[String: Any]])?.compactMap { $0["type"] as? String } == ["ContentPlanned", "ContentRequestTriaged"])
        let content = try cli.ok(["content", "list", "--json"]).json()
        let items = (content["content"] as? [[String: Any]]) ?? []
        #expect(items.contains { dig($0, "asset", "asset") as? String == "security-faq" && dig($0, "asset", "fromRequest") as? String == "REQ-1" })
        #expect(items.contains { dig($0, "triage", "outcome") as? String == "added-to-plan" })

        // An override: revops launches an unreviewed campaign, and the event says so.
        try cli.ok(["campaign", "draft", "flash-sale", "--name", "Flash sale", "--as", "maria"])
        try cli.fails(1, ["campaign", "launch", "flash-sale", "--as", "maria"], mentioning: "campaign-review-before-launch")
        try cli.fails(1, ["campaign", "launch", "flash-sale", "--override", "--reason", "competitor launch", "--as", "maria"], mentioning: "override")
        try cli.fails(2, ["campaign", "launch", "flash-sale", "--override", "--as", "rita"], mentioning: "--reason")
        let forced = try cli.ok(["campaign", "launch", "flash-sale", "--override", "--reason", "competitor launch", "--as", "rita", "--json"]).json()
        #expect(dig(forced, "events", "0", "payload", "override", "rule") as? String == "campaign-review-before-launch")
        #expect(dig(forced, "events", "0", "payload", "override", "reason") as? String == "competitor launch")
        #expect(dig(forced, "events", "0", "payload", "reviewed") as? Bool == false)
        #expect(dig(forced, "events", "0", "actor") as? String == "rita")
        #expect((forced["summary"] as? String)?.contains("OVERRIDE") == true)

        // The whole log checks out, and prints one JSON object per line.
        let verified = try cli.ok(["verify"])
        #expect(verified.out.contains("sound"))
        try checkLogJSON(cli)
    }

    func checkLogJSON(_ cli: CLI, _ sourceLocation: SourceLocation = #_sourceLocation) throws {
        let count = try cli.eventCount()
        let log = try cli.ok(["log", "--json"])
        let lines = log.out.split(separator: "\n", omittingEmptySubsequences: false).dropLast()   // the output ends with a newline
        #expect(lines.count == count, sourceLocation: sourceLocation)
        var previous = 0
        for line in lines {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                Issue.record("not a JSON object: \(line)", sourceLocation: sourceLocation)
                continue
            }
            let position = o["position"] as? Int ?? -1
            #expect(position == previous + 1, sourceLocation: sourceLocation)
            previous = position
            for key in ["id", "stream", "version", "type", "schemaVersion", "recordedAt", "occurredAt", "actor", "payload", "hash"] {
                #expect(o[key] != nil, "log line lacks \(key): \(line)", sourceLocation: sourceLocation)
            }
            #expect(o["payload"] is [String: Any], sourceLocation: sourceLocation)
        }
    }

    @Test func badInputExitCodes() throws {
        let cli = try CLI()
        try cli.people()
        try cli.activeDefinition()
        let before = try cli.eventCount()

        // 1: refused by a rule, or not found.
        try cli.fails(1, ["definition", "propose", "sql", "--title", "T", "--fit", "employees>=5", "--as", "ghost"], mentioning: "active-actor")
        try cli.fails(1, ["campaign", "draft", "q4", "--name", "Q4", "--as", "sam"], mentioning: "'role'")
        try cli.fails(1, ["lead", "handoff", "L-1", "--definition", "nope", "--signal", signal, "--as", "maria"], mentioning: "nope")
        try cli.fails(1, ["definition", "sign-off", "nope", "1", "--as", "sam"], mentioning: "nope")
        try cli.fails(1, ["definition", "sign-off", "mql", "1", "--as", "sam"], mentioning: "one-verdict-per-version")
        try cli.fails(1, ["lead", "handoff", "L-1", "--definition", "mql", "--as", "maria"], mentioning: "handoff-requires-context")
        try cli.fails(1, ["lead", "show", "L-404"])
        try cli.fails(1, ["definition", "show", "nope"])
        let refusedJSON = try cli.fails(1, ["definition", "sign-off", "mql", "1", "--as", "sam", "--json"])
        let errorObject = try? JSONSerialization.jsonObject(with: Data(refusedJSON.err.utf8)) as? [String: Any]
        #expect(errorObject?["ok"] as? Bool == false && errorObject?["rule"] as? String == "one-verdict-per-version" && errorObject?["exitCode"] as? Int == 1,
                "stderr: \(refusedJSON.err)")

        // 2: usage.
        try cli.fails(2, ["lead", "handoff", "L-1", "--definition", "mql", "--signal", "webinar yesterday", "--as", "maria"], mentioning: "NAME@TIME")
        try cli.fails(2, ["lead", "handoff", "L-1", "--definition", "mql", "--signal", "webinar@not-a-time", "--as", "maria"], mentioning: "NAME@TIME")
        try cli.fails(2, ["definition", "sign-off", "mql", "1"], mentioning: "--as")
        // BUG: argument-parser's own usage errors (a bad value, an unknown subcommand or option) exit 64
        // (EX_USAGE, swift-argument-parser's default `validationFailure`), not the documented 2: `Align` in
        // Sources/align/Align.swift uses the default `main()`.
        try cli.fails(2, ["definition", "sign-off", "mql", "one", "--as", "sam"], mentioning: "one")
        try cli.fails(2, ["definition", "propose", "sql", "--title", "T", "--fit", "employees>=many", "--as", "maria"], mentioning: "criterion")
        try cli.fails(2, ["lead", "reject", "L-1", "--reason", "too-expensive", "--as", "sam"], mentioning: "not-icp")
        try cli.fails(2, ["content", "triage", "REQ-1", "--decline", "--as", "maria"], mentioning: "--reason")
        try cli.fails(2, ["campaign", "review", "q3", "--as", "sam"], mentioning: "--approve")
        try cli.fails(2, ["definition", "frobnicate"])   // BUG: exits 64, see above
        try cli.fails(2, ["lead", "accept", "L-1", "--as", "sam", "--no-such-option"])   // BUG: exits 64, see above
        try cli.fails(2, ["actor", "add", "x", "--name", "X", "--role", "chief", "--as", "rita"], mentioning: "chief")
        try cli.fails(2, ["lead", "accept", "L-1", "--as", "sam", "--at", "yesterday"], mentioning: "--at")
        // ALIGN_ACTOR stands in for --as.
        try cli.fails(1, ["lead", "accept", "L-404"], mentioning: "L-404", env: ["ALIGN_ACTOR": "sam"])

        #expect(try cli.eventCount() == before, "a refused or malformed command wrote events")
    }

    @Test func applyLinesWithKeysRunOnce() throws {
        let cli = try CLI()
        try cli.people()
        let file = try cli.write("sync.jsonl", """
            {"command": "definition.propose", "as": "maria", "args": {"id": "sql", "title": "SQL", "fit": "employees>=500"}, "key": "sync:1"}
            {"command": "definition.sign-off", "as": "sam", "args": {"id": "sql", "version": 1}, "key": "sync:2"}
            """)
        let before = try cli.eventCount()
        let first = try cli.ok(["apply", file, "--json"]).json()
        #expect(first["events"] as? Int == 2 && (first["skipped"] as? [Any])?.isEmpty == true, "\(first)")
        // The same file again (a retry after an unclear failure, a sync run twice): nothing written, both lines named.
        let again = try cli.ok(["apply", file])
        #expect(again.out.contains("skipped 2 lines whose key was applied before") && again.out.contains("line 1 \"sync:1\" at #\(before + 1)"), "\(again)")
        #expect(try cli.eventCount() == before + 2)
        #expect(try cli.ok(["definition", "show", "sql", "--json"]).out.contains("\"version\":1") == true)
        // A newer file that overlaps it: only its new line runs.
        let newer = try cli.write("sync2.jsonl", """
            {"command": "definition.propose", "as": "maria", "args": {"id": "sql", "title": "SQL", "fit": "employees>=500"}, "key": "sync:1"}
            {"command": "definition.sign-off", "as": "sam", "args": {"id": "sql", "version": 1}, "key": "sync:2"}
            {"command": "definition.sign-off", "as": "sofia", "args": {"id": "sql", "version": 1}, "key": "sync:3"}
            """)
        let r = try cli.ok(["apply", newer, "--json"]).json()
        #expect(r["events"] as? Int == 1 && (r["skipped"] as? [Any])?.count == 2, "\(r)")
        #expect(try cli.eventCount() == before + 3)
        // A key twice in one file is a malformed line: nothing written.
        let twice = try cli.write("twice.jsonl", """
            {"command": "lead.accept", "as": "sam", "args": {"id": "L-9"}, "key": "k"}
            {"command": "lead.accept", "as": "sam", "args": {"id": "L-9"}, "key": "k"}
            """)
        try cli.fails(2, ["apply", twice], mentioning: "line 1's too")
        #expect(try cli.eventCount() == before + 3)
    }

    @Test func applyIsAllOrNothing() throws {
        let cli = try CLI()
        try cli.people()
        try cli.activeDefinition()
        let before = try cli.eventCount()

        // Malformed JSON: usage (2), every bad line named, nothing written.
        let malformed = try cli.write("malformed.jsonl", """
            {"command": "definition.propose", "as": "maria", "args": {"id": "sql", "title": "SQL", "fit": "employees>=500"}}
            {"command": "definition.sign-off", "as": "sam", "args": {"id": "sql", "version": 1
            # a comment, then a blank line

            {"command": "definition.sign-off", "as": "sofia", "args": {"id": "sql", "version": "one"}}
            {"command": "definition.frobnicate", "as": "sofia", "args": {}}
            """)
        let m = try cli.fails(2, ["apply", malformed], mentioning: "line 2")
        #expect(m.err.contains("line 5") && m.err.contains("line 6"), "\(m)")
        #expect(!m.err.contains("line 1:") && !m.err.contains("line 3") && !m.err.contains("line 4"), "\(m)")
        #expect(try cli.eventCount() == before)

        // Well-formed but refused by a rule: exit 1, every refused line named, nothing written.
        let refused = try cli.write("refused.jsonl", """
            {"command": "definition.propose", "as": "maria", "args": {"id": "sql", "title": "SQL", "fit": "employees>=500"}}
            {"command": "definition.sign-off", "as": "sam", "args": {"id": "sql", "version": 1}}
            {"command": "definition.sign-off", "as": "sam", "args": {"id": "sql", "version": 1}}
            {"command": "lead.accept", "as": "ghost", "args": {"id": "L-1"}}
            """)
        let r = try cli.fails(1, ["apply", refused], mentioning: "line 3")
        #expect(r.err.contains("line 4") && !r.err.contains("line 2:"), "\(r)")
        #expect(try cli.eventCount() == before)

        // Both at once: every bad line in one pass, the rules' refusals beside the malformed lines (usage: 2).
        let both = try cli.write("both.jsonl", """
            {"command": "definition.propose", "as": "maria", "args": {"id": "sql", "title": "SQL", "fit": "employees>=500"}}
            {"command": "definition.sign-off", "as": "sam", "args": {"id": "sql", "version": 1
            {"command": "definition.sign-off", "as": "maria", "args": {"id": "sql", "version": 1}}
            """)
        let b = try cli.fails(2, ["apply", both], mentioning: "line 2")
        #expect(b.err.contains("line 3: refused by rule") && !b.err.contains("line 1:"), "\(b)")
        #expect(try cli.eventCount() == before)

        // A good file: everything appended in one go.
        // A business time given on a line: a moment ago (the people it names were registered before it).
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let moment = iso.string(from: Date())
        let good = try cli.write("good.jsonl", """
            # lead definition sql, signed off and activated; a handoff without signals once the policy allows it
            {"command": "definition.propose", "as": "maria", "at": "\(moment)", "args": {"id": "sql", "title": "SQL", "fit": ["employees>=500"], "engagement": "demo.requested>=1"}}
            {"command": "definition.sign-off", "as": "sam", "args": {"id": "sql", "version": 1, "comment": "ok"}}
            {"command": "definition.sign-off", "as": "sofia", "args": {"id": "sql", "version": 1}}
            {"command": "definition.activate", "as": "maria", "args": {"id": "sql", "version": 1}}

            {"command": "policy.set", "as": "rita", "args": {"require-context": false, "off-definition": "allow"}}
            {"command": "lead.handoff", "as": "maria", "args": {"id": "L-7", "definition": "sql", "profile": {"company": "Globex", "employees": 900}}}
            {"command": "lead.reject", "as": "sam", "args": {"id": "L-7", "reason": "no-budget", "note": "next year"}}
            """)
        let g = try cli.ok(["apply", good, "--json"]).json()
        #expect(g["ok"] as? Bool == true && g["commands"] as? Int == 7 && g["events"] as? Int == 7)
        #expect(g["firstPosition"] as? Int == before + 1 && g["lastPosition"] as? Int == before + 7)
        #expect(try cli.eventCount() == before + 7)
        let lead = try cli.ok(["lead", "show", "L-7", "--json"]).json()
        #expect(dig(lead, "status") as? String == "rejected" && dig(lead, "handoff", "definition") as? String == "sql")
        #expect(dig(lead, "handoff", "profile", "employees") as? String == "900")

        // From standard input, with --as for the whole file.
        let piped = try cli.ok(["apply", "-", "--as", "sam"], stdin: """
            {"command": "lead.recycle", "args": {"id": "L-7"}}
            {"command": "content.request", "args": {"id": "REQ-9", "what": "pricing sheet", "stage": "decision", "lead": "L-7"}}
            """)
        #expect(piped.out.contains("applied 2 commands"))
        #expect(try cli.eventCount() == before + 9)
        try cli.fails(2, ["apply", cli.dir.appendingPathComponent("missing.jsonl").path])
        try EndToEndTests().checkLogJSON(cli)
    }

    @Test func verifyAndCheckpoints() throws {
        let cli = try CLI()
        try cli.people()
        let head = try cli.head()
        let parts = head.split(separator: ":")
        #expect(parts.count == 2 && parts[1].count == 64, "head \(head)")
        try cli.activeDefinition()
        let sound = try cli.ok(["verify", "--json"]).json()
        let count = try cli.eventCount()
        #expect(sound["ok"] as? Bool == true && sound["events"] as? Int == count)
        // A checkpoint taken earlier is extended.
        let extended = try cli.ok(["verify", "--checkpoint", head])
        #expect(extended.out.contains("extends checkpoint"))
        // A wrong hash at that position: verification failure (3).
        let wrong = "\(parts[0]):" + String(repeating: "0", count: 64)
        let bad = try cli.run(["verify", "--checkpoint", wrong])
        #expect(bad.code == 3, "\(bad)")
        #expect(bad.out.contains("NOT SOUND") || bad.err.contains("checkpoint"), "\(bad)")
        // A checkpoint beyond the head: the log was rolled back, 3 as well.
        let beyond = try cli.run(["verify", "--checkpoint", "9999:" + String(parts[1])])
        #expect(beyond.code == 3, "\(beyond)")
        // A malformed checkpoint is usage.
        try cli.fails(2, ["verify", "--checkpoint", "nonsense"], mentioning: "POSITION:HASH")
    }

    @Test(arguments: [["definition", "sign-off"], ["lead", "handoff"], ["campaign", "launch"], ["content", "triage"], ["apply"], ["verify"], ["init"]])
    func helpHasExamples(_ command: [String]) throws {
        let cli = try CLI()
        let o = try cli.run(command + ["--help"], withLedger: false)
        #expect(o.code == 0, "\(o)")
        #expect(o.out.contains("Example"), "align \(command.joined(separator: " ")) --help has no example: \(o)")
    }

    @Test func commandsOnAMissingLedgerFail() throws {
        let cli = try CLI()
        let o = try cli.run(["lead", "accept", "L-1", "--as", "sam"])
        #expect(o.code != 0 && !o.err.isEmpty, "\(o)")
        // And `init` refuses to touch an existing ledger.
        try cli.ok(["init", "--admin", "rita", "--name", "Rita"])
        let again = try cli.run(["init", "--admin", "eve", "--name", "Eve"])
        #expect(again.code != 0 && !again.err.isEmpty, "\(again)")
        #expect(try cli.eventCount() == 4)
    }
}
