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
        let u = stream.utf8
        guard let slash = u.firstIndex(of: UInt8(ascii: "/")) else { return stream == StreamName.ledger ? .ledger(LedgerState()) : nil }
        let id = String(stream[u.index(after: slash)...])
        switch StreamKind(stream) {
        case .definition: return .definition(DefinitionState(id: id))
        case .campaign: return .campaign(CampaignState(id: id))
        case .lead: return .lead(LeadState(id: id))
        case .content: return .content(ContentState(id: id))
        case .ledger, nil: return nil
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
    /// 4: a stream whose id starts with a combining mark gets a state (the kind was read from the name's first
    /// `Character`, which swallowed the slash). 5: a campaign's state keeps who drafted its latest revision (`draftedBy`,
    /// for separation of duties); 6: the ledger's state keeps the registered keys and whether signatures are required;
    /// 7: business time: states keep recorded times, each stream's latest business time, and the ledger's policies and
    /// actors' roles over business time; 8: handoffs keep their evaluation, criteria their window, the policy its
    /// off-definition and ad-hoc content rules and its signal vocabulary; 9: handoffs keep the CRM record they were
    /// imported from.
    public static let codeVersion = 9

    /// One table per kind of stream, so that a state evolves in place: pulling a state out of an `EntityState`
    /// and putting it back cost a copy of all its fields per event.
    private var ledgers = Table<LedgerState>()
    private var definitions = Table<DefinitionState>()
    private var campaigns = Table<CampaignState>()
    private var leads = Table<LeadState>()
    private var contents = Table<ContentState>()
    /// The streams whose state changed since `clearDirty`, in the order they first changed.
    public private(set) var dirtyStreams: [String] = []
    private let load: (String) throws -> EntityState?

    /// `load` returns the kept state of a stream (nil when there is none yet).
    public init(load: @escaping (String) throws -> EntityState? = { _ in nil }) {
        self.load = load
    }

    /// Every state folded or loaded so far, by stream.
    public var states: [String: EntityState] {
        var out: [String: EntityState] = [:]
        for (k, v) in ledgers.slots { out[k] = .ledger(v.state) }
        for (k, v) in definitions.slots { out[k] = .definition(v.state) }
        for (k, v) in campaigns.slots { out[k] = .campaign(v.state) }
        for (k, v) in leads.slots { out[k] = .lead(v.state) }
        for (k, v) in contents.slots { out[k] = .content(v.state) }
        return out
    }

    /// The streams whose state changed since `clearDirty`.
    public var dirty: Set<String> { Set(dirtyStreams) }

    /// The kept (or empty) state of a stream not folded yet, as its kind's type.
    private func initial<S>(_ stream: String, _ extract: (EntityState) -> S?) throws -> S? {
        try (load(stream) ?? EntityState.empty(for: stream)).flatMap(extract)
    }

    /// The state of a stream as of the events folded so far.
    public func state(_ stream: String) throws -> EntityState? {
        switch StreamKind(stream) {
        case .ledger: try ledgers.get(stream) { try initial(stream) { if case .ledger(let s) = $0 { s } else { nil } } }.map { .ledger($0) }
        case .definition: try definitions.get(stream) { try initial(stream) { if case .definition(let s) = $0 { s } else { nil } } }.map { .definition($0) }
        case .campaign: try campaigns.get(stream) { try initial(stream) { if case .campaign(let s) = $0 { s } else { nil } } }.map { .campaign($0) }
        case .lead: try leads.get(stream) { try initial(stream) { if case .lead(let s) = $0 { s } else { nil } } }.map { .lead($0) }
        case .content: try contents.get(stream) { try initial(stream) { if case .content(let s) = $0 { s } else { nil } } }.map { .content($0) }
        case nil: nil
        }
    }

    /// Folds one event into its stream's state.
    public func apply(_ r: Recorded) throws { try apply(r, stream: r.event.stream) }

    /// Folds one event into the state of `stream` (the event's stream, when the caller already has its name).
    public func apply(_ r: Recorded, stream: String) throws {
        let changed: Bool
        switch StreamKind(stream) {
        case .lead: changed = try leads.fold(stream, { try initial(stream) { if case .lead(let s) = $0 { s } else { nil } } }) { $0.evolve(r) }
        case .definition: changed = try definitions.fold(stream, { try initial(stream) { if case .definition(let s) = $0 { s } else { nil } } }) { $0.evolve(r) }
        case .campaign: changed = try campaigns.fold(stream, { try initial(stream) { if case .campaign(let s) = $0 { s } else { nil } } }) { $0.evolve(r) }
        case .content: changed = try contents.fold(stream, { try initial(stream) { if case .content(let s) = $0 { s } else { nil } } }) { $0.evolve(r) }
        case .ledger: changed = try ledgers.fold(stream, { try initial(stream) { if case .ledger(let s) = $0 { s } else { nil } } }) { $0.evolve(r) }
        case nil: return
        }
        if changed { dirtyStreams.append(stream) }
    }

    /// The changed states in their kept form (`coder`: the storage layer's codec), encoded on all cores straight
    /// from the tables (no copy of the states).
    public func encodedDirtyStates(_ coder: some KeptStateEncoding) -> [(stream: String, bytes: [UInt8])] {
        let few = dirtyStreams.count * 4 < leads.slots.count + definitions.slots.count + campaigns.slots.count + contents.slots.count
        let names = few ? dirtyStreams : nil
        return ledgers.encodeDirty(names, coder.encode) + definitions.encodeDirty(names, coder.encode)
            + campaigns.encodeDirty(names, coder.encode) + leads.encodeDirty(names, coder.encode)
            + contents.encodeDirty(names, coder.encode)
    }

    /// Every state in its kept binary form, keyed by stream name (UTF-8), in ascending byte order of the keys: what a
    /// rebuild writes into the emptied table. Encoded on all cores.
    public func encodedAllStatesSorted(_ coder: some KeptStateEncoding) -> [(key: [UInt8], value: [UInt8])] {
        var parts = [ledgers.encodeAllSorted(coder.encode), definitions.encodeAllSorted(coder.encode),
                     campaigns.encodeAllSorted(coder.encode), leads.encodeAllSorted(coder.encode),
                     contents.encodeAllSorted(coder.encode)].filter { !$0.isEmpty }
        // Each kind has its own key prefix, so the parts do not interleave: order them by their first keys.
        parts.sort { ByteOrder.less($0[0].key, $1[0].key) }
        return Array(parts.joined())
    }

    public func clearDirty() {
        ledgers.clearDirty(dirtyStreams)
        definitions.clearDirty(dirtyStreams)
        campaigns.clearDirty(dirtyStreams)
        leads.clearDirty(dirtyStreams)
        contents.clearDirty(dirtyStreams)
        dirtyStreams.removeAll(keepingCapacity: true)
    }

}

