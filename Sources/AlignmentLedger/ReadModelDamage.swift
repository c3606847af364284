import AlignmentDomain
import AlignmentProjections
import EventLog

/// A kept read model's row that a read cannot use: it does not decode, or it is not what its key says. A read never
/// skips such a row (its answer would be silently wrong): it fails, naming the model and the key.
public struct ReadModelDamage: Error, CustomStringConvertible, Sendable {
    /// The table, without `rm.` (`state`, `scorecard`, `audit-actor`, `audit-overrides`).
    public var model: String
    /// The row's key, readable.
    public var key: String
    /// What is wrong with it.
    public var reason: String

    public var description: String {
        "the kept read model rm.\(model) is damaged at \(key): \(reason). `align verify` reports the damage; "
            + "`align projections rebuild` rebuilds the read models from the log"
    }
}

extension AlignmentLedger {
    /// Decodes a kept row with `body`; any failure is `ReadModelDamage` naming the table and the key.
    static func modelRow<T>(_ table: String, _ key: [UInt8], _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as ReadModelDamage { throw e } catch {
            throw ReadModelDamage(model: table, key: describeKey(table, key), reason: "the row does not decode (\(error))")
        }
    }

    /// The domain event a stored event holds; nil only for a type (or schema version) this build does not know. A
    /// known type whose payload does not decode is damage (a record written by other means): thrown, never skipped.
    static func decodedKnown(_ e: RecordedEvent) throws -> DomainEvent? {
        guard DomainEvent.knows(type: e.type, schemaVersion: Int(e.schemaVersion)) else { return nil }
        do { return try DomainEvent.decode(type: e.type, schemaVersion: Int(e.schemaVersion), payload: e.payload) } catch {
            throw EventLogError.corrupt(position: e.position, reason: "its \(e.type) payload does not decode (\(error))")
        }
    }
}

extension EntityState {
    /// The kind of stream the state is of.
    var kindName: String {
        switch self {
        case .ledger: "ledger"
        case .definition: "definition"
        case .campaign: "campaign"
        case .lead: "lead"
        case .content: "content"
        }
    }
}
