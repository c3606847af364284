import AlignmentDomain
import AlignmentLedger
import Foundation

/// `align-bench serve-floor DIR [--clients 64] [--seconds 20]`: the floor under `serve-load`, in the same run: the same
/// signed handoffs (`ServeLoad.signedHandoff`), by as many actors, each signed by its own client thread and handed to
/// the service (`AlignmentLedger.perform(signedCommand:)`, what `POST /api/v1/commands` calls) without HTTP, on a fresh
/// ledger in DIR set up as `tools/bench-serve.sh` sets up the server's. What the server adds on top is HTTP, sessions
/// and its threads; what is left is the ledger's (the signature check, decide, the durable append).
enum ServeFloor {
    /// LMDB's last transaction id of the ledger at `path`, read by `mdb_stat -e` in a child process (a second handle
    /// on the same file in this process would drop the ledger's locks when closed); nil when mdb_stat is missing.
    static func lastTransactionID(_ path: String) -> Int? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/mdb_stat")
        p.arguments = ["-e", path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.contains("Last transaction ID") {
            return line.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        return nil
    }

    /// Durable commits during the last `run` (nil when they could not be counted).
    nonisolated(unsafe) static var lastRunCommits: Int?

    static func run(dir: String, clients: Int, seconds: Double) throws -> (ServeLoad.Figures, eventsPerCommand: Double) {
        let path = dir + "/serve-floor.ledger"
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rita = try ActorKey(generatingFor: "rita"), maria = try ActorKey(generatingFor: "maria"), sam = try ActorKey(generatingFor: "sam")
        let keys = try (0..<clients).map { try ActorKey(generatingFor: "c\($0)") }
        let (l, _) = try AlignmentLedger.create(at: path, admin: "rita", name: "Rita", key: rita)
        _ = try l.perform(.actorAdd(id: "maria", name: "Maria", roles: [.marketing], key: try maria.grant), as: "rita", signer: rita)
        _ = try l.perform(.actorAdd(id: "sam", name: "Sam", roles: [.sales], key: try sam.grant), as: "rita", signer: rita)
        for k in keys {
            _ = try l.perform(.actorAdd(id: k.actor, name: k.actor, roles: [.marketing], key: try k.grant), as: "rita", signer: rita)
        }
        let setup = """
            {"command": "definition.propose", "as": "maria", "args": {"id": "mql", "title": "t", "fit": ["employees>=200"]}}
            {"command": "definition.sign-off", "as": "sam", "args": {"id": "mql", "version": 1}}
            {"command": "definition.activate", "as": "maria", "args": {"id": "mql", "version": 1}}
            """
        let signers: [String: ActorKey] = ["maria": maria, "sam": sam]
        _ = try l.apply(file: Array(setup.utf8), defaultActor: nil, defaultAt: nil, signers: { signers[$0] as EventSigner? })
        let ledgerID = l.ledgerID

        let results = ServeLoad.Collected()
        let events = Counter()
        let ready = DispatchGroup(), done = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
        for (n, key) in keys.enumerated() {
            ready.enter(); done.enter()
            let thread = Thread {
                ready.leave()
                go.wait()
                var ok = 0, errors = 0, latencies: [UInt64] = [], firstError: String?, recorded = 0
                let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
                var i = 0
                while DispatchTime.now().uptimeNanoseconds < deadline {
                    i += 1
                    let start = DispatchTime.now().uptimeNanoseconds
                    do {
                        let s = try ServeLoad.signedHandoff(actor: key.actor, lead: "L-floor-c\(n)-\(i)", definition: "mql", key: key, ledgerID: ledgerID)
                        let outcome = try l.perform(signedCommand: s)
                        let end = DispatchTime.now().uptimeNanoseconds
                        if outcome.recorded.isEmpty {
                            errors += 1
                        } else {
                            ok += 1
                            recorded += outcome.recorded.count
                            latencies.append(end - start)
                        }
                    } catch {
                        errors += 1
                        if firstError == nil { firstError = "\(key.actor): \(error)" }
                    }
                }
                events.add(recorded)
                results.add(ok: ok, errors: errors, latencies: latencies, firstError: firstError)
                done.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        ready.wait()
        let txn0 = lastTransactionID(path)
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<clients { go.signal() }
        done.wait()
        let txn1 = lastTransactionID(path)
        lastRunCommits = txn0.flatMap { a in txn1.map { $0 - a } }
        var f = results.figures
        f.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        f.latenciesNanos.sort()
        return (f, f.ok > 0 ? Double(events.value) / Double(f.ok) : 0)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func add(_ k: Int) { lock.lock(); n += k; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return n }
    }
}
