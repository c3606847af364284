import AlignmentDomain
import AlignmentLedger
import ArgumentParser
import EventLog
import EventLogLMDB
import Foundation
import JSONCore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a new ledger with its first actor, a revops admin.",
        discussion: """
        Refuses to touch an existing ledger.

        Example:
          align init --ledger ./acme.ledger --admin rita --name "Rita Revops"
        """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Id of the first actor (role revops).") var admin: String
    @Option(help: "Display name of the first actor.") var name: String

    func run() throws {
        try align.run(global) {
            let (ledger, events) = try AlignmentLedger.create(at: global.ledgerPath, admin: admin, name: name, at: try global.businessTime())
            let head = try ledger.log.head()
            if global.json {
                Output.line("{\"ledger\":\(Output.escape(global.ledgerPath)),\"ledgerId\":\"\(ledger.log.ledgerID.uuidString.lowercased())\",\"admin\":\(Output.escape(admin)),\"head\":\"\(head)\",\"ok\":true}")
            } else {
                Output.line("Created ledger \(global.ledgerPath) (id \(ledger.log.ledgerID.uuidString.lowercased())) with admin '\(admin)' (revops).")
                for e in events { Output.line("  recorded " + Output.logLine(e)) }
                Output.line("Next: add people with `align actor add ID --name NAME --role ROLE --as \(admin)`.")
            }
        }
    }
}

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the global log, oldest first.",
        discussion: """
        Examples:
          align log --limit 20
          align log --from 1000 --json | jq .type
          align log --follow          # keep printing new events (Ctrl-C to stop)
        """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "First position to print.") var from: UInt64 = 1
    @Option(help: "Most events to print (default: all).") var limit: Int?
    @Flag(help: "After the existing events, keep printing new ones as they commit.") var follow = false

    func run() throws {
        try align.run(global) {
            let log = try EventLog.open(at: global.ledgerPath)
            var printed = 0
            let max = limit ?? Int.max
            func emit(_ e: RecordedEvent) {
                Output.line(global.json ? Output.envelope(e) : Output.logLine(e))
                printed += 1
            }
            if !global.json, !follow, from == 1, try log.head().position == 0 { Output.line("(the log is empty)") }
            var next = from
            while printed < max {
                let batch = try log.read(from: next, limit: Swift.min(4096, max - printed))
                if batch.isEmpty {
                    guard follow else { break }
                    Thread.sleep(forTimeInterval: 0.05)
                    continue
                }
                for e in batch { emit(e) }
                next = batch.last!.position + 1
            }
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the whole log: every hash of the chain, every index entry, and optionally a checkpoint.",
        discussion: """
        Exit 0 when sound; 3 with the first bad position otherwise. A checkpoint (POSITION:HASH, as printed by
        `align stats`) taken earlier and kept elsewhere proves the log was not rolled back or rewritten since.

        Examples:
          align verify
          align verify --checkpoint 1042:5f1c...e9
        """)

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("A checkpoint the log must still extend.", valueName: "POSITION:HASH")) var checkpoint: String?

    func run() throws {
        try align.run(global) {
            var cp: Checkpoint?
            if let checkpoint {
                guard let c = Checkpoint(checkpoint) else { throw CLIError.usage("--checkpoint must be POSITION:HASH (64 hex digits), as printed by `align stats`") }
                cp = c
            }
            let log = try EventLog.open(at: global.ledgerPath)
            let tty = isatty(2) == 1 && !global.json
            let started = Date()
            let report = try log.verify(checkpoint: cp) { done, total in
                if tty, total > 0 { FileHandle.standardError.write(Data("\rverifying \(done)/\(total) events...".utf8)) }
            }
            if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            let seconds = Date().timeIntervalSince(started)
            if global.json {
                var o: [String: Any] = ["ok": report.isSound, "events": report.events, "head": "\(report.head)", "seconds": seconds]
                if let p = report.problem { o["firstBadPosition"] = p.position; o["reason"] = p.reason }
                if let m = report.checkpointMatched { o["checkpointMatched"] = m }
                Output.json(o)
            } else if let p = report.problem {
                Output.line("NOT SOUND: first bad position \(p.position): \(p.reason)")
            } else {
                Output.line("sound: \(report.events) events, chain and indexes check out (\(String(format: "%.2f", seconds)) s)")
                Output.line("head \(report.head)")
                if report.checkpointMatched == true { Output.line("the log extends checkpoint \(cp!)") }
            }
            if !report.isSound { throw ExitCode(3) }
        }
    }
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Events, streams, size on disk and the head checkpoint.",
        discussion: """
        Copy the head checkpoint somewhere safe; `align verify --checkpoint` later proves the log still extends it.

        Example:
          align stats --json
        """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try align.run(global) {
            let s = try EventLog.open(at: global.ledgerPath).stats()
            if global.json {
                Output.json(["events": s.events, "streams": s.streams, "sizeOnDisk": s.sizeOnDisk, "head": "\(s.head)",
                             "ledgerId": s.ledgerID.uuidString.lowercased(), "formatVersion": s.formatVersion] as [String: Any])
            } else {
                Output.line("ledger      \(global.ledgerPath) (id \(s.ledgerID.uuidString.lowercased()), format \(s.formatVersion))")
                Output.line("events      \(s.events)")
                Output.line("streams     \(s.streams)")
                Output.line("size        \(ByteCountFormatter.string(fromByteCount: s.sizeOnDisk, countStyle: .file))")
                Output.line("checkpoint  \(s.head)")
            }
        }
    }
}

struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a JSON Lines file of commands in one transaction: all of them, or none.",
        discussion: """
        One command per line; every line is checked first, and every bad line is reported with its number.
        `command` is NOUN.VERB as on the command line; `args` keys are the long option names and the
        positional arguments by name; `as` and `at` may be given per line or for the whole file (--as, --at).

        Example line:
          {"command": "definition.sign-off", "as": "sam", "at": "2026-03-01T09:00:00Z", "args": {"id": "mql", "version": 3, "comment": "ok"}}

        Examples:
          align apply commands.jsonl
          generate-commands | align apply - --as maria
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A JSON Lines file, or - for standard input.") var file: String

    struct Line: Decodable {
        var command: String
        var `as`: String?
        var at: String?
        var args: [String: JSONValue]?
    }

    /// Why a line is valid JSON but not a command line (worded as the `JSONDecoder` messages were).
    struct NotALine: Error { var message: String }

    func run() throws {
        try align.run(global) {
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let d = FileManager.default.contents(atPath: file) else { throw CLIError.usage("cannot read '\(file)'") }
                data = d
            }
            let defaultActor = global.actor ?? ProcessInfo.processInfo.environment["ALIGN_ACTOR"]
            let defaultAt = try global.businessTime()
            var items: [ApplyItem] = []
            var problems: [(line: Int, error: String)] = []
            data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                // Lines end at "\n"; the text after the last one is a line too (as `split` without omitting).
                var lines: [Range<Int>] = []
                var start = 0
                while true {
                    var end = start
                    while end < buffer.count, buffer[end] != 0x0A { end += 1 }
                    lines.append(start..<end)
                    if end == buffer.count { break }
                    start = end + 1
                }
                // Lines are independent until they are run: read them in chunks on every core, keeping line order.
                let chunks = lines.count < 4096 ? 1 : Swift.min(4 * ProcessInfo.processInfo.activeProcessorCount, lines.count / 1024)
                let per = (lines.count + chunks - 1) / chunks
                let results = UnsafeMutableBufferPointer<(items: [ApplyItem], problems: [(line: Int, error: String)])>.allocate(capacity: chunks)
                results.initialize(repeating: ([], []))
                defer { results.deinitialize().deallocate() }
                // Each chunk writes only its own result slot; the bytes are only read.
                nonisolated(unsafe) let (out, bytes) = (results, buffer)
                let ranges = lines
                DispatchQueue.concurrentPerform(iterations: chunks) { k in
                    let range = (k * per)..<Swift.min((k + 1) * per, ranges.count)
                    out[k] = Apply.read(bytes, lines: ranges[range], firstLine: range.lowerBound + 1,
                                        defaultActor: defaultActor, defaultAt: defaultAt)
                }
                items.reserveCapacity(lines.count)
                for r in results {
                    items += r.items
                    problems += r.problems
                }
            }
            if !problems.isEmpty { throw ApplyError(problems: problems, onlyMalformed: true) }
            if items.isEmpty { throw CLIError.usage("'\(file)' holds no commands") }
            let ledger = try global.open()
            let started = Date()
            let events = try ledger.apply(items)
            let seconds = Date().timeIntervalSince(started)
            let head = try ledger.log.head()
            if global.json {
                Output.json(["ok": true, "commands": items.count, "events": events.count, "head": "\(head)",
                             "firstPosition": events.first?.position ?? 0, "lastPosition": events.last?.position ?? 0] as [String: Any])
            } else {
                Output.line("applied \(items.count) commands: \(events.count) events at positions \(events.first?.position ?? 0)...\(events.last?.position ?? 0) in \(String(format: "%.2f", seconds)) s")
                Output.line("head \(head)")
            }
        }
    }

    /// Reads command lines (`lines` are byte ranges of `buffer`; the first is line number `firstLine`): the
    /// parsed items, and the problems with their line numbers. Blank lines and `#` comments are skipped.
    static func read(_ buffer: UnsafeRawBufferPointer, lines: ArraySlice<Range<Int>>, firstLine: Int, defaultActor: String?,
                     defaultAt: Date?) -> (items: [ApplyItem], problems: [(line: Int, error: String)]) {
        var items: [ApplyItem] = []
        items.reserveCapacity(lines.count)
        var problems: [(line: Int, error: String)] = []
        // The last "at" text and its date: files usually repeat a handful of times.
        var lastAt: (text: String, date: Date)?
        var lineNo = firstLine - 1
        for var line in lines {
            lineNo += 1
            // A UTF-8 byte order mark (editors on Windows write one) is not part of the JSON text.
            if line.count >= 3, buffer[line.lowerBound] == 0xEF, buffer[line.lowerBound + 1] == 0xBB, buffer[line.lowerBound + 2] == 0xBF {
                line = (line.lowerBound + 3)..<line.upperBound
            }
            var first = line.lowerBound
            while first < line.upperBound, buffer[first] == 32 || buffer[first] == 9 || buffer[first] == 13 { first += 1 }
            if first == line.upperBound || buffer[first] == UInt8(ascii: "#") { continue }
            do {
                let l = try Line(UnsafeRawBufferPointer(rebasing: buffer[line]))
                let command = try Command.parse(l.command, l.args ?? [:])
                guard let actor = l.as ?? defaultActor else { throw CLIError.usage("no actor: give \"as\" on the line, or --as for the file") }
                var at = defaultAt
                if let t = l.at {
                    if let last = lastAt, last.text == t {
                        at = last.date
                    } else {
                        guard let d = DomainTime.parse(t) else { throw CLIError.usage("\"at\" \(t.debugDescription) is not ISO 8601") }
                        lastAt = (t, d)
                        at = d
                    }
                }
                items.append(ApplyItem(line: lineNo, command: command, actor: actor, at: at))
            } catch let e as JSONParseError {
                problems.append((lineNo, "not a command line: \(e)"))
            } catch let e as NotALine {
                problems.append((lineNo, "not a command line: \(e.message)"))
            } catch {
                problems.append((lineNo, "\(error)"))
            }
        }
        return (items, problems)
    }

    /// Error text for a `DecodingError` (of `JSONDecoder` reading a `Line`).
    static func describe(_ e: DecodingError) -> String {
        switch e {
        case .dataCorrupted(let c): return c.underlyingError.map { "invalid JSON (\($0.localizedDescription))" } ?? "invalid JSON"
        case .keyNotFound(let k, _): return "missing \"\(k.stringValue)\""
        case .typeMismatch(_, let c): return "wrong type at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case .valueNotFound(_, let c): return "missing value at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default: return "invalid JSON"
        }
    }
}

extension Apply.Line {
    /// Parses one line with JSONCore's parser and takes its fields as the synthesized `Decodable` conformance
    /// would, in the same order and with the same messages: a `JSONParseError` when it is not JSON, a
    /// `NotALine` when it is JSON of the wrong shape.
    init(_ bytes: UnsafeRawBufferPointer) throws {
        guard case .object(let o) = try JSONValue.parse(bytes) else { throw Apply.NotALine(message: "a line must be a JSON object") }
        // A misspelt key ("actor" for "as", "arg" for "args") must not silently change what runs.
        if let unknown = o.keys.first(where: { !["command", "as", "at", "args"].contains($0) }) {
            throw Apply.NotALine(message: "unknown key \"\(unknown)\"; a line has \"command\", \"as\", \"at\" and \"args\"")
        }
        func optionalString(_ key: String) throws -> String? {
            switch o[key] {
            case nil, .null?: return nil
            case .string(let s)?: return s
            default: throw Apply.NotALine(message: "wrong type at \(key)")
            }
        }
        switch o["command"] {
        case nil: throw Apply.NotALine(message: "missing \"command\"")
        case .null?: throw Apply.NotALine(message: "missing value at command")
        case .string(let s)?: command = s
        default: throw Apply.NotALine(message: "wrong type at command")
        }
        `as` = try optionalString("as")
        at = try optionalString("at")
        switch o["args"] {
        case nil, .null?: args = nil
        case .object(let a)?: args = a
        default: throw Apply.NotALine(message: "wrong type at args")
        }
    }
}
