import AlignmentDomain
import AlignmentProjections

/// A kept state's row: a layout byte, a kind byte, then the state's binary form.
extension EntityState: BinaryCodable {
    /// Layout of the kept state's bytes; the first byte of every value.
    static let binaryLayout: UInt8 = 1

    /// The kind byte that follows the layout byte.
    enum Kind: UInt8 { case ledger = 0, definition, campaign, lead, content }

    public func write(to w: inout BinaryWriter) {
        switch self {
        case .ledger(let s): EntityState.write(.ledger, s, to: &w)
        case .definition(let s): EntityState.write(.definition, s, to: &w)
        case .campaign(let s): EntityState.write(.campaign, s, to: &w)
        case .lead(let s): EntityState.write(.lead, s, to: &w)
        case .content(let s): EntityState.write(.content, s, to: &w)
        }
    }

    static func write<S: BinaryCodable>(_ kind: Kind, _ s: S, to w: inout BinaryWriter) {
        w.u8(EntityState.binaryLayout)
        w.u8(kind.rawValue)
        w.value(s)
    }

    /// The kept bytes of a state of the given kind, without wrapping it in an `EntityState` first.
    static func binary<S: BinaryCodable>(_ kind: Kind, _ s: S) -> [UInt8] {
        var w = BinaryWriter()
        write(kind, s, to: &w)
        return w.bytes
    }

    public init(from r: inout BinaryReader) throws {
        let layout = try r.u8()
        guard layout == EntityState.binaryLayout else { throw BinaryError.unknownLayout(layout) }
        switch try r.u8() {
        case 0: self = .ledger(try r.value())
        case 1: self = .definition(try r.value())
        case 2: self = .campaign(try r.value())
        case 3: self = .lead(try r.value())
        case 4: self = .content(try r.value())
        case let k: throw BinaryError.unknownKind(k)
        }
    }

    /// The kept bytes of this state.
    public var binary: [UInt8] {
        var w = BinaryWriter()
        write(to: &w)
        return w.bytes
    }

    /// Reads kept bytes; the whole value must be used.
    public init(binary: [UInt8]) throws {
        var r = BinaryReader(binary)
        self = try EntityState(from: &r)
        guard r.isAtEnd else { throw BinaryError.trailingBytes }
    }
}

/// The kept-state codec the folds encode their changed states with (on several threads).
struct KeptStateEncoder: KeptStateEncoding {
    func encode(_ s: LedgerState) -> [UInt8] { EntityState.binary(.ledger, s) }
    func encode(_ s: DefinitionState) -> [UInt8] { EntityState.binary(.definition, s) }
    func encode(_ s: CampaignState) -> [UInt8] { EntityState.binary(.campaign, s) }
    func encode(_ s: LeadState) -> [UInt8] { EntityState.binary(.lead, s) }
    func encode(_ s: ContentState) -> [UInt8] { EntityState.binary(.content, s) }
}

extension LeadState {
    /// The status of a kept lead row, read from its first bytes (layout, kind, id, status) without decoding the rest;
    /// nil when the row does not begin as a lead's does.
    static func keptStatus(_ row: [UInt8]) -> Status? {
        var r = BinaryReader(row)
        guard (try? r.u8()) == EntityState.binaryLayout, (try? r.u8()) == EntityState.Kind.lead.rawValue, (try? r.string()) != nil else { return nil }
        return try? r.raw(Status.self)
    }
}