/// The kind of a stream, from its name's prefix.
enum StreamKind {
    case ledger, definition, campaign, lead, content

    init?(_ stream: String) {
        let u = stream.utf8
        if u.starts(with: "lead/".utf8) { self = .lead }
        else if u.starts(with: "definition/".utf8) { self = .definition }
        else if u.starts(with: "campaign/".utf8) { self = .campaign }
        else if u.starts(with: "content/".utf8) { self = .content }
        else if stream == StreamName.ledger { self = .ledger }
        else { return nil }
    }
}

/// The states of one kind of stream, by stream name, each with its dirty flag. A slot is an object, so a state
/// evolves in place through one lookup and the table moves pointers, not states of a few hundred bytes, as it grows.
private struct Table<S> {
    final class Slot {
        var state: S
        var dirty: Bool
        init(_ state: S, dirty: Bool) {
            self.state = state
            self.dirty = dirty
        }
    }

    var slots: [String: Slot] = [:]
    /// The slots in the order they were made (close to key order for ids handed out in sequence).
    var order: [(stream: String, slot: Slot)] = []

    /// The state of `stream`, made from `initial` (and kept, clean) when the table does not hold it yet.
    mutating func get(_ stream: String, _ initial: () throws -> S?) rethrows -> S? {
        if let s = slots[stream] { return s.state }
        guard let s = try initial() else { return nil }
        let slot = Slot(s, dirty: false)
        slots[stream] = slot
        order.append((stream, slot))
        return s
    }

    /// Runs `body` on the state of `stream` in place (made from `initial` first when needed). Returns true when the
    /// state has just become dirty.
    mutating func fold(_ stream: String, _ initial: () throws -> S?, _ body: (inout S) -> Void) rethrows -> Bool {
        if let slot = slots[stream] {
            body(&slot.state)
            if slot.dirty { return false }
            slot.dirty = true
            return true
        }
        guard var s = try initial() else { return false }
        body(&s)
        let slot = Slot(s, dirty: true)
        slots[stream] = slot
        order.append((stream, slot))
        return true
    }

    /// The dirty states' kept bytes, encoded on all cores.
    func encodeDirty(_ streams: [String]?, _ encode: @Sendable (S) -> [UInt8]) -> [(stream: String, bytes: [UInt8])] {
        var dirty: [(String, Slot)] = []
        if let streams {
            for stream in streams { if let s = slots[stream], s.dirty { dirty.append((stream, s)) } }
        } else {
            for (stream, slot) in slots where slot.dirty { dirty.append((stream, slot)) }
        }
        return Parallel.map(dirty) { (stream, slot) in (stream, encode(slot.state)) }
    }

