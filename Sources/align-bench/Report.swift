import EventLog
import EventLogLMDB
// The results table (markdown), with targets and whether each is met.
import Foundation

struct Report {
    let config: Config
    let r: Results

    struct Row {
        var what: String
        var eventLog: String
        var peer: String
        var ratio: String
        var target: String
        var met: Bool?
    }

    var rows: [Row] {
        var rows: [Row] = []
        let n1 = fmtCount(config.onePerCommitEvents)
        if !r.onePerCommit.values.isEmpty {
            let el = r.onePerCommit.median, raw = r.rawLMDB.median, sq = r.sqliteOnePerCommit.median
            rows.append(Row(what: "durable append, 1 event per commit, 1 writer (\(n1) events)", eventLog: fmtRate(el),
                            peer: "raw LMDB put+commit: \(fmtRate(raw))", ratio: fmtRatio(el / raw),
                            target: "≥ 0.90x raw LMDB", met: el >= 0.9 * raw))
            if r.onePerCommit.values.count == r.rawLMDB.values.count {
                let paired = median(zip(r.onePerCommit.values, r.rawLMDB.values).map { $0 / $1 })
                rows.append(Row(what: "  same, ratio within each run (median of the runs' ratios)", eventLog: "—", peer: "—",
                                ratio: fmtRatio(paired), target: "—", met: nil))
            }
            rows.append(Row(what: "  same, vs SQLite (WAL, synchronous=FULL)", eventLog: fmtRate(el),
                            peer: "SQLite: \(fmtRate(sq))", ratio: fmtRatio(el / sq), target: "—", met: nil))
            rows.append(Row(what: "  floor: write 300 B + fdatasync", eventLog: "—",
                            peer: "\(fmtRate(r.fsync.median))", ratio: fmtRatio(el / r.fsync.median), target: "—", met: nil))
        }
        if !r.group.values.isEmpty, !r.onePerCommit.values.isEmpty {
            let g = r.group.median, one = r.onePerCommit.median
            rows.append(Row(what: "group commit: \(config.groupThreads) threads, 1 event per append (\(fmtCount(config.groupThreads * config.groupEventsPerThread)) events)",
                            eventLog: fmtRate(g), peer: "EventLog 1/commit: \(fmtRate(one))", ratio: fmtRatio(g / one),
                            target: "≥ 10x 1/commit", met: g >= 10 * one))
            if r.group.values.count == r.onePerCommit.values.count {
                let paired = median(zip(r.group.values, r.onePerCommit.values).map { $0 / $1 })
                rows.append(Row(what: "  same, ratio within each run (median of the runs' ratios)", eventLog: "—", peer: "—",
                                ratio: fmtRatio(paired), target: "—", met: nil))
            }
            if !r.rawGroup.values.isEmpty, !r.rawLMDB.values.isEmpty {
                let rg = r.rawGroup.median, raw = r.rawLMDB.median
                rows.append(Row(what: "  floor: raw LMDB, \(config.groupThreads) puts per commit, one thread", eventLog: fmtRate(g),
                                peer: "raw LMDB: \(fmtRate(rg)) (\(fmtRatio(rg / raw)) raw 1/commit)", ratio: fmtRatio(g / rg),
                                target: "—", met: nil))
            }
            if !r.groupKiBPerCommit.values.isEmpty {
                rows.append(Row(what: "  written to the disk per group commit", eventLog: String(format: "%.1f KiB", r.groupKiBPerCommit.median),
                                peer: "—", ratio: "—", target: "—", met: nil))
            }
            if !r.groupEventsPerCommit.values.isEmpty {
                rows.append(Row(what: "  events per group commit (mean)", eventLog: String(format: "%.1f", r.groupEventsPerCommit.median),
                                peer: "—", ratio: "—", target: "—", met: nil))
            }
            if !r.groupCPU.values.isEmpty {
                // Between two commits both cores are busy: this CPU, not the disk, bounds how soon the next begins.
                rows.append(Row(what: "  CPU per event, whole process (of which the \(config.groupThreads) appending threads)",
                                eventLog: String(format: "%.1f µs (%.1f µs)", r.groupCPU.median, r.groupCallerCPU.median),
                                peer: "—", ratio: "—", target: "—", met: nil))
            }
        }
        if !r.batched.values.isEmpty {
            let b = r.batched.median, s = r.sqliteBatched.median
            rows.append(Row(what: "batched append, \(fmtCount(config.batchSize)) events per commit (\(fmtCount(config.batchedEvents)) events, fresh)",
                            eventLog: fmtRate(b), peer: "SQLite: \(fmtRate(s))", ratio: fmtRatio(b / s),
                            target: "≥ 100k ev/s and ≥ 1.2x SQLite", met: b >= 100_000 && b >= 1.2 * s))
            if !r.batchedKiB.values.isEmpty, !r.sqliteBatchedKiB.values.isEmpty {
                rows.append(Row(what: "  written to the disk per event", eventLog: String(format: "%.1f KiB", r.batchedKiB.median),
                                peer: String(format: "SQLite: %.1f KiB", r.sqliteBatchedKiB.median),
                                ratio: fmtRatio(r.batchedKiB.median / r.sqliteBatchedKiB.median), target: "—", met: nil))
            }
            rows.append(Row(what: "  CPU per event inside the append calls", eventLog: String(format: "%.1f µs", r.batchedCPU.median),
                            peer: String(format: "SQLite: %.1f µs", r.sqliteBatchedCPU.median),
                            ratio: fmtRatio(r.batchedCPU.median / r.sqliteBatchedCPU.median), target: "—", met: nil))
        }
        if let a = r.buildRate, let b = r.sqliteBuildRate {
            rows.append(Row(what: "  building the \(fmtCount(config.ledgerEvents))-event ledger, same batches (1 run)",
                            eventLog: fmtRate(a), peer: "SQLite: \(fmtRate(b))", ratio: fmtRatio(a / b), target: "—", met: nil))
        }
        let nl = fmtCount(config.ledgerEvents)
        if !r.replay.values.isEmpty {
            let rp = r.replay.median, sq = r.sqliteScan.median
            rows.append(Row(what: "replay \(nl) events, decoding every envelope", eventLog: fmtRate(rp),
                            peer: "SQLite full scan, same columns: \(fmtRate(sq))", ratio: fmtRatio(rp / sq),
                            target: "≥ 2M ev/s", met: rp >= 2_000_000))
            rows.append(Row(what: "  replayRaw \(nl) (stored bytes, no decoding)", eventLog: fmtRate(r.replayRaw.median),
                            peer: "—", ratio: "—", target: "—", met: nil))
            let v = r.verify.median
            rows.append(Row(what: "verify \(nl) events (chain + indexes)", eventLog: fmtRate(v), peer: "—", ratio: "—",
                            target: "≥ 1M ev/s", met: v >= 1_000_000))
        }
        if !r.readMedian.values.isEmpty {
            let m = r.readMedian.median, s = r.sqliteReadMedian.median
            rows.append(Row(what: "read(stream:) of a 10-event stream among \(nl), median", eventLog: fmtMicros(m),
                            peer: "SQLite: \(fmtMicros(s))", ratio: fmtRatio(s / m) + " faster",
                            target: "< 20 µs", met: m < 20e-6))
            rows.append(Row(what: "  same, p99", eventLog: fmtMicros(r.readP99.median),
                            peer: "SQLite: \(fmtMicros(r.sqliteReadP99.median))", ratio: "—", target: "—", met: nil))
            if !r.tailReadMedian.values.isEmpty {
                rows.append(Row(what: "  same, with a full unindexed tail (\(EventLog.tailLimit - 1) events), median · p99",
                                eventLog: "\(fmtMicros(r.tailReadMedian.median)) · \(fmtMicros(r.tailReadP99.median))",
                                peer: "—", ratio: "—", target: "—", met: nil))
            }
        }
        if !r.memory.isEmpty {
            for kind in ["replay", "verify"] {
                let ms = r.memory.filter { $0.label == kind }.sorted { $0.events < $1.events }
                guard ms.count == 2 else { continue }
                let (a, b) = (ms[0], ms[1])
                // Flat: at 10x the events, less than 1.5x the peak (and for the heap, less than 16 MiB more).
                let rssFlat = Double(b.hwm) < 1.5 * Double(a.hwm)
                rows.append(Row(what: "peak RSS of \(kind) in a child process (VmHWM)", eventLog: "\(fmtCount(a.events)): \(fmtMiB(a.hwm)) · \(fmtCount(b.events)): \(fmtMiB(b.hwm))",
                                peer: "—", ratio: String(format: "%.2fx", Double(b.hwm) / Double(max(a.hwm, 1))), target: "flat", met: rssFlat))
                let heapFlat = b.anonPeak - a.anonPeak < 16 * 1024 && Double(b.anonPeak) < 1.5 * Double(a.anonPeak)
                rows.append(Row(what: "  of which heap and stacks (peak anonymous RSS)", eventLog: "\(fmtCount(a.events)): \(fmtMiB(a.anonPeak)) · \(fmtCount(b.events)): \(fmtMiB(b.anonPeak))",
                                peer: "—", ratio: String(format: "%.2fx", Double(b.anonPeak) / Double(max(a.anonPeak, 1))), target: "flat", met: heapFlat))
                rows.append(Row(what: "  the rest: mapped files (the ledger through LMDB's map; the libraries)", eventLog: "\(fmtCount(a.events)): \(fmtMiB(a.hwm - a.anonPeak)) · \(fmtCount(b.events)): \(fmtMiB(b.hwm - b.anonPeak))",
                                peer: "—", ratio: "—", target: "—", met: nil))
            }
        }
        if let l = r.ledgerBytes, let s = r.sqliteBytes {
            rows.append(Row(what: "size on disk, \(nl) events", eventLog: "\(l >> 20) MiB", peer: "SQLite: \(s >> 20) MiB",
                            ratio: fmtRatio(Double(l) / Double(s)), target: "—", met: nil))
        }
        return rows
    }

