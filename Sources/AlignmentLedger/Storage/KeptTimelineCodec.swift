import AlignmentDomain
import Foundation

/// The kept binary form of the ledger's timeline (policies and actors' roles over business time; see
/// `KeptStateCodec.swift` for the conventions).
extension PolicySpan: BinaryCodable {
    public func write(to w: inout BinaryWriter) { w.date(from); w.value(policy) }
    public init(from r: inout BinaryReader) throws { self.init(from: try r.date(), policy: try r.value()) }
}

extension ActorStatus: BinaryCodable {
    public func write(to w: inout BinaryWriter) { w.date(from); w.array(roles) { $0.raw($1) }; w.bool(active) }
    public init(from r: inout BinaryReader) throws {
        self.init(from: try r.date(), roles: try r.array { try $0.raw(Role.self) }, active: try r.bool())
    }
}

extension LedgerTimeline: BinaryCodable {
    public func write(to w: inout BinaryWriter) {
        w.array(policies) { $0.value($1) }; w.dictionary(actors) { w, list in w.array(list) { $0.value($1) } }
        w.optional(lastAt) { $0.date($1) }
    }
    public init(from r: inout BinaryReader) throws {
        self.init(policies: try r.array { try $0.value() }, actors: try r.dictionary { r in try r.array { try $0.value() } },
                  lastAt: try r.optional { try $0.date() })
    }
}
