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
    public static let codeVersion = 2

    public private(set) var states: [String: EntityState] = [:]
    public private(set) var dirty: Set<String> = []
    private let load: (String) throws -> EntityState?

    /// `load` returns the kept state of a stream (nil when there is none yet).
    public init(load: @escaping (String) throws -> EntityState? = { _ in nil }) {
        self.load = load
    }

    /// The state of a stream as of the events folded so far.
    public func state(_ stream: String) throws -> EntityState? {
        if let s = states[stream] { return s }
        let s = try load(stream) ?? EntityState.empty(for: stream)
        states[stream] = s
        return s
    }

    /// Folds one event into its stream's state.
    public func apply(_ r: Recorded) throws {
        let stream = r.event.stream
        guard try state(stream) != nil else { return }
        states[stream]!.evolve(r)  // in place
        dirty.insert(stream)
    }

    public func clearDirty() { dirty.removeAll(keepingCapacity: true) }

    /// Forgets cached states (after a rolled-back transaction).
    public func reset() {
        states.removeAll()
        dirty.removeAll()
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
