import AlignmentProjections
import EventLog
import Foundation

/// What the comparison of the kept read models with a fresh fold of the log found.
public struct ModelsReport: Encodable, Sendable {
    /// Whether the kept models were compared (false: there are none, or they are of another code version or lag
    /// behind unevenly, so the first read rebuilds them and no answer comes from them as they are; `note` says which).
    public var checked: Bool
    /// The position the models' checkpoints name: the fold went through it.
    public var position: UInt64 = 0
    /// Rows compared, across every table.
    public var rows: Int = 0
    /// Events folded per second, and rows compared per second (the fold and the compare together).
    public var eventsPerSecond: Double = 0
    public var rowsPerSecond: Double = 0
    /// The first difference, if any.
    public var problem: ModelProblem?
    /// Why nothing was compared.
    public var note: String?
    /// How long the fold and the compare took.
    public var seconds: Double = 0
}

/// The first row where a kept read model differs from the fresh fold.
public struct ModelProblem: Encodable, Sendable, CustomStringConvertible {
    /// The table (`rm.state`, `rm.scorecard`, `rm.audit-actor`, `rm.audit-overrides`, `rm.projections`).
    public var model: String
    /// The key, readable (`lead/L-1`, `sam@1042`, `position 17`).
    public var key: String
    /// `missing` (the fold has it, the model not), `extra` (the model has it, the fold not), `different` (both, other
    /// bytes), `unreachable` (a walk meets it, a lookup does not: a damaged B-tree), `undecodable`.
    public var kind: String

    public var description: String {
        let what = switch kind {
        case "missing": "is missing (the log's fold has it)"
        case "extra": "should not be there (the log's fold has no such row)"
        case "unreachable": "cannot be found by a lookup, though a walk of the table meets it (a damaged B-tree page)"
        case "undecodable": "does not decode"
        default: "differs from what the log's fold holds"
        }
        return "the kept read model \(model) is wrong: the row \(key) \(what). Answers read from it may be wrong; "
            + "run `align projections rebuild` to rebuild the read models from the log, then `align verify` again"
    }
}