    var allMet: Bool { rows.allSatisfy { $0.met ?? true } }

    func lines(header: [String], elapsed: Double) -> [String] {
        var out = header.map { "    " + $0 }
        out.append("")
        out.append("| measurement | EventLog | peer | ratio | target | met |")
        out.append("|---|---|---|---|---|---|")
        for row in rows {
            let met = row.met.map { $0 ? "yes" : "**no**" } ?? ""
            out.append("| \(row.what) | \(row.eventLog) | \(row.peer) | \(row.ratio) | \(row.target) | \(met) |")
        }
        out.append("")
        out.append("Per-run figures (in run order):")
        func series(_ name: String, _ s: Series) { if !s.values.isEmpty { out.append("- \(name): \(s.runsText)") } }
        func micros(_ name: String, _ s: Series) { if !s.values.isEmpty { out.append("- \(name): " + s.values.map(fmtMicros).joined(separator: ", ")) } }
        series("fdatasync floor", r.fsync)
        series("raw LMDB 1/commit", r.rawLMDB)
        series("EventLog 1/commit", r.onePerCommit)
        series("SQLite 1/commit", r.sqliteOnePerCommit)
        series("EventLog group commit", r.group)
        series("raw LMDB 16 puts per commit", r.rawGroup)
        series("EventLog batched", r.batched)
        series("SQLite batched", r.sqliteBatched)
        series("EventLog replay", r.replay)
        series("EventLog replayRaw", r.replayRaw)
        series("SQLite scan", r.sqliteScan)
        series("EventLog verify", r.verify)
        micros("EventLog read(stream:) median", r.readMedian)
        micros("EventLog read(stream:) p99", r.readP99)
        micros("EventLog read(stream:) median, full tail", r.tailReadMedian)
        micros("SQLite read by stream median", r.sqliteReadMedian)
        for m in r.memory {
            out.append("- \(m.label) \(fmtCount(m.events)) in a child: VmHWM \(fmtMiB(m.hwm)), anonymous after open \(fmtMiB(m.anonBase)), anonymous peak \(fmtMiB(m.anonPeak)), file-backed resident at the end \(fmtMiB(m.rssFile)), \(fmtRate(Double(m.events) / max(m.seconds, 1e-9)))")
        }
        out.append("")
        out.append(String(format: "Total time %.0f s. Targets met: %@.", elapsed, allMet ? "all" : "not all"))
        return out
    }
}
