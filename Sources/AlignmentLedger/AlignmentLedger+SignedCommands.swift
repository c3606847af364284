import AlignmentDomain
import AlignmentProjections
import EventLog
import Foundation

extension SignedCommand {
    /// The rule that refuses a signed command whose nonce (`key`) was used before.
    public static let nonceRule = "nonce-used-once"
}

extension AlignmentLedger {
    /// Runs a command its actor signed elsewhere (`SignedCommand`): checks the line, the key (registered, not revoked,
    /// the line's actor's) and the signature, refuses a nonce used before, then decides the command as its actor at
    /// the line's business time and appends its events, each carrying the signed command (`CommandSignatureField`).
    ///
    /// Every refusal writes nothing: malformed lines throw `DomainError.invalid` (usage), a key or signature that does
    /// not check `DomainError.refused` with rule `signed-by-actor`, a nonce used before rule `nonce-used-once` (naming
    /// the position of the event it recorded), and the domain's rules their own.
    ///
    /// A command that changes nothing records nothing, and its nonce stays unused. Until its business time falls out of
    /// the policy's backdating window (`max-backdate`), a signed command that was refused may still be sent again and
    /// succeed; a client that wants it dead sooner sends a new command with the same nonce.
    public func perform(signedCommand s: SignedCommand) throws -> CommandOutcome {
        let line = try s.parsed()
        try line.command.check()
        let firstID = applyEventID(line.key)
        if let e = try log.event(id: firstID) { throw AlignmentLedger.replayed(line.key, position: e.position) }
        // The Ed25519 check runs outside the writer, against the key as registered now; the writer checks the key again.
        let key = try AlignmentLedger.commandKey(s, actor: line.actor, ledger: try ledgerState())
        guard key.verifies(s.signature, of: SignedCommand.message(ledgerID: ledgerID, keyID: s.keyID, line: s.line)) else {
            throw DomainError.refused(rule: Rule.signature, message: "the signature does not check against key \(s.keyID) of '\(line.actor)' over this command line")
        }
        let field = CommandSignatureField(s).field
        let ledgerID = self.ledgerID
        return try withCurrentModels { tx, p in
            _ = try AlignmentLedger.commandKey(s, actor: line.actor, ledger: try p.state.ledger())
            let events = try Decider.decide(line.command, p.state, DecisionContext(actor: line.actor, at: line.at, recordedAt: tx.now.date, keyID: s.keyID))
            guard !events.isEmpty else {
                try p.flush(tx)
                return CommandOutcome(command: line.command, decided: [], recorded: [], head: tx.head)
            }
            let before = tx.head.position
            let r = try self.append(events, actor: line.actor, at: line.at, in: tx, projector: p, signer: nil,
                                    firstID: AlignmentLedger.applyEventID(ledgerID: ledgerID, key: line.key), commandField: field)
            // The log answers an id it holds with the stored event: the nonce was used meanwhile (throwing undoes this).
            if let first = r.first, first.position <= before { throw AlignmentLedger.replayed(line.key, position: first.position) }
            try p.flush(tx)
            return CommandOutcome(command: line.command, decided: events, recorded: r, head: tx.head)
        }
    }

    /// The public key of a signed command: registered, not revoked, and `actor`'s.
    static func commandKey(_ s: SignedCommand, actor: String, ledger: LedgerState) throws -> PublicKey {
        guard let record = ledger.keys[s.keyID] else {
            throw DomainError.refused(rule: Rule.signature, message: "key \(s.keyID) is not registered in this ledger; a revops member registers it with `align actor key add`")
        }
        guard record.actor == actor else {
            throw DomainError.refused(rule: Rule.signature, message: "key \(s.keyID) is '\(record.actor)'s, but it signs as '\(actor)'")
        }
        guard record.active else {
            throw DomainError.refused(rule: Rule.signature, message: "key \(s.keyID) of '\(actor)' was revoked at position \(record.revokedAt ?? 0)")
        }
        guard let key = try? PublicKey(text: record.publicKey) else {
            throw DomainError.refused(rule: Rule.signature, message: "key \(s.keyID) is not a usable public key")
        }
        return key
    }

    static func replayed(_ key: String, position: UInt64) -> DomainError {
        .refused(rule: SignedCommand.nonceRule, message: "the nonce \(key.debugDescription) was used by the command recorded at position \(position); sign the command again with a new \"key\"")
    }
}