extension AlignmentLedger {
    /// Proves that every kept read model (`rm.state`, `rm.scorecard`, `rm.audit-actor`, `rm.audit-overrides`, and the
    /// checkpoints row of `rm.projections`) equals a fresh fold of the log through the models' checkpoint.
    ///
    /// The fold is the rebuild's (`foldLog`), in memory, outside any transaction; its rows come out sorted
    /// (`allRowsSorted`). Then one read transaction walks each kept table in key order beside the fold's rows and
    /// compares them byte for byte (a merge of two sorted sequences: linear, no lookup of one in the other), and looks
    /// each kept row up by its key too, so that a B-tree whose branch keys mislead a search is caught although a walk
    /// sees every row. The first difference is named. When a command commits between the fold and the compare (the
    /// checkpoint moved), the log is folded again to the new checkpoint and compared again.
    public func verifyModels(progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) throws -> ModelsReport {
        let started = DispatchTime.now().uptimeNanoseconds
        func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        let head = try log.head().position
        var kept = try log.readSideTables { try $0.value(AlignmentLedger.metaTable, AlignmentLedger.checkpointsKey) }
        guard kept != nil else {
            // No checkpoints: a ledger that keeps no models yet, unless its model tables hold rows (then the row is lost).
            let rows = try log.readSideTables { reader in
                try AlignmentLedger.allTables.filter { $0 != AlignmentLedger.metaTable }.reduce(0) { n, t in
                    var any = 0
                    try reader.walk(t) { _, _, _ in any = 1; return false }
                    return n + any
                }
            }
            if rows == 0 { return ModelsReport(checked: false, note: "the ledger keeps no read models (the first read builds them)") }
            return ModelsReport(checked: true, problem: ModelProblem(model: "rm." + AlignmentLedger.metaTable, key: "checkpoints", kind: "missing"),
                                seconds: seconds())
        }
        let all = Set(ProjectionName.allCases)
        var projector: Projector?
        var folded: UInt64 = 0
        for _ in 0..<5 {
            let cps = try AlignmentLedger.readCheckpoints { _ in kept }
            guard ProjectionName.allCases.allSatisfy({ cps[$0]?.version == $0.codeVersion }) else {
                return ModelsReport(checked: false, note: "the read models were kept by another version of the code; the first read rebuilds them")
            }
            let positions = Set(ProjectionName.allCases.map { cps[$0]?.position ?? 0 })
            guard positions.count == 1, let position = positions.first else {
                return ModelsReport(checked: false, note: "the read models' checkpoints disagree; the first read rebuilds them")
            }
            let now = try max(head, log.head().position)
            if position > now {
                var r = ModelsReport(checked: true, position: position)
                r.problem = ModelProblem(model: "rm." + AlignmentLedger.metaTable, key: "checkpoints",
                                         kind: "different (they name position \(position), past the log's head \(now))")
                r.seconds = seconds()
                return r
            }
            // A command that committed since the last fold moved the checkpoint: fold again (rare; verify usually runs
            // on a quiet ledger).
            if projector == nil || position != folded { projector = try foldLog(all, through: position, progress: progress) }
            folded = position
            guard let p = projector else { break }
            let freshCheckpoints = AlignmentLedger.encodeCheckpoints(Dictionary(uniqueKeysWithValues: ProjectionName.allCases.map { ($0, ($0.codeVersion, position)) }))
            let tables = try p.allRowsSorted(postings: false)
            let outcome = try log.readSideTables { reader -> (moved: [UInt8]?, rows: Int, problem: ModelProblem?) in
                let now = try reader.value(AlignmentLedger.metaTable, AlignmentLedger.checkpointsKey)
                if now != kept { return (now, 0, nil) }
                var rows = 1
                if now != freshCheckpoints {
                    return (nil, rows, ModelProblem(model: "rm." + AlignmentLedger.metaTable, key: "checkpoints", kind: "different"))
                }
                for (table, fresh) in tables {
                    let (n, problem) = table == AlignmentLedger.auditActorTable
                        ? try AlignmentLedger.comparePostings(p.actorPositions, with: reader)
                        : try AlignmentLedger.compare(table, fresh: fresh, with: reader)
                    rows += n
                    if let problem { return (nil, rows, problem) }
                }
                return (nil, rows, nil)
            }
            if let moved = outcome.moved {
                kept = moved
                continue
            }
            let s = seconds()
            return ModelsReport(checked: true, position: position, rows: outcome.rows,
                                eventsPerSecond: s > 0 ? Double(position) / s : 0, rowsPerSecond: s > 0 ? Double(outcome.rows) / s : 0,
                                problem: outcome.problem, note: nil, seconds: s)
        }
        throw EventLogError.storage("the read models kept changing while they were being verified (commands are running); verify again when they pause")
    }

    /// Walks kept `table` beside `fresh` (sorted by key) and answers the rows walked and the first difference.
    static func compare(_ table: String, fresh: [(key: [UInt8], value: [UInt8])], with reader: any SideTableReader) throws -> (Int, ModelProblem?) {
        var i = 0
        var rows = 0
        var problem: ModelProblem?
        func name(_ key: [UInt8]) -> String { describeKey(table, key) }
        try reader.walk(table) { k, v, reachable in
            rows += 1
            // The common case first: the next fresh row, same key, same bytes (memcmp: no per-byte generic loop).
            if i < fresh.count, reachable, same(fresh[i].key, k), same(fresh[i].value, v) {
                i += 1
                return true
            }
            let key = Array(k)
            if i < fresh.count, ByteOrder.less(fresh[i].key, key) {
                problem = ModelProblem(model: "rm." + table, key: name(fresh[i].key), kind: "missing")
                return false
            }
            guard i < fresh.count, fresh[i].key == key else {
                problem = ModelProblem(model: "rm." + table, key: name(key), kind: "extra")
                return false
            }
            guard fresh[i].value.elementsEqual(v) else {
                problem = ModelProblem(model: "rm." + table, key: name(key), kind: "different")
                return false
            }
            guard reachable else {
                problem = ModelProblem(model: "rm." + table, key: name(key), kind: "unreachable")
                return false
            }
            i += 1
            return true
        }
        if problem == nil, i < fresh.count { problem = ModelProblem(model: "rm." + table, key: name(fresh[i].key), kind: "missing") }
        return (rows, problem)
    }

