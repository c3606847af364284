// Signed commands: a command its actor signs away from the ledger (a script, a browser, a client of `align serve`),
// checked by the service against the actor's registered key, recorded with its signature, and checked again by
// `verify` and by every fold, which decide the command once more: whoever writes the ledger cannot forge an approval.
import Crypto
import Foundation
import Testing
@testable import AlignmentDomain
@testable import AlignmentLedger
import EventLog
import EventLogLMDB

/// ISO 8601 text of `d` (whole seconds), as a client writes a line's `at`.
func isoText(_ d: Date) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.string(from: d)
}

extension SignedFixture {
    /// Sam's sign-off of mql `version` as a line, at the next minute, with nonce `nonce`.
    func signOffLine(version: Int = 1, as actor: String = "sam", nonce: String = "n-1", comment: String = "fits") -> String {
        #"{"command": "definition.sign-off", "as": "\#(actor)", "at": "\#(isoText(nextTime))", "key": "\#(nonce)", "args": {"id": "mql", "version": \#(version), "comment": "\#(comment)"}}"#
    }

    /// `line` signed for this ledger by `key`.
    func sign(_ line: String, by key: EventSigner) throws -> SignedCommand {
        try SignedCommand.sign(line: Array(line.utf8), ledgerID: ledger.ledgerID, with: key)
    }

    /// Expects `body` to throw a refusal (or usage error) naming `rule` (nil: a usage error), and nothing to be written.
    func expectRefused(_ rule: String?, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) throws {
        let head = try ledger.head()
        do {
            try body()
            Issue.record("expected a refusal", sourceLocation: sourceLocation)
        } catch let e as DomainError {
            if let rule { #expect(e.rule == rule, "\(e)", sourceLocation: sourceLocation) } else {
                guard case .invalid = e else { Issue.record("expected a usage error, got \(e)", sourceLocation: sourceLocation); return }
            }
            #expect(e.description.contains(fragment), "\(e)", sourceLocation: sourceLocation)
        }
        #expect(try ledger.head() == head, "nothing was written", sourceLocation: sourceLocation)
    }
}

