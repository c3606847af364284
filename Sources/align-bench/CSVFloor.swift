import CSV
import Foundation

/// `align-bench csv-floor FILE...`: the floors under `align import`'s reading, in rows per second over the files:
/// CSV.swift (the kept CSV package the import reads with) reading every row and nothing else, and a bare scan of the
/// bytes for line ends (what any reader must at least touch). The import's own rows/s is measured beside them
/// (`tools/bench-import.sh`), so the report shows how much of it is the package's.
enum CSVFloor {
    struct Result { var rows: Int; var csvSwift: Double; var byteScan: Double }

    static func run(_ files: [String]) throws -> Result {
        var rows = 0
        var start = DispatchTime.now().uptimeNanoseconds
        for f in files {
            guard let stream = InputStream(fileAtPath: f) else { throw CSVFloorError.unreadable(f) }
            let reader = try CSVReader(stream: stream, hasHeaderRow: true)
            while reader.next() != nil { rows += 1 }
            // CSV.swift on Linux reports `cannotReadFile` at the end of every file (Foundation's InputStream says it
            // has bytes until a read returns none); any other error is real.
            if let e = reader.error, !("\(e)" == "cannotReadFile") { throw e }
        }
        let csvSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var lines = 0
        start = DispatchTime.now().uptimeNanoseconds
        for f in files {
            guard let h = FileHandle(forReadingAtPath: f) else { throw CSVFloorError.unreadable(f) }
            while let chunk = try h.read(upToCount: 1 << 20), !chunk.isEmpty {
                chunk.withUnsafeBytes { b in for byte in b where byte == 0x0A { lines += 1 } }
            }
            try h.close()
        }
        let scanSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard lines >= rows else { throw CSVFloorError.mismatch(rows, lines) }
        return Result(rows: rows, csvSwift: Double(rows) / csvSeconds, byteScan: Double(rows) / scanSeconds)
    }
}

enum CSVFloorError: Error { case unreadable(String), mismatch(Int, Int) }
