import AlignmentDomain
import Foundation
import JSONCore

/// One line of an apply file, already parsed.
public struct ApplyItem: Sendable {
    /// The line's number in the file, from 1.
    public var line: Int
    /// The command the line asks for.
    public var command: Command
    /// Who acts.
    public var actor: String
    /// The business time (nil: when it is appended).
    public var at: Date?
    /// The line's idempotency key (nil: none): a line whose key was applied before is skipped, so a retry after an
    /// unclear failure, or a sync file run again, writes nothing twice.
    public var key: String?
    /// The CRM record an imported step comes from (`CRMImport`), recorded in its lead events; nil for apply lines.
    public var source: String?

    /// An item for line `line`.
    public init(line: Int, command: Command, actor: String, at: Date?, key: String? = nil, source: String? = nil) {
        self.line = line
        self.command = command
        self.actor = actor
        self.at = at
        self.key = key
        self.source = source
    }
}

/// Reads an apply file: JSON Lines of `{"command", "as", "at", "args"}`, blank lines and `#` comments skipped.
/// Every bad line is reported with its number (`ApplyError`), so a file is run whole or not at all.
public enum ApplyReader {
    /// The items of a whole file; throws `ApplyError` (malformed) naming every bad line, or `DomainError.invalid`
    /// when the file holds no command. `defaultActor` and `defaultAt` apply to lines without `as` / `at`.
    public static func items(of bytes: [UInt8], defaultActor: String?, defaultAt: Date?) throws -> [ApplyItem] {
        let (items, problems) = bytes.withUnsafeBytes { read($0, defaultActor: defaultActor, defaultAt: defaultAt) }
        if !problems.isEmpty { throw ApplyError(problems: problems, onlyMalformed: true) }
        if items.isEmpty { throw DomainError.invalid("the file holds no commands") }
        return items
    }

    /// Reads every line of `buffer`, large files in chunks on every core (lines are independent until they run).
    static func read(_ buffer: UnsafeRawBufferPointer, defaultActor: String?, defaultAt: Date?)
        -> (items: [ApplyItem], problems: [(line: Int, error: String)])
    {
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
        let chunks = lines.count < 4096 ? 1 : min(4 * ProcessInfo.processInfo.activeProcessorCount, lines.count / 1024)
        let per = (lines.count + chunks - 1) / chunks
        let results = UnsafeMutableBufferPointer<(items: [ApplyItem], problems: [(line: Int, error: String)])>.allocate(capacity: chunks)
        results.initialize(repeating: ([], []))
        defer { results.deinitialize().deallocate() }
        // Each chunk writes only its own result slot; the bytes are only read.
        nonisolated(unsafe) let (out, bytes) = (results, buffer)
        let ranges = lines
        DispatchQueue.concurrentPerform(iterations: chunks) { k in
            let range = (k * per)..<min((k + 1) * per, ranges.count)
            out[k] = read(bytes, lines: ranges[range], firstLine: range.lowerBound + 1, defaultActor: defaultActor, defaultAt: defaultAt)
        }
        var items: [ApplyItem] = []
        var problems: [(line: Int, error: String)] = []
        items.reserveCapacity(lines.count)
        for r in results {
            items += r.items
            problems += r.problems
        }
        return (items, problems)
    }

    /// Reads command lines (`lines` are byte ranges of `buffer`; the first is line number `firstLine`).
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
                let l = try ApplyLine(UnsafeRawBufferPointer(rebasing: buffer[line]))
                let command = try Command.parse(l.command, l.args ?? [:])
                guard let actor = l.as ?? defaultActor else { throw LineProblem("no actor: give \"as\" on the line, or --as for the file") }
                var at = defaultAt
                if let t = l.at {
                    if let last = lastAt, last.text == t {
                        at = last.date
                    } else {
                        guard let d = DomainTime.parse(t) else { throw LineProblem("\"at\": \(DomainTime.problem(t) ?? "\(t.debugDescription) is not ISO 8601")") }
                        lastAt = (t, d)
                        at = d
                    }
                }
                if let k = l.key {
                    guard !k.isEmpty, k.utf8.count <= 200, k.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                        throw LineProblem("\"key\" must be 1 to 200 bytes of printable text")
                    }
                }
                items.append(ApplyItem(line: lineNo, command: command, actor: actor, at: at, key: l.key))
            } catch let e as JSONParseError {
                problems.append((lineNo, "not a command line: \(e)"))
            } catch {
                problems.append((lineNo, "\(error)"))
            }
        }
        return (items, problems)
    }
}

/// Why a line is not a command line; its text is the whole message.
struct LineProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The fields of one apply line.
struct ApplyLine {
    var command: String
    var `as`: String?
    var at: String?
    var args: [String: JSONValue]?
    var key: String?

    /// Parses one line with JSONCore's parser: a `JSONParseError` when it is not JSON, a `LineProblem` (worded
    /// as the `JSONDecoder` messages were) when it is JSON of the wrong shape.
    init(_ bytes: UnsafeRawBufferPointer) throws {
        func wrong(_ m: String) -> LineProblem { LineProblem("not a command line: \(m)") }
        guard case .object(let o) = try JSONValue.parse(bytes) else { throw wrong("a line must be a JSON object") }
        // A misspelt key ("actor" for "as", "arg" for "args") must not silently change what runs.
        if let unknown = o.keys.first(where: { !["command", "as", "at", "args", "key"].contains($0) }) {
            throw wrong("unknown key \"\(unknown)\"; a line has \"command\", \"as\", \"at\", \"args\" and \"key\"")
        }
        func optionalString(_ key: String) throws -> String? {
            switch o[key] {
            case nil, .null?: return nil
            case .string(let s)?: return s
            default: throw wrong("wrong type at \(key)")
            }
        }
        switch o["command"] {
        case nil: throw wrong("missing \"command\"")
        case .null?: throw wrong("missing value at command")
        case .string(let s)?: command = s
        default: throw wrong("wrong type at command")
        }
        `as` = try optionalString("as")
        at = try optionalString("at")
        key = try optionalString("key")
        switch o["args"] {
        case nil, .null?: args = nil
        case .object(let a)?: args = a
        default: throw wrong("wrong type at args")
        }
    }
}

extension ApplyReader {
    /// A handoff's arguments from a JSON object (the apply `args` format), with the lead id and definition given
    /// beside it (the command line's) taking precedence.
    public static func handoffArgs(json bytes: [UInt8], id: String, definition: String?) throws -> HandoffArgs {
        guard case .object(var o) = try JSONValue.parse(bytes) else {
            throw DomainError.invalid("the file must hold one JSON object of handoff arguments")
        }
        o["id"] = .string(id)
        if let definition { o["definition"] = .string(definition) }
        guard case .leadHandoff(let h) = try Command.parse("lead.handoff", o) else { throw DomainError.invalid("not a handoff") }
        return h
    }
}