@Suite("Signed commands: signed by their actor away from the ledger")
struct SignedCommandTests {
    @Test func aGoodSignatureIsAppendedRecordedAndVerified() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            try f.propose()
            let sam = try #require(f.signers["sam"])
            let s = try f.sign(f.signOffLine(), by: sam)
            let outcome = try f.ledger.perform(signedCommand: s)
            let e = try #require(outcome.recorded.first)
            #expect(outcome.recorded.count == 1 && e.type == "LeadDefinitionSignedOff" && e.actor == "sam")
            #expect(e.id == f.ledger.applyEventID("n-1"), "the nonce names the first event")
            #expect(CommandSignatureField(field: e.signature)?.command == s, "the event carries the signed command")
            #expect(try f.ledger.definition("mql").versions.first?.signOffs.map(\.actor) == ["sam"])
            let v = try f.verify()
            #expect(v.ok, "\(v.lines)")
            #expect(v.signatures?.signed == v.events, "the command-signed event counts as signed")
            // A rebuild (a fold from position 1, deciding the command again) and a fresh process's catch-up believe it.
            try f.ledger.rebuild(progress: nil)
            let reopened = try AlignmentLedger.open(at: dir)
            try reopened.execute(.definitionActivate(id: "mql", version: 1, override: nil), as: "maria", at: f.nextTime, signer: f.signers["maria"])
            #expect(try f.verify().ok)
        }
    }

    @Test func aCommandOfSeveralEventsCarriesItsSignatureInEach() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            // A key rotation decides two events: the new key registered, the old one revoked.
            let sam = try #require(f.signers["sam"])
            let next = try ActorKey(generatingFor: "sam")
            let grant = try next.grant
            let line = #"{"args": {"actor": "sam", "key": "\#(grant.key.text)", "proof": "\#(Base64URL.encode(grant.proof))"}, "as": "sam", "at": "\#(isoText(f.nextTime))", "command": "actor.key-rotate", "key": "rotate-1"}"#
            let outcome = try f.ledger.perform(signedCommand: try f.sign(line, by: sam))
            #expect(outcome.recorded.map(\.type) == ["ActorKeyRegistered", "ActorKeyRevoked"])
            #expect(Set(outcome.recorded.map(\.signature)).count == 1)
            let v = try f.verify()
            #expect(v.ok, "\(v.lines)")
            // The old key signs nothing more.
            try f.propose()
            try f.expectRefused(Rule.signature, "revoked") { _ = try f.ledger.perform(signedCommand: try f.sign(f.signOffLine(), by: sam)) }
            #expect(try f.ledger.perform(signedCommand: try f.sign(f.signOffLine(), by: next)).recorded.count == 1)
        }
    }

    @Test func badSignaturesKeysAndNoncesAreRefusedAndWriteNothing() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            try f.propose()
            let sam = try #require(f.signers["sam"]), sofia = try #require(f.signers["sofia"])
            let stranger = try ActorKey(generatingFor: "sam")

            // A key that is not registered.
            try f.expectRefused(Rule.signature, "not registered") { _ = try f.ledger.perform(signedCommand: try f.sign(f.signOffLine(), by: stranger)) }
            // The wrong key: signed by another key under sam's key id.
            var wrong = try f.sign(f.signOffLine(), by: stranger)
            wrong.keyID = sam.keyID
            try f.expectRefused(Rule.signature, "does not check") { _ = try f.ledger.perform(signedCommand: wrong) }
            // Another actor's key: sofia signs a line saying sam.
            try f.expectRefused(Rule.signature, "is 'sofia's") { _ = try f.ledger.perform(signedCommand: try f.sign(f.signOffLine(), by: sofia)) }
            // A tampered command: the version changed after signing.
            var tampered = try f.sign(f.signOffLine(version: 1), by: sam)
            tampered.line = Array(String(decoding: tampered.line, as: UTF8.self).replacingOccurrences(of: "\"version\":1", with: "\"version\":2").utf8)
            try f.expectRefused(Rule.signature, "does not check") { _ = try f.ledger.perform(signedCommand: tampered) }
            // Another ledger's signature.
            let elsewhere = try SignedCommand.sign(line: Array(f.signOffLine().utf8), ledgerID: UUID(), with: sam)
            try f.expectRefused(Rule.signature, "does not check") { _ = try f.ledger.perform(signedCommand: elsewhere) }

            // A replayed nonce: the same command, or another one under the same nonce.
            let good = try f.sign(f.signOffLine(), by: sam)
            let first = try #require(try f.ledger.perform(signedCommand: good).recorded.first)
            try f.expectRefused(SignedCommand.nonceRule, "position \(first.position)") { _ = try f.ledger.perform(signedCommand: good) }
            try f.run(.definitionPropose(id: "mql", title: "MQL 2", fit: [Criterion(field: "employees", op: ">=", values: ["100"])], engagement: [],
                                         rationale: nil), as: "maria")
            try f.expectRefused(SignedCommand.nonceRule, "was used") {
                _ = try f.ledger.perform(signedCommand: try f.sign(f.signOffLine(version: 2), by: sam))
            }
            // The rules still apply: a sign-off by marketing is refused by its rule.
            try f.expectRefused(Rule.role, "sales") {
                _ = try f.ledger.perform(signedCommand: try f.sign(f.signOffLine(version: 2, as: "maria", nonce: "m-1"), by: try #require(f.signers["maria"])))
            }
            #expect(try f.verify().ok)
        }
    }

    @Test func malformedLinesAreUsageErrors() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            try f.propose()
            let sam = try #require(f.signers["sam"])
            let at = isoText(f.nextTime)
            func line(_ text: String) -> SignedCommand {
                let bytes = Array(text.utf8)
                return SignedCommand(line: bytes, keyID: sam.keyID, signature: (try? sam.sign(SignedCommand.message(ledgerID: f.ledger.ledgerID, keyID: sam.keyID, line: bytes))) ?? [])
            }
            try f.expectRefused(nil, "canonical") {
                _ = try f.ledger.perform(signedCommand: line(#"{"command": "lead.accept", "as": "sam", "at": "\#(at)", "key": "k", "args": {"id": "L-1"}}"#))
            }
            try f.expectRefused(nil, "\"key\"") {
                _ = try f.ledger.perform(signedCommand: line(#"{"args":{"id":"L-1"},"as":"sam","at":"\#(at)","command":"lead.accept"}"#))
            }
            try f.expectRefused(nil, "\"at\"") {
                _ = try f.ledger.perform(signedCommand: line(#"{"args":{"id":"L-1"},"as":"sam","command":"lead.accept","key":"k"}"#))
            }
            try f.expectRefused(nil, "\"as\"") {
                _ = try f.ledger.perform(signedCommand: line(#"{"args":{"id":"L-1"},"at":"\#(at)","command":"lead.accept","key":"k"}"#))
            }
            try f.expectRefused(nil, "unknown") {
                _ = try f.ledger.perform(signedCommand: line(#"{"args":{"id":"L-1"},"as":"sam","at":"\#(at)","command":"lead.explode","key":"k"}"#))
            }
            // The envelope a client sends.
            #expect(throws: DomainError.self) { try SignedCommand(json: Array(#"{"line": {}, "keyId": "00", "signature": ""}"#.utf8)) }
            let s = try f.sign(f.signOffLine(), by: sam)
            #expect(try SignedCommand(json: try s.json()) == s)
        }
    }

    @Test func aSignInIsTheActorsKeyOverTheChallenge() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            let sam = try #require(f.signers["sam"]), sofia = try #require(f.signers["sofia"])
            let challenge = Array(repeating: UInt8(9), count: SignIn.challengeBytes)
            try f.ledger.checkSignIn(try SignIn.sign(challenge: challenge, ledgerID: f.ledger.ledgerID, with: sam))
            var other = try SignIn.sign(challenge: challenge, ledgerID: f.ledger.ledgerID, with: sofia)
            other.actor = "sam"
            #expect(throws: DomainError.self) { try f.ledger.checkSignIn(other) }
            var another = try SignIn.sign(challenge: challenge, ledgerID: f.ledger.ledgerID, with: sam)
            another.challenge[0] ^= 1
            #expect(throws: DomainError.self) { try f.ledger.checkSignIn(another) }
            // A command signature is not a sign-in (domain separation), nor is another ledger's sign-in.
            #expect(throws: DomainError.self) { try f.ledger.checkSignIn(try SignIn.sign(challenge: challenge, ledgerID: UUID(), with: sam)) }
            try f.run(.actorDeactivate(id: "sam"), as: "rita")
            #expect(throws: DomainError.self) { try f.ledger.checkSignIn(try SignIn.sign(challenge: challenge, ledgerID: f.ledger.ledgerID, with: sam)) }
            #expect(try SignIn(json: try SignIn.sign(challenge: challenge, ledgerID: f.ledger.ledgerID, with: sofia).json()).actor == "sofia")
        }
    }

    // MARK: forgeries written into the file

    @Test func verifyCatchesACommandSignatureAltered() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            try f.propose()
            try f.propose("sql")
            let sam = try #require(f.signers["sam"])
            // Sam signed a sign-off of sql; the record written carries it with one bit of the signature flipped.
            let s = try f.sign(f.signOffLine(nonce: "forged").replacingOccurrences(of: "\"mql\"", with: "\"sql\""), by: sam)
            var altered = s
            altered.signature[5] ^= 1
            try f.forge([try f.commandEvent(.definitionSignedOff(LeadDefinitionSignedOff(definition: "sql", version: 1, comment: "fits")), altered)])
            try f.expectForgeryCaught("does not check")
        }
    }

    @Test func aSignedCommandCannotCarryAnEventItDoesNotDecide() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            try f.propose()
            try f.propose("sql")
            let sam = try #require(f.signers["sam"])
            // Sam's genuine signed sign-off of sql, recorded (by whoever writes the file) as a sign-off of mql.
            let s = try f.sign(f.signOffLine(nonce: "real").replacingOccurrences(of: "\"mql\"", with: "\"sql\""), by: sam)
            try f.forge([try f.commandEvent(.definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 1, comment: "fits")), s)])
            try f.expectForgeryCaught("not what its signed command decides")
        }
    }

    @Test func aSignedCommandCannotBeRecordedWithoutAllItsEvents() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            // Sam's rotation decides two events (the new key registered, the old revoked); only the first is written,
            // so the old key would stay active.
            let sam = try #require(f.signers["sam"])
            let next = try ActorKey(generatingFor: "sam")
            let grant = try next.grant
            let line = #"{"args": {"actor": "sam", "key": "\#(grant.key.text)", "proof": "\#(Base64URL.encode(grant.proof))"}, "as": "sam", "at": "\#(isoText(f.nextTime))", "command": "actor.key-rotate", "key": "rotate-1"}"#
            let s = try f.sign(line, by: sam)
            let registered = try f.commandEvent(.actorKeyRegistered(ActorKeyRegistered(actor: "sam", keyID: grant.key.id, publicKey: grant.key.text,
                                                                                       proof: Base64URL.encode(grant.proof), replaces: sam.keyID)), s)
            try f.forge([registered])
            try f.expectForgeryCaught("decides 1 more event")
        }
    }

    @Test func aSignedCommandCannotBeRecordedTwice() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            try f.propose()
            let sam = try #require(f.signers["sam"])
            let s = try f.sign(f.signOffLine(), by: sam)
            let real = try #require(try f.ledger.perform(signedCommand: s).recorded.first)
            // The same command written again under another event id: not its first event, and nothing before it to follow.
            var copy = try f.commandEvent(.definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 1, comment: "fits")), s)
            copy.event.id = UUID()
            copy.event.occurredAt = real.occurredAt
            try f.forge([copy])
            try f.expectForgeryCaught("neither the command's first event")
        }
    }
}

extension SignedFixture {
    /// An event for `domain` carrying the signed command `s` (its id derived from the nonce, its actor and business time
    /// the line's), to append straight through the event log, as a writer of the file could.
    func commandEvent(_ domain: DomainEvent, _ s: SignedCommand) throws -> (stream: String, event: ProposedEvent) {
        let line = try s.parsed()
        var p = ProposedEvent(type: domain.type, occurredAt: Timestamp(line.at), actor: line.actor, payload: try domain.canonicalPayload())
        p.id = ledger.applyEventID(line.key)
        p.signature = CommandSignatureField(s).field
        return (domain.stream, p)
    }
}