    /// Every state's kept bytes, keyed by stream name, in ascending byte order of the keys; encoded on all cores.
    func encodeAllSorted(_ encode: @Sendable (S) -> [UInt8]) -> [(key: [UInt8], value: [UInt8])] {
        // Sorting the names in the order they were first seen is nearly linear: the sort merges the runs it finds.
        let rows = order.map { (key: Array($0.stream.utf8), slot: $0.slot) }.sorted { ByteOrder.less($0.key, $1.key) }
        return Parallel.map(rows) { row in (row.key, encode(row.slot.state)) }
    }

    func clearDirty(_ streams: [String]) {
        if streams.count * 4 < slots.count {
            for stream in streams { slots[stream]?.dirty = false }
        } else {
            for slot in slots.values { slot.dirty = false }
        }
    }
}

extension CurrentStateFold: StateSource {
    public func ledger() throws -> LedgerState {
        try ledgers.get(StreamName.ledger) { try initial(StreamName.ledger) { if case .ledger(let s) = $0 { s } else { nil } } } ?? LedgerState()
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
        let stream = StreamName.lead(id)
        return try leads.get(stream) { try initial(stream) { if case .lead(let s) = $0 { s } else { nil } } } ?? LeadState(id: id)
    }
    public func policy() throws -> Policy {
        if let slot = ledgers.slots[StreamName.ledger] { return slot.state.policy }
        return try ledger().policy
    }
    public func leadHandoff(_ id: String) throws -> LeadHandoffFacts {
        // Read in place: copying the lead's state (with its handoff) for three fields cost a tenth of a rebuild's fold.
        let stream = StreamName.lead(id)
        if let slot = leads.slots[stream] {
            return LeadHandoffFacts(at: slot.state.handedOffAt, definition: slot.state.handoff?.definition,
                                    definitionVersion: slot.state.handoff?.definitionVersion)
        }
        return LeadHandoffFacts(try lead(id))
    }
    public func content(_ id: String) throws -> ContentState {
        if case .content(let s)? = try state(StreamName.content(id)) { return s }
        return ContentState(id: id)
    }
}

extension CurrentStateFold: ScorecardStateSource {
    public func leadScoring(_ id: String) throws -> LeadScoringFacts {
        // Read in place, as `leadHandoff`: the scorecard folds every decision and conversion through here.
        // Field by field: building the facts from a copy of the lead's state (with its handoff) cost a tenth of a rebuild.
        let stream = StreamName.lead(id)
        if let slot = leads.slots[stream] {
            return LeadScoringFacts(open: slot.state.status == .handedOff, at: slot.state.handedOffAt, by: slot.state.handedOffBy,
                                    owner: slot.state.handoff?.owner, campaign: slot.state.handoff?.campaign,
                                    definition: slot.state.handoff?.definition, definitionVersion: slot.state.handoff?.definitionVersion,
                                    met: slot.state.handoff?.evaluation?.met)
        }
        return LeadScoringFacts(try lead(id))
    }

    public func activations(of definition: String, version: Int) throws -> [ActivationSpan] {
        try self.definition(definition).activations.compactMap { a in
            a.version == version ? ActivationSpan(from: a.from, until: a.until, byOverride: a.override != nil) : nil
        }
    }
}

/// Writes kept states in their stored form, state by state (the storage layer's codec: `AlignmentLedger`'s
/// `KeptStateEncoder`); called on several threads at once.
public protocol KeptStateEncoding: Sendable {
    /// The kept bytes of the ledger stream's state.
    func encode(_ s: LedgerState) -> [UInt8]
    /// The kept bytes of a definition's state.
    func encode(_ s: DefinitionState) -> [UInt8]
    /// The kept bytes of a campaign's state.
    func encode(_ s: CampaignState) -> [UInt8]
    /// The kept bytes of a lead's state.
    func encode(_ s: LeadState) -> [UInt8]
    /// The kept bytes of a content item's state.
    func encode(_ s: ContentState) -> [UInt8]
}

/// LMDB's default key order: bytes compared as unsigned, a prefix before the longer key.
public enum ByteOrder {
    public static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let n = min(a.count, b.count)
        if n > 0 {
            let c = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in memcmp(pa.baseAddress!, pb.baseAddress!, n) } }
            if c != 0 { return c < 0 }
        }
        return a.count < b.count
    }
}
