/// Whether a stored event was within its actor's authority when it was written: what the log cannot know and a
/// signature does not say (a valid signature proves who wrote an event, not that they were allowed to). Checked for
/// every event folded from the log and by `verify`, against the ledger's state just before the event, so that an event
/// written into the ledger file by a key holder outside the rules (a salesperson registering a key for revops,
/// granting themselves roles, activating a definition they may not) is refused even though it is signed.
///
/// It checks the role table and the key rules; the other rules (quorum, separation of duties, lifecycles) are the
/// decider's, applied when a command is decided, and an event that breaks them can only be written raw by its signer.
public enum Authority {
    /// The roles that may record an event of this kind (revops may also record the overridable ones, with an override).
    public static func roles(_ e: DomainEvent) -> Set<Role> {
        switch e {
        case .ledgerInitialized, .actorRegistered, .actorRolesChanged, .actorDeactivated, .policyChanged, .signaturesRequired,
             .recordsImported: [.revops]
        case .actorKeyRegistered, .actorKeyRevoked: Set(Role.allCases)  // revops, or the key's own actor (below)
        case .definitionProposed: [.marketing, .sales]
        case .definitionSignedOff, .definitionRejected: [.sales]
        case .definitionActivated, .definitionRetired: [.marketing, .revops]
        case .campaignDrafted, .campaignReviewRequested, .campaignBriefPublished, .campaignLaunched, .campaignClosed: [.marketing]
        case .campaignReviewed: [.sales]
        case .leadHandedOff: [.marketing]
        case .leadAccepted, .leadRejected, .leadConverted, .leadRecycled: [.sales]
        case .contentPlanned, .contentRequestTriaged, .contentRequestFulfilled: [.marketing]
        case .contentRequested: [.sales]
        }
    }

    /// Nil when `actor` could record `event` at `position` given `ledger` (the state just before it), else why not.
    /// `genesis`: the event belongs to the ledger's creation (the transaction of position 1), before any actor exists.
    /// `importer`: the actor whose key signed the event as an import (a revops member taking it on, in the open); an
    /// import's override (a CRM import's flag on a rule the CRM's history broke) is theirs.
    public static func problem(_ event: DomainEvent, actor: String, position: UInt64, genesis: Bool, ledger: LedgerState,
                               importer: String? = nil) -> String? {
        if case .ledgerInitialized = event {
            return position == 1 && !ledger.initialized ? nil : "a ledger is initialised once, at position 1"
        }
        switch event {
        case .actorKeyRegistered(let k):
            guard let key = try? PublicKey(text: k.publicKey) else { return "the registered key is not a usable public key" }
            guard key.id == k.keyID else { return "the key id \(k.keyID) is not the id of the key registered (\(key.id))" }
            guard let proof = Base64URL.decode(k.proof), (try? KeyGrant(key: key, proof: proof).check(actor: k.actor)) != nil else {
                return "the key's proof of possession does not check for '\(k.actor)'"
            }
            if ledger.keys[k.keyID] != nil { return "key \(k.keyID) is registered already" }
            guard ledger.actors[k.actor] != nil || genesis else { return "key \(k.keyID) is registered for '\(k.actor)', who is not an actor" }
        case .actorKeyRevoked(let k):
            guard let r = ledger.keys[k.keyID], r.actor == k.actor else { return "key \(k.keyID) is not a key of '\(k.actor)'" }
        default: break
        }
        if genesis { return nil }
        guard let a = ledger.actors[actor], a.active else { return "'\(actor)' is not an active actor" }
        // One's own keys.
        if case .actorKeyRegistered(let k) = event, k.actor == actor { return nil }
        if case .actorKeyRevoked(let k) = event, k.actor == actor { return nil }
        let roles = Set(a.roles)
        if event.override != nil {
            let importerIsRevops = importer.flatMap { ledger.actors[$0] }.map { $0.active && $0.roles.contains(.revops) } ?? false
            if importerIsRevops, !roles.isDisjoint(with: Authority.roles(event)) { return nil }
            return roles.contains(.revops) ? nil : "an override is recorded by revops only; '\(actor)' has roles \(a.roles.map(\.rawValue).joined(separator: ", "))"
        }
        let allowed = Authority.roles(event)
        if case .actorKeyRegistered = event, !roles.contains(.revops) { return "only revops registers another actor's key" }
        if case .actorKeyRevoked = event, !roles.contains(.revops) { return "only revops revokes another actor's key" }
        return roles.isDisjoint(with: allowed)
            ? "\(event.type) is recorded by \(allowed.sorted().map(\.rawValue).joined(separator: " or ")); '\(actor)' has roles \(a.roles.map(\.rawValue).joined(separator: ", "))"
            : nil
    }
}

extension DomainEvent {
    /// The override an event records, if any.
    public var override: Override? {
        switch self {
        case .definitionActivated(let e): e.override
        case .campaignLaunched(let e): e.override
        case .leadHandedOff(let e): e.override
        case .contentRequestTriaged(let e): e.override
        default: nil
        }
    }
}
