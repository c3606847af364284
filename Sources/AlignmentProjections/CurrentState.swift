import AlignmentDomain
import Foundation

/// The current state of one stream, whatever its kind.
public enum EntityState: Codable, Equatable, Sendable {
    case ledger(LedgerState)
    case definition(DefinitionState)
    case campaign(CampaignState)
    case lead(LeadState)
    case content(ContentState)

    /// The empty state for a stream name (`ledger`, `definition/ID`, `campaign/ID`, `lead/ID`, `content/ID`).
    public static func empty(for stream: String) -> EntityState? {
        guard let slash = stream.firstIndex(of: "/") else { return stream == StreamName.ledger ? .ledger(LedgerState()) : nil }
        let id = String(stream[stream.index(after: slash)...])
        switch stream[..<slash] {
        case "definition": return .definition(DefinitionState(id: id))
        case "campaign": return .campaign(CampaignState(id: id))
        case "lead": return .lead(LeadState(id: id))
        case "content": return .content(ContentState(id: id))
        default: return nil
        }
    }

    /// evolve: the state after one more event of its stream.
    public mutating func evolve(_ r: Recorded) {
        // Each case first parks `self` on a cheap placeholder, so the extracted state is uniquely referenced and
        // evolves in place instead of copying its arrays (copy-on-write) on every event.
        switch self {
        case .ledger(var s): self = .placeholder; s.evolve(r); self = .ledger(s)
        case .definition(var s): self = .placeholder; s.evolve(r); self = .definition(s)
        case .campaign(var s): self = .placeholder; s.evolve(r); self = .campaign(s)
        case .lead(var s): self = .placeholder; s.evolve(r); self = .lead(s)
        case .content(var s): self = .placeholder; s.evolve(r); self = .content(s)
        }
    }

    private static let placeholder = EntityState.lead(LeadState(id: ""))
}

/// The current-state projection: one `EntityState` per stream, folded from the stream's events.
///
/// The same fold serves the read model kept beside the log (loading and saving states through `load`),
/// a full rebuild and an as-of replay (starting empty). It records which streams changed (`dirty`).
public final class CurrentStateFold {
    /// Bump when the fold's code changes meaning: kept read models with another version are rebuilt.
    public static let codeVersion = 3

    /// A stream's state and whether it changed since `clearDirty`.
    private struct Slot {
        var state: EntityState
        var dirty: Bool
    }

    private var slots: [String: Slot] = [:]
    /// The streams whose state changed since `clearDirty`, in the order they first changed.
    public private(set) var dirtyStreams: [String] = []
    private let load: (String) throws -> EntityState?

    /// `load` returns the kept state of a stream (nil when there is none yet).
    public init(load: @escaping (String) throws -> EntityState? = { _ in nil }) {
        self.load = load
    }

    /// Every state folded or loaded so far, by stream.
    public var states: [String: EntityState] { slots.mapValues(\.state) }

    /// The streams whose state changed since `clearDirty`.
    public var dirty: Set<String> { Set(dirtyStreams) }

    /// The state of a stream as of the events folded so far.
    public func state(_ stream: String) throws -> EntityState? {
        if let s = slots[stream] { return s.state }
        guard let s = try load(stream) ?? EntityState.empty(for: stream) else { return nil }
        slots[stream] = Slot(state: s, dirty: false)
        return s
    }

    /// Folds one event into its stream's state.
    public func apply(_ r: Recorded) throws { try apply(r, stream: r.event.stream) }

    /// Folds one event into the state of `stream` (the event's stream, when the caller already has its name).
    public func apply(_ r: Recorded, stream: String) throws {
        if let i = slots.index(forKey: stream) {
            slots.values[i].state.evolve(r)  // in place: one lookup, no copy
            if !slots.values[i].dirty {
                slots.values[i].dirty = true
                dirtyStreams.append(stream)
            }
            return
        }
        guard var s = try load(stream) ?? EntityState.empty(for: stream) else { return }
        s.evolve(r)
        slots[stream] = Slot(state: s, dirty: true)
        dirtyStreams.append(stream)
    }

    /// The changed states with their streams.
    public func dirtyStates() -> [(stream: String, state: EntityState)] {
        // Looking hundreds of thousands of streams up one by one costs a cache miss each; when most are dirty (a
        // rebuild), one walk over the table is several times faster.
        if dirtyStreams.count * 4 < slots.count {
            return dirtyStreams.compactMap { stream in slots[stream].map { (stream, $0.state) } }
        }
        var out: [(stream: String, state: EntityState)] = []
        out.reserveCapacity(dirtyStreams.count)
        for (stream, slot) in slots where slot.dirty { out.append((stream, slot.state)) }
        return out
    }

    public func clearDirty() {
        if dirtyStreams.count * 4 < slots.count {
            for stream in dirtyStreams { slots[stream]?.dirty = false }
        } else {
            for i in slots.indices { slots.values[i].dirty = false }
        }
        dirtyStreams.removeAll(keepingCapacity: true)
    }

    /// Forgets cached states (after a rolled-back transaction).
    public func reset() {
        slots.removeAll()
        dirtyStreams.removeAll()
    }
}

extension CurrentStateFold: StateSource {
    public func ledger() throws -> LedgerState {
        if case .ledger(let s)? = try state(StreamName.ledger) { return s }
        return LedgerState()
    }
    public func definition(_ id: String) throws -> DefinitionState {
        if case .definition(let s)? = try state(StreamName.definition(id)) { return s }
        return DefinitionState(id: id)
    }
    public func campaign(_ id: String) throws -> CampaignState {
        if case .campaign(let s)? = try state(StreamName.campaign(id)) { return s }
        return CampaignState(id: id)
    }
    public func lead(_ id: String) throws -> LeadState {
        if case .lead(let s)? = try state(StreamName.lead(id)) { return s }
        return LeadState(id: id)
    }
    public func content(_ id: String) throws -> ContentState {
        if case .content(let s)? = try state(StreamName.content(id)) { return s }
        return ContentState(id: id)
    }
}

extension EntityState: BinaryCodable {
    /// Layout of the kept state's bytes; the first byte of every value.
    static let binaryLayout: UInt8 = 1

    public func write(to w: inout BinaryWriter) {
        w.u8(EntityState.binaryLayout)
        switch self {
        case .ledger(let s): w.u8(0); w.value(s)
        case .definition(let s): w.u8(1); w.value(s)
        case .campaign(let s): w.u8(2); w.value(s)
        case .lead(let s): w.u8(3); w.value(s)
        case .content(let s): w.u8(4); w.value(s)
        }
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
