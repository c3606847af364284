import AlignmentDomain
import CSV
import Foundation

/// One CSV file of an export, read row by row with CSV.swift (never the whole file in memory), with the physical line
/// each row starts on and its header matched case-insensitively.
final class CSVTable {
    /// The file's name, for messages.
    let name: String
    /// The header's names, trimmed and lower-cased (Data Loader upper-cases them; a UTF-8 BOM is dropped).
    let header: [String]
    /// The header as written, for messages.
    let headerAsWritten: [String]
    /// The current row's fields (as many as the header's, once `next` has said `.row`).
    private(set) var row: [String] = []
    /// The physical line the current row starts on (the header starts on line 1).
    private(set) var line = 1
    /// An estimate of the bytes read so far (the fields, their separators and line ends), for progress.
    private(set) var bytes: Int64 = 0

    /// The rows, parsed ahead by CSV.swift on a thread of their own (`RowPipe`).
    private let pipe: RowPipe
    private var batch: [[String]] = []
    private var batchIndex = 0
    private var nextLine: Int

    /// Opens `url`; a file that cannot be opened or has no header is `.missing`.
    init(url: URL) throws(CRMImportError) {
        name = url.lastPathComponent
        guard let stream = InputStream(url: url) else { throw .missing("\(url.path): cannot open the file") }
        let reader: CSVReader
        do {
            reader = try CSVReader(stream: stream, hasHeaderRow: true)
        } catch {
            throw .missing("\(url.path): cannot read a CSV header from it (is it empty, or not UTF-8?)")
        }
        var written = reader.headerRow ?? []
        if let first = written.first, first.hasPrefix("\u{FEFF}") { written[0] = String(first.dropFirst()) }
        headerAsWritten = written
        header = written.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        nextLine = 1 + Self.newlines(in: written) + 1
        pipe = RowPipe(reader)
    }

    deinit { pipe.cancel() }

    /// The index of the first of `names` (any case) in the header.
    func column(_ names: String...) -> Int? { column(names) }

    /// The index of the first of `names` (any case) in the header.
    func column(_ names: [String]) -> Int? {
        for n in names {
            if let i = header.firstIndex(of: n.lowercased()) { return i }
        }
        return nil
    }

    /// The index of a column the reader needs; `.missing` naming it and the header when absent.
    func require(_ names: String...) throws(CRMImportError) -> Int {
        if let i = column(names) { return i }
        let also = names.count > 1 ? " (or \(names.dropFirst().map { "'\($0)'" }.joined(separator: ", ")))" : ""
        throw .missing("\(name) has no column '\(names[0])'\(also); its header is: \(headerAsWritten.joined(separator: ", ")). Export the file with that field")
    }

    /// What reading the next row found.
    enum Next {
        case row
        case bad(BadRow)
        case end
    }

    /// Reads the next row: `.row` (in `row`, as many fields as the header), `.bad` (a field count that differs from
    /// the header's) or `.end`. Blank lines are passed over. A file that stops being UTF-8 text is `.missing`.
    func next() throws(CRMImportError) -> Next {
        while true {
            if batchIndex == batch.count {
                batch = pipe.take()
                batchIndex = 0
            }
            guard batchIndex < batch.count else {
                // CSV.swift ends every file with `cannotReadFile` (its last read finds no byte): only a decoding or a
                // stream error is one.
                switch pipe.error as? CSVError {
                case .unicodeDecoding?:
                    throw .missing("\(name):\(nextLine): the text is not UTF-8 from here on; export the file again as UTF-8 CSV")
                case .streamErrorHasOccurred(let e)?:
                    throw .missing("\(name):\(nextLine): reading the file failed (\(e.localizedDescription))")
                default:
                    return .end
                }
            }
            let fields = batch[batchIndex]
            batchIndex += 1
            line = nextLine
            nextLine += 1 + Self.newlines(in: fields)
            var size = fields.count
            for f in fields { size += f.utf8.count }
            bytes += Int64(size)
            if fields.count == 1, fields[0].isEmpty, header.count != 1 { continue }
            if fields.count != header.count {
                return .bad(BadRow(file: name, line: line, message: "\(fields.count) field\(fields.count == 1 ? "" : "s"), the header has \(header.count)"))
            }
            row = fields
            return .row
        }
    }

    /// The current row's value in column `i`, trimmed of surrounding spaces; "" for a column the file does not have.
    func value(_ i: Int?) -> String {
        guard let i, i < row.count else { return "" }
        let v = row[i]
        guard let f = v.utf8.first, let l = v.utf8.last else { return v }
        if f == 0x20 || f == 0x09 || l == 0x20 || l == 0x09 { return v.trimmingCharacters(in: .whitespaces) }
        return v
    }

    /// A bad value in the current row.
    func bad(_ message: String) -> BadRow { BadRow(file: name, line: line, message: message) }

    /// The line breaks inside fields (CR LF, LF or a lone CR each count once).
    static func newlines(in fields: [String]) -> Int {
        var n = 0
        for f in fields {
            var lastCR = false
            for b in f.utf8 {
                if b == 0x0A { if !lastCR { n += 1 }; lastCR = false } else if b == 0x0D { n += 1; lastCR = true } else { lastCR = false }
            }
        }
        return n
    }
}

/// What a read collects over every file: rows, bad rows, values the mapping lacks, notes; and progress.
final class ReadContext {
    let skipBadRows: Bool
    let totalBytes: Int64
    private let progress: (ReadProgress) -> Void
    private var doneBytes: Int64 = 0
    private var nextProgress = ReadContext.progressEvery

    /// Rows read over every file.
    private(set) var rows = 0
    /// Bad rows, in file order.
    private(set) var badRows: [BadRow] = []
    /// Unmapped values, each once, with where it was first seen and the entry to add.
    private(set) var unmapped: [String] = []
    private var unmappedSeen: Set<String> = []
    var notes = Notes()