    /// Whether `a` and `b` hold the same bytes.
    @inline(__always)
    static func same(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && (a.isEmpty || a.withUnsafeBytes { memcmp($0.baseAddress!, b.baseAddress!, a.count) == 0 })
    }

    /// Walks the kept `audit-actor` posting lists beside the fold's positions of each actor. Lists are compared by the
    /// positions they hold, not byte for byte: each command's flush starts new lists, so how an actor's positions are
    /// split into lists depends on the commits that wrote them, and a rebuild splits them otherwise. Every row must
    /// decode exactly, and an actor's lists, in key order, must hold exactly the fold's positions of that actor.
    static func comparePostings(_ fresh: [String: [UInt64]], with reader: any SideTableReader) throws -> (Int, ModelProblem?) {
        let table = auditActorTable
        let actors = fresh.keys.map { Array($0.utf8) + [0] }.sorted { ByteOrder.less($0, $1) }
        var a = 0  // the actor whose lists are being walked (index in `actors`)
        var next = 0  // how many of its positions the lists walked so far held
        var rows = 0
        var problem: ModelProblem?
        var cached: (index: Int, positions: [UInt64]) = (-1, [])
        func positions(_ i: Int) -> [UInt64] {
            if cached.index != i { cached = (i, fresh[String(decoding: actors[i].dropLast(), as: UTF8.self)] ?? []) }
            return cached.positions
        }
        func missing(_ i: Int, _ from: Int) -> ModelProblem {
            let p = positions(i)
            return ModelProblem(model: "rm." + table, key: describeKey(table, actors[i] + withUnsafeBytes(of: p[min(from, p.count - 1)].bigEndian) { Array($0) }), kind: "missing")
        }
        try reader.walk(table) { k, v, reachable in
            rows += 1
            let key = Array(k)
            guard let zero = key.firstIndex(of: 0), key.count == zero + 9 else {
                problem = ModelProblem(model: "rm." + table, key: describeKey(table, key), kind: "undecodable")
                return false
            }
            let prefix = Array(key[...zero])
            // Actors the fold has and the table skipped, or the rest of the actor before this row's.
            while a < actors.count, actors[a] != prefix {
                if next < positions(a).count || ByteOrder.less(prefix, actors[a]) {
                    problem = next < positions(a).count ? missing(a, next) : ModelProblem(model: "rm." + table, key: describeKey(table, key), kind: "extra")
                    return false
                }
                a += 1
                next = 0
            }
            guard a < actors.count else {
                problem = ModelProblem(model: "rm." + table, key: describeKey(table, key), kind: "extra")
                return false
            }
            let first = key[(zero + 1)...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard let list = try? postingPositions(first: first, Array(v)) else {
                problem = ModelProblem(model: "rm." + table, key: describeKey(table, key), kind: "undecodable")
                return false
            }
            let expected = positions(a)
            guard next + list.count <= expected.count, expected[next..<(next + list.count)].elementsEqual(list) else {
                problem = ModelProblem(model: "rm." + table, key: describeKey(table, key), kind: "different")
                return false
            }
            guard reachable else {
                problem = ModelProblem(model: "rm." + table, key: describeKey(table, key), kind: "unreachable")
                return false
            }
            next += list.count
            return true
        }
        if problem == nil {
            while a < actors.count {
                if next < positions(a).count { problem = missing(a, next); break }
                a += 1
                next = 0
            }
        }
        return (rows, problem)
    }

    /// A kept model's key, readable: the text of the state and scorecard keys, `ACTOR@POSITION` for the actor
    /// index, `position N` for overrides; hex when it is none of these.
    static func describeKey(_ table: String, _ key: [UInt8]) -> String {
        func position(_ b: ArraySlice<UInt8>) -> UInt64 { b.reduce(0) { $0 << 8 | UInt64($1) } }
        if table == auditActorTable, let zero = key.firstIndex(of: 0), key.count == zero + 9 {
            return Terminal.safe("'\(String(decoding: key[..<zero], as: UTF8.self))' from position \(position(key[(zero + 1)...]))")
        }
        if table == auditOverridesTable, key.count == 8 { return "position \(position(key[...]))" }
        if let s = String(validating: key, as: UTF8.self), s.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) {
            return "'" + Terminal.safe(s) + "'"
        }
        return key.map { String(format: "%02x", $0) }.joined()
    }
}
