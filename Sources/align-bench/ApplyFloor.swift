import AlignmentLedger
import Foundation

/// `align-bench apply-floor DIR`: where the time of `align apply` of evaluated handoffs goes, in the same run, in µs
/// per command: the apply through the service on a ledger whose events are signed (as `align init` makes them), the
/// same apply on an unsigned ledger, and one Ed25519 signature alone. A signature binds its event's position and the
/// chain hash before it, so the signatures of one file are made one after another: one event's signature is the floor
/// of its command's time, whatever else runs beside it.
enum ApplyFloor {
    struct Result {
        var signed: Double, unsigned: Double, sign: Double
    }

    static func run(dir: String, handoffs: Int = 100_000) throws -> Result {
        let setup = """
            {"command": "definition.propose", "as": "maria", "args": {"id": "mql", "title": "t", "fit": ["employees>=200", "industry in [saas,fintech]"], "engagement": "webinar.attended>=1 within 30d"}}
            {"command": "definition.sign-off", "as": "sam", "args": {"id": "mql", "version": 1}}
            {"command": "definition.activate", "as": "maria", "args": {"id": "mql", "version": 1}}
            """
        var file = ""
        file.reserveCapacity(handoffs * 260)
        for i in 0..<handoffs {
            file += #"{"command": "lead.handoff", "as": "maria", "args": {"id": "L-\#(i)", "definition": "mql", "profile": {"company": "C\#(i)", "employees": "\#(200 + i % 5000)", "industry": "\#(i % 2 == 0 ? "fintech" : "saas")"}, "signal": [{"name": "webinar.attended", "at": "2026-12-01T00:00:00Z"}]}}"#
            file += "\n"
        }
        let bytes = Array(file.utf8)
        func apply(signed: Bool) throws -> Double {
            let path = dir + "/apply-floor-\(signed ? "signed" : "unsigned").ledger"
            try? FileManager.default.removeItem(atPath: path)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let keys = try [String: ActorKey](uniqueKeysWithValues: ["rita", "maria", "sam"].map { ($0, try ActorKey(generatingFor: $0)) })
            let (l, _) = try AlignmentLedger.create(at: path, admin: "rita", name: "Rita", key: signed ? keys["rita"] : nil)
            for (a, role) in [("maria", Role.marketing), ("sam", Role.sales)] {
                _ = try l.perform(.actorAdd(id: a, name: a, roles: [role], key: signed ? try grant(keys[a]) : nil), as: "rita",
                                  signer: signed ? keys["rita"] : nil)
            }
            func signer(_ actor: String) -> EventSigner? { signed ? keys[actor] : nil }
            _ = try l.apply(file: Array(setup.utf8), defaultActor: nil, defaultAt: nil, signers: signer)
            let start = DispatchTime.now().uptimeNanoseconds
            let outcome = try l.apply(file: bytes, defaultActor: nil, defaultAt: nil, signers: signer)
            let micros = Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000 / Double(handoffs)
            guard outcome.commands == handoffs else { throw ApplyFloorError.short(outcome.commands) }
            return micros
        }
        let unsigned = try apply(signed: false)
        // ALIGN_FLOOR_UNSIGNED_ONLY=1: the unsigned apply alone (for a profile of it).
        if ProcessInfo.processInfo.environment["ALIGN_FLOOR_UNSIGNED_ONLY"] == "1" { return Result(signed: 0, unsigned: unsigned, sign: 0) }
        let signed = try apply(signed: true)
        return Result(signed: signed, unsigned: unsigned, sign: try SigningBench.run().signMicros)
    }

    static func grant(_ key: ActorKey?) throws -> KeyGrant {
        guard let key else { throw ApplyFloorError.noKey }
        return try key.grant
    }
}

enum ApplyFloorError: Error { case short(Int), noKey }