    static let progressEvery = 50_000
    static let maxBadRows = 100

    init(skipBadRows: Bool, totalBytes: Int64, progress: @escaping (ReadProgress) -> Void) {
        self.skipBadRows = skipBadRows
        self.totalBytes = totalBytes
        self.progress = progress
    }

    /// Reads every row of `table`, calling `body` for each good one; a bad row (`.bad`, or a `BadRow` thrown by
    /// `body`) is kept, and without `skipBadRows` the read stops at the 100th.
    func each(_ table: CSVTable, _ body: (CSVTable) throws -> Void) throws {
        let before = table.bytes
        defer { doneBytes += table.bytes - before }
        while true {
            let next = try table.next()
            switch next {
            case .end:
                return
            case .bad(let b):
                rows += 1
                try keep(b)
            case .row:
                rows += 1
                do { try body(table) } catch let b as BadRow { try keep(b) }
            }
            if rows >= nextProgress {
                nextProgress += Self.progressEvery
                progress(ReadProgress(file: table.name, rows: rows, bytes: doneBytes + table.bytes - before, totalBytes: totalBytes))
            }
        }
    }

    private func keep(_ b: BadRow) throws(CRMImportError) {
        badRows.append(b)
        if !skipBadRows, badRows.count >= Self.maxBadRows { throw .badRows(badRows) }
    }

    /// Records a value the mapping does not cover, once per `key` (its first place is the one named).
    func unmapped(_ key: String, _ message: @autoclosure () -> String) {
        if unmappedSeen.insert(key).inserted { unmapped.append(message()) }
    }

    /// Throws what a read found wrong: bad rows first (unless skipped), then unmapped values.
    func finish() throws(CRMImportError) {
        if !skipBadRows, !badRows.isEmpty { throw .badRows(badRows) }
        if !unmapped.isEmpty { throw .unmapped(unmapped) }
    }

    /// The reading, once the steps are known.
    func reading(_ steps: [ImportStep]) -> CRMReading {
        CRMReading(steps: steps, rows: rows, skipped: skipBadRows ? badRows : [], notes: notes.lines)
    }
}

/// The notes of a read: one line each, counted by kind.
struct Notes {
    private var order: [String] = []
    private var counts: [String: Int] = [:]
    private var examples: [String: [String]] = [:]
    /// While set, `add` counts nothing (a second walk over what the first one counted).
    var muted = false

    /// Counts one more of `kind`, with an example (the first five are named).
    mutating func add(_ kind: String, _ example: String? = nil) {
        if muted { return }
        if counts[kind] == nil { order.append(kind) }
        counts[kind, default: 0] += 1
        // Five distinct examples (the same campaign named by many handoffs is one example).
        if let example, examples[kind, default: []].count < 5, examples[kind]?.contains(example) != true {
            examples[kind, default: []].append(example)
        }
    }

    var lines: [String] {
        order.map { kind in
            let n = counts[kind] ?? 0
            let ex = examples[kind] ?? []
            let more = ex.count == 5 && n > 5 ? ", ..." : ""
            return "\(n) \(kind)" + (ex.isEmpty ? "" : " (\(ex.joined(separator: ", "))\(more))")
        }
    }
}

/// CSV.swift's rows, parsed ahead on a thread of their own while the reader maps the rows before them: parsing is
/// about 40% of reading an export (perf, 2026-12-07), so on two cores the two overlap. At most `depth` batches of
/// `size` rows wait, so memory stays bounded whatever the file's size. An empty batch means the end (`error` then says
/// whether CSV.swift stopped on an error).
final class RowPipe: @unchecked Sendable {  // its state is guarded by `condition`; the reader is used by the thread alone
    private let condition = NSCondition()
    private var ready: [[[String]]] = []
    private var finished = false
    private var cancelled = false
    private var failure: Error?
    private static let size = 512, depth = 8

    init(_ reader: CSVReader) {
        nonisolated(unsafe) let reader = reader
        let thread = Thread { [self] in
            var rows: [[String]] = []
            rows.reserveCapacity(RowPipe.size)
            while true {
                let row = reader.next()
                if let row { rows.append(row) }
                guard row == nil || rows.count == RowPipe.size else { continue }
                condition.lock()
                while ready.count >= RowPipe.depth, !cancelled { condition.wait() }
                if cancelled { condition.unlock(); return }
                if !rows.isEmpty { ready.append(rows) }
                if row == nil {
                    finished = true
                    failure = reader.error
                }
                condition.broadcast()
                condition.unlock()
                if row == nil { return }
                rows = []
                rows.reserveCapacity(RowPipe.size)
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The next batch of rows, waiting for it; empty at the end.
    func take() -> [[String]] {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty, !finished { condition.wait() }
        guard !ready.isEmpty else { return [] }
        condition.broadcast()
        return ready.removeFirst()
    }

    /// Why CSV.swift stopped (after the end).
    var error: Error? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    /// Stops the thread (the table is no longer read).
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}

/// The files of an export folder, matched by name case-insensitively.
struct ExportFolder {
    let directory: URL
    private let names: [String]

    init(_ directory: URL) throws(CRMImportError) {
        self.directory = directory
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        } catch {
            throw .missing("\(directory.path): cannot list the folder; give the folder of the CSV export")
        }
    }

    /// The file named `name` (any case), if the folder has one.
    func file(_ name: String) -> URL? {
        let lower = name.lowercased()
        return names.first { $0.lowercased() == lower }.map { directory.appendingPathComponent($0) }
    }
}

/// The size of a file, 0 if unknown.
func fileSize(_ url: URL) -> Int64 {
    ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber)?.int64Value ?? 0
}
