// What the bench ran on: CPU, cores, memory, kernel, the disk under the work directory, library versions.
import CLMDB
import CSQLite
import Foundation

#if canImport(Glibc)
import Glibc
#endif

enum Machine {
    static func cpuModel() -> String {
        guard let s = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in s.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        }
        return "unknown"
    }

    static func cores() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    static func memoryGiB() -> Double {
        Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE))) / Double(1 << 30)
    }

    static func kernel() -> String {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let machine = withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "Linux \(release) \(machine)"
    }

    /// The mount holding `path`: device, mount point, file system type, size and free space, rotational or not.
    static func disk(_ path: String) -> String {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var best: (dev: String, mnt: String, fs: String, opts: String)?
        if let m = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) {
            for line in m.split(separator: "\n") {
                let f = line.split(separator: " ").map(String.init)
                guard f.count >= 4 else { continue }
                let mnt = f[1]
                let inside = real == mnt || real.hasPrefix(mnt == "/" ? "/" : mnt + "/")
                if inside, best == nil || mnt.count >= best!.mnt.count { best = (f[0], mnt, f[2], f[3]) }
            }
        }
        var vfs = statvfs()
        var sizeText = ""
        if statvfs(real, &vfs) == 0 {
            let total = Double(vfs.f_blocks) * Double(vfs.f_frsize) / Double(1 << 30)
            let free = Double(vfs.f_bavail) * Double(vfs.f_frsize) / Double(1 << 30)
            sizeText = String(format: ", %.0f GiB, %.0f GiB free", total, free)
        }
        guard let b = best else { return "unknown" + sizeText }
        var kind = ""
        let devName = (b.dev as NSString).lastPathComponent
        if let r = try? String(contentsOfFile: "/sys/block/\(devName)/queue/rotational", encoding: .utf8) {
            kind = ", sysfs rotational=" + r.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return "\(b.dev) (\(b.fs) on \(b.mnt)\(sizeText)\(kind))"
    }

    static func lmdbVersion() -> String { String(cString: mdb_version(nil, nil, nil)) }
    static func sqliteVersion() -> String { "SQLite " + String(cString: sqlite3_libversion()) }

    static func swiftVersion() -> String {
        #if compiler(>=6.3)
        return "Swift 6.3+ compiler"
        #elseif compiler(>=6.2)
        return "Swift 6.2 compiler"
        #else
        return "Swift 6 compiler"
        #endif
    }

    static func header(workDir: String) -> [String] {
        [
            "machine: \(cpuModel()), nproc \(cores()), \(String(format: "%.0f", memoryGiB())) GiB RAM, \(kernel())",
            "disk:    \(disk(workDir)) — work directory \(workDir)",
            "software: \(lmdbVersion()), \(sqliteVersion()), \(swiftVersion()), release build",
        ]
    }
}
