// Who did it: keys as events, signed records, and what an attacker with write access to the ledger directory can do
// about it. Each forgery appends records through the event log itself (so the hash chain is recomputed, as an
// attacker following docs/FORMAT.md would), and must fail `verify` and be refused by the read models' catch-up.
import Crypto
import Foundation
import Testing
@testable import AlignmentDomain
@testable import AlignmentLedger
import EventLog
import EventLogLMDB
import SplitMix

/// A signed ledger on disk with rita (revops), maria (marketing), sam and sofia (sales), each with a key.
final class SignedFixture {
    let path: String
    let keys: KeyStore
    let ledger: AlignmentLedger
    var signers: [String: ActorKey] = [:]
    /// The log's clock follows the business clock (recorded as it happens).
    let clock = TestClock(ledgerT0)
    private var minute = 0

    init(path: String) throws {
        self.path = path
        keys = KeyStore(directory: path + ".keys")
        let rita = try keys.generate(for: "rita")
        signers["rita"] = rita
        (ledger, _) = try AlignmentLedger.create(at: path, admin: "rita", name: "Rita", at: ledgerT0, key: rita, clock: clock.read)
        for (a, role) in [("maria", Role.marketing), ("sam", .sales), ("sofia", .sales)] {
            let k = try keys.generate(for: a)
            signers[a] = k
            try run(.actorAdd(id: a, name: a.capitalized, roles: [role], key: try k.grant), as: "rita")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: keys.directory) }

    var nextTime: Date {
        minute += 1
        let t = ledgerT0.addingTimeInterval(Double(minute) * 60)
        clock.set(t)
        return t
    }

    @discardableResult
    func run(_ c: Command, as actor: String, signer: EventSigner? = nil) throws -> [RecordedEvent] {
        try ledger.execute(c, as: actor, at: nextTime, signer: signer ?? signers[actor])
    }

    /// A proposal by maria, the usual first step.
    func propose(_ id: String = "mql") throws {
        try run(.definitionPropose(id: id, title: "MQL", fit: [Criterion(field: "employees", op: ">=", values: ["200"])], engagement: [],
                                   rationale: nil), as: "maria")
    }

    /// Appends `events` straight through the event log (chain recomputed), as an attacker with write access could.
    func forge(_ events: [(stream: String, event: ProposedEvent)]) throws {
        let log = try EventLog.open(at: path)
        for (stream, e) in events { try log.append(to: stream, [e]) }
    }

    /// A proposed event for `domain`, signed by `key` (as `keyID`, for the event's `actor`) over `ledgerID`.
    func signed(_ domain: DomainEvent, actor: String, by key: ActorKey?, keyID: String? = nil, ledgerID: UUID? = nil,
                stream: String? = nil, imported: Bool = false) throws -> (stream: String, event: ProposedEvent) {
        let at = Timestamp(nextTime)
        var p = ProposedEvent(type: domain.type, occurredAt: at, actor: actor, payload: try domain.canonicalPayload())
        let s = stream ?? domain.stream
        if let key {
            let id = keyID ?? key.keyID
            let head = try ledger.head()  // the forgery is appended right after the head
            let m = EventSignature.message(ledgerID: ledgerID ?? ledger.ledgerID, position: head.position + 1, previous: head.hash, id: p.id,
                                           stream: s, type: p.type, schemaVersion: 1, occurredAt: at, actor: actor, keyID: id,
                                           imported: imported, correlationID: nil, causationID: nil, payload: p.payload)
            p.signature = EventSignature(keyID: id, imported: imported, signature: try key.sign(m)).field
        }
        return (s, p)
    }

    /// `verify`'s answer (reading the ledger afresh).
    func verify() throws -> VerifyAnswer { try ledger.verifyAnswer(checkpoint: nil) }

    /// Expects `verify` to fail at the last event, and the next command to refuse to fold it (exit 3: storage).
    func expectForgeryCaught(_ why: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let head = try ledger.head().position
        let v = try verify()
        #expect(!v.ok && v.firstBadPosition == head, "\(why): \(v.lines)", sourceLocation: sourceLocation)
        #expect(v.reason?.contains(why) == true, "\(v.reason ?? "")", sourceLocation: sourceLocation)
        let reopened = try AlignmentLedger.open(at: path)
        #expect(throws: (any Error).self, sourceLocation: sourceLocation) {
            try reopened.execute(.definitionPropose(id: "after", title: "T", fit: [Criterion(field: "a", op: "=", values: ["b"])],
                                                    engagement: [], rationale: nil), as: "maria", signer: self.signers["maria"])
        }
        #expect(try ledger.head().position == head, "nothing was written after the forgery", sourceLocation: sourceLocation)
    }
}

@Suite("Signatures: keys, signed events, forgeries")
struct SignatureTests {
    // MARK: keys

    @Test func keyFilesArePrivateAndNeverOverwritten() throws {
        try withLedgerDirectory { dir in
            let store = KeyStore(directory: dir + "/keys")
            let k = try store.generate(for: "sam")
            var st = stat()
            #expect(stat(store.path(of: "sam"), &st) == 0 && st.st_mode & 0o777 == 0o600)
            #expect(stat(store.directory, &st) == 0 && st.st_mode & 0o777 == 0o700)
            #expect(try store.load("sam").keyID == k.keyID)
            // Never overwritten.
            #expect(throws: KeyFileError.self) { try store.generate(for: "sam") }
            #expect(try store.load("sam").keyID == k.keyID)
            // A file group or others may read is not used (as ssh).
            chmod(store.path(of: "sam"), 0o640)
            #expect { try store.load("sam") } throws: { e in
                guard case KeyFileError.insecure = e else { return false }
                return true
            }
            chmod(store.path(of: "sam"), 0o600)
            // Someone else's key under your name, a damaged file, no file.
            try FileManager.default.copyItem(atPath: store.path(of: "sam"), toPath: store.path(of: "eve"))
            #expect(throws: KeyFileError.self) { try store.load("eve") }
            #expect { try store.load("nobody") } throws: { e in
                guard case KeyFileError.missing = e else { return false }
                return true
            }
            try "align-key v1\nactor: bob\nprivate-key: !!!\n".write(toFile: store.path(of: "bob"), atomically: false, encoding: .utf8)
            chmod(store.path(of: "bob"), 0o600)
            #expect(throws: KeyFileError.self) { try store.load("bob") }
        }
    }

    @Test func aKeyKeptUnderAPassphraseOpensOnlyWithIt() throws {
        try withLedgerDirectory { dir in
            let sealed = KeyStore(directory: dir + "/keys", passphrase: "correct horse battery staple")
            let k = try sealed.generate(for: "sam")
            let text = try String(contentsOfFile: sealed.path(of: "sam"), encoding: .utf8)
            #expect(text.contains("encrypted-private-key: scrypt-chachapoly:") && !text.contains("\nprivate-key:"))
            #expect(try sealed.load("sam").keyID == k.keyID)
            #expect { try KeyStore(directory: dir + "/keys").load("sam") } throws: { e in
                if case KeyFileError.passphrase(_, false) = e { return true }
                return false
            }
            #expect { try KeyStore(directory: dir + "/keys", passphrase: "wrong").load("sam") } throws: { e in
                if case KeyFileError.passphrase(_, true) = e { return true }
                return false
            }
        }
    }

    @Test func base64urlRoundTripsWithoutPadding() {
        #expect(Base64URL.encode(Array("foo".utf8)) == "Zm9v" && Base64URL.encode(Array("fo".utf8)) == "Zm8" && Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF] && Base64URL.decode("Zg") == Array("f".utf8))
        #expect(Base64URL.decode("+/8") == nil && Base64URL.decode("Zg==") == nil && Base64URL.decode("Z") == nil)
        var rng = SplitMix64(seed: 5)
        for n in 0..<200 {
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text) == bytes)
        }
    }

    /// swift-crypto accepts the identity point as a public key, and then a signature with R = identity and S = 0
    /// verifies for every message: such keys (and the other points of small order) must never be registered.
    @Test func smallOrderKeysAreRefused() throws {
        var identity = [UInt8](repeating: 0, count: 32)
        identity[0] = 1
        let weak = try Curve25519.Signing.PublicKey(rawRepresentation: identity)
        let zero = identity + [UInt8](repeating: 0, count: 32)
        #expect(weak.isValidSignature(zero, for: Array("anything at all".utf8)), "the danger: a signature by this key proves nothing")
        let order8 = "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"
        var encodings: [[UInt8]] = [identity, [UInt8](repeating: 0, count: 32), stride(from: 0, to: 64, by: 2).map {
            UInt8(order8[order8.index(order8.startIndex, offsetBy: $0)..<order8.index(order8.startIndex, offsetBy: $0 + 2)], radix: 16)!
        }]
        encodings += encodings.map { var e = $0; e[31] |= 0x80; return e }  // the same points with the sign bit set
        for e in encodings {
            #expect(throws: DomainError.self) { try PublicKey(raw: e) }
            #expect(throws: DomainError.self) { try PublicKey(text: "ed25519:" + Base64URL.encode(e)) }
        }
        #expect(throws: DomainError.self) { try PublicKey(raw: [1, 2, 3]) }
        // A real key reads, and its id is stable.
        let k = try ActorKey(generatingFor: "sam")
        #expect(try PublicKey(text: k.publicKey.text) == k.publicKey && k.keyID.count == 16)
    }

    @Test func registrationNeedsProofOfPossession() throws {
        let sam = try ActorKey(generatingFor: "sam"), eve = try ActorKey(generatingFor: "eve")
        // Eve's proof for sam's key, sam's proof offered for eve: both refused.
        let stolen = KeyGrant(key: sam.publicKey, proof: try eve.sign(KeyProof.message(actor: "sam", key: sam.publicKey)))
        #expect(throws: DomainError.self) { try stolen.check(actor: "sam") }
        #expect(throws: DomainError.self) { try sam.grant.check(actor: "eve") }
        try sam.grant.check(actor: "sam")
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            let before = try f.ledger.head()
            #expect(throws: DomainError.self) { try f.run(.actorAdd(id: "eve", name: "Eve", roles: [.sales], key: stolen), as: "rita") }
            // The same key twice (to another actor) is refused as well.
            #expect(throws: DomainError.self) { try f.run(.actorKeyAdd(actor: "sofia", key: try f.signers["sam"]!.grant), as: "rita") }
            #expect(try f.ledger.head() == before)
        }
    }

    // MARK: the lifecycle

    @Test func keysAreRegisteredRotatedAndRevokedAsEvents() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            try f.propose()
            try f.run(.definitionSignOff(id: "mql", version: 1, comment: nil), as: "sam")
            let old = try #require(f.signers["sam"])
            // Sam rotates his own key (signed by the old one): the old key is revoked in the same command.
            let new = try ActorKey(generatingFor: "sam")
            let rotated = try f.run(.actorKeyRotate(actor: "sam", key: try new.grant), as: "sam")
            #expect(rotated.map(\.type) == ["ActorKeyRegistered", "ActorKeyRevoked"])
            let keys = try f.ledger.ledgerState().keys
            #expect(keys[new.keyID]?.active == true && keys[old.keyID]?.active == false)
            // The old key signs nothing any more; the new one does.
            try f.propose("sql")
            let head = try f.ledger.head()
            #expect { try f.run(.definitionSignOff(id: "sql", version: 1, comment: nil), as: "sam", signer: old) } throws: { e in
                (e as? DomainError)?.rule == Rule.signature
            }
            #expect(try f.ledger.head() == head)
            try f.run(.definitionSignOff(id: "sql", version: 1, comment: nil), as: "sam", signer: new)
            // Revoked by revops: sam can no longer act until a new key is registered.
            try f.run(.actorKeyRevoke(actor: "sam", keyID: new.keyID, reason: "laptop lost"), as: "rita")
            #expect(throws: DomainError.self) { try f.run(.definitionPropose(id: "x", title: "X", fit: [Criterion(field: "a", op: "=", values: ["b"])], engagement: [], rationale: nil), as: "sam", signer: new) }
            // Only revops or the key's owner manage keys; the last revops key cannot be revoked.
            #expect(throws: DomainError.self) { try f.run(.actorKeyRevoke(actor: "sofia", keyID: f.signers["sofia"]!.keyID, reason: nil), as: "maria") }
            #expect(throws: DomainError.self) { try f.run(.actorKeyRevoke(actor: "rita", keyID: f.signers["rita"]!.keyID, reason: nil), as: "rita") }
            // Everything so far is signed, by the 4 keys that acted (rita, maria, sam twice; sofia never acted), and verifies.
            let v = try f.verify()
            #expect(v.ok, "\(v.lines)")
            let last = try f.ledger.head().position
            #expect(v.signatures?.unsigned == 0 && v.signatures?.signed == last && v.signatures?.keys == 4)
        }
    }

    @Test func unsignedAndMisSignedCommandsAreRefusedAndWriteNothing() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            let head = try f.ledger.head()
            let propose = Command.definitionPropose(id: "mql", title: "T", fit: [Criterion(field: "a", op: "=", values: ["b"])], engagement: [], rationale: nil)
            // No key at hand.
            #expect { try f.ledger.execute(propose, as: "maria", at: ledgerT0, signer: nil) } throws: { e in
                (e as? DomainError)?.rule == Rule.signature && "\(e)".contains("align key generate")
            }
            // Sam's key, acting as maria.
            #expect(throws: DomainError.self) { try f.ledger.execute(propose, as: "maria", at: ledgerT0, signer: f.signers["sam"]) }
            // A key nobody registered.
            #expect(throws: DomainError.self) { try f.ledger.execute(propose, as: "maria", at: ledgerT0, signer: try ActorKey(generatingFor: "maria")) }
            #expect(try f.ledger.head() == head)
        }
    }

    @Test func anUnsignedLedgerKeepsItsHistoryAndTurnsSignaturesOnWithOneEvent() throws {
        try withLedgerDirectory { dir in
            let f = try Fixture(path: dir)  // as ledgers were before signatures
            try f.run(.actorAdd(id: "maria", name: "Maria", roles: [.marketing]), as: "rita")
            let rita = try ActorKey(generatingFor: "rita")
            // Requiring signatures must itself be signed.
            #expect(throws: DomainError.self) { try f.run(.policyRequireSignatures, as: "rita") }
            try f.ledger.execute(.actorKeyAdd(actor: "rita", key: try rita.grant), as: "rita", at: f.nextTime)
            try f.ledger.execute(.policyRequireSignatures, as: "rita", at: f.nextTime, signer: rita)
            // From here, unsigned actions are refused; the unsigned history stays readable and verifies.
            #expect(throws: DomainError.self) { try f.run(.actorAdd(id: "sam", name: "Sam", roles: [.sales]), as: "rita") }
            try f.ledger.execute(.actorAdd(id: "sam", name: "Sam", roles: [.sales]), as: "rita", at: f.nextTime, signer: rita)
            let v = try f.ledger.verifyAnswer(checkpoint: nil)
            #expect(v.ok, "\(v.lines)")
            #expect(v.signatures?.unsigned == 5 && v.signatures?.signed == 2)
            // Asking again records nothing.
            #expect(try f.ledger.execute(.policyRequireSignatures, as: "rita", at: f.nextTime, signer: rita).isEmpty)
        }
    }

    // MARK: imports

    @Test func linesWithoutTheirActorsKeyAreRefusedOrImportedInTheOpen() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            try f.run(.actorAdd(id: "max", name: "Max", roles: [.sales]), as: "rita")  // no key of his on this machine
            try f.propose()
            let items = [ApplyItem(line: 1, command: .definitionSignOff(id: "mql", version: 1, comment: "from the CRM"), actor: "max", at: f.nextTime),
                         ApplyItem(line: 2, command: .definitionSignOff(id: "mql", version: 1, comment: nil), actor: "sam", at: f.nextTime)]
            let signers: [String: EventSigner] = ["sam": f.signers["sam"]!]
            let head = try f.ledger.head()
            // Without an import, max's line is refused (and nothing of the file is written).
            #expect { try f.ledger.apply(items, signers: signers) } throws: { e in
                (e as? ApplyError)?.problems.map(\.0) == [1]
            }
            // A salesperson cannot take it on.
            #expect(throws: (any Error).self) {
                try f.ledger.apply(items, signers: signers, importing: ImportAuthority(signer: f.signers["sam"]!, source: "crm.csv", reason: "sync"))
            }
            #expect(try f.ledger.head() == head)
            // Rita does: she records the import, then signs max's line as an import caused by that record.
            let out = try f.ledger.apply(items, signers: signers, importing: ImportAuthority(signer: f.signers["rita"]!, source: "crm.csv", reason: "weekly sync"))
            #expect(out.map(\.type) == ["RecordsImported", "LeadDefinitionSignedOff", "LeadDefinitionSignedOff"])
            let record = out[0], maxs = out[1], sams = out[2]
            #expect(maxs.actor == "max" && EventSignature(field: maxs.signature)?.imported == true && maxs.causationID == record.id)
            #expect(EventSignature(field: maxs.signature)?.keyID == f.signers["rita"]!.keyID)
            #expect(EventSignature(field: sams.signature)?.imported == false && sams.causationID == nil)
            // Audits say who imported it, and from where; verify counts it.
            let audit = try f.ledger.auditActor("max")
            #expect(audit.lines.contains { $0.contains("imported by rita from crm.csv: max") }, "\(audit.lines)")
            let v = try f.verify()
            #expect(v.ok && v.signatures?.imported == 1, "\(v.lines)")
        }
    }

    // MARK: forgeries (records appended with the chain recomputed)

    @Test func aSignOffByAnActorThatDoesNotExistFailsVerify() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            try f.propose()
            let ghost = try ActorKey(generatingFor: "ghost")
            try f.forge([try f.signed(.definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 1, comment: nil)), actor: "ghost", by: ghost)])
            try f.expectForgeryCaught("'ghost' is not an active actor")
        }
    }

    /// A CRM import's flag is an override only revops may carry: maria, with her own key and write access to the ledger
    /// directory, cannot pass a forced handoff off as a flagged import, signed as herself or flagged "imported".
    @Test func aMarketerCannotForgeAFlaggedImport() throws {
        for asImport in [false, true] {
            try withLedgerDirectory { dir in
                let f = try SignedFixture(path: dir)
                try f.propose()
                try f.run(.definitionSignOff(id: "mql", version: 1, comment: nil), as: "sam")
                try f.run(.definitionActivate(id: "mql", version: 1, override: nil), as: "maria")
                let forged = LeadHandedOff(lead: "L-1", definition: "mql", definitionVersion: 1, owner: "sam", profile: ["employees": "5"], signals: [],
                                           override: Override(reason: "flagged import from salesforce:Lead/00Q1: not met", rule: Rule.offDefinition),
                                           source: "salesforce:Lead/00Q1")
                try f.forge([try f.signed(.leadHandedOff(forged), actor: "maria", by: f.signers["maria"], imported: asImport)])
                try f.expectForgeryCaught("an override is recorded by revops only")
            }
        }
    }

    @Test func aForgedRevopsActorCannotActFromTheLedgerDirectory() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            // Mallory writes her own registration as revops, unsigned (she has no registered key)...
            try f.forge([try f.signed(.actorRegistered(ActorRegistered(actor: "mallory", name: "Mallory", roles: [.revops])), actor: "rita", by: nil)])
            try f.expectForgeryCaught("not signed")
        }
    }

    @Test func eventsSignedWithTheWrongKeyOrOutOfPlaceFailVerify() throws {
        let cases: [(String, (SignedFixture) throws -> (stream: String, event: ProposedEvent))] = [
            ("is 'sam's", { f in  // sam's key, signing as sofia
                try f.signed(.definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 1, comment: nil)), actor: "sofia", by: f.signers["sam"]!)
            }),
            ("does not check", { f in  // signed for another ledger
                try f.signed(.definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 1, comment: nil)), actor: "sam", by: f.signers["sam"]!,
                             ledgerID: UUID())
            }),
            ("does not check", { f in  // signed for another stream, stored in this one
                try f.signed(.definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 1, comment: nil)), actor: "sam", by: f.signers["sam"]!)
                    .event.withStream("definition/other", from: f)
            }),
            ("does not check", { f in  // one byte of the signature changed
                var e = try f.signed(.definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 1, comment: nil)), actor: "sam", by: f.signers["sam"]!)
                e.event.signature[40] ^= 1
                return e
            }),
            ("not registered", { f in  // a key registered only later (its registration is not in the log yet)
                try f.signed(.definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 1, comment: nil)), actor: "sam",
                             by: try ActorKey(generatingFor: "sam"))
            }),
            ("not an active revops", { f in  // an "import" signed by sales
                try f.signed(.definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 1, comment: nil)), actor: "sofia", by: f.signers["sam"]!,
                             imported: true)
            }),
        ]
        for (why, make) in cases {
            try withLedgerDirectory { dir in
                let f = try SignedFixture(path: dir)
                try f.propose()
                try f.forge([try make(f)])
                try f.expectForgeryCaught(why)
            }
        }
    }

    // MARK: signed, but outside the signer's authority (the security review's attacks)

    @Test func aSalespersonCannotRegisterAKeyForRevopsOrGrantThemselvesRoles() throws {
        // A1: sam registers a key of his for rita; A2: sam gives himself revops. Both signed by sam's real key.
        let attempts: [(String, (SignedFixture) throws -> (stream: String, event: ProposedEvent))] = [
            ("only revops registers another actor's key", { f in
                let mine = try ActorKey(generatingFor: "rita")
                let g = try mine.grant
                return try f.signed(.actorKeyRegistered(ActorKeyRegistered(actor: "rita", keyID: g.key.id, publicKey: g.key.text,
                                                                           proof: Base64URL.encode(g.proof))), actor: "sam", by: f.signers["sam"]!)
            }),
            ("ActorRolesChanged is recorded by revops", { f in
                try f.signed(.actorRolesChanged(ActorRolesChanged(actor: "sam", roles: [.sales, .revops])), actor: "sam", by: f.signers["sam"]!)
            }),
            ("LeadDefinitionSignedOff is recorded by sales", { f in
                try f.signed(.definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 1, comment: nil)), actor: "maria", by: f.signers["maria"]!)
            }),
            ("an override is recorded by revops only", { f in
                try f.signed(.definitionActivated(LeadDefinitionActivated(definition: "mql", version: 1, signOffs: 0, quorum: 1, supersedes: nil,
                                                                          override: Override(reason: "because", rule: Rule.quorum))),
                             actor: "maria", by: f.signers["maria"]!)
            }),
        ]
        for (why, make) in attempts {
            try withLedgerDirectory { dir in
                let f = try SignedFixture(path: dir)
                try f.propose()
                try f.forge([try make(f)])
                try f.expectForgeryCaught(why)
            }
        }
    }

    @Test func aRevokedKeyCannotBeRegisteredAgain() throws {
        // A4: after rita revokes sam's key, sofia (or anyone) registers the same key id again to revive it.
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            let sam = try #require(f.signers["sam"])
            try f.run(.actorKeyRevoke(actor: "sam", keyID: sam.keyID, reason: "stolen"), as: "rita")
            let g = try sam.grant
            try f.forge([try f.signed(.actorKeyRegistered(ActorKeyRegistered(actor: "sam", keyID: g.key.id, publicKey: g.key.text,
                                                                             proof: Base64URL.encode(g.proof))), actor: "rita", by: f.signers["rita"]!)])
            try f.expectForgeryCaught("registered already")
        }
    }

    @Test func aRebuildAndAnAsOfReplayRefuseWhatTheCatchUpRefuses() throws {
        // A5 and A13: an unsigned revops registration written raw, then the read models' checkpoints removed so that the
        // next command rebuilds them: the rebuild (and `state --at`) must refuse it as the catch-up does.
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            try f.forge([try f.signed(.actorRegistered(ActorRegistered(actor: "mallory", name: "M", roles: [.revops])), actor: "rita", by: nil)])
            #expect(throws: (any Error).self) { try f.ledger.rebuild(progress: nil) }
            #expect(throws: (any Error).self) { try f.ledger.replay(to: nil) }
            #expect(try f.ledger.ledgerState().actors["mallory"] == nil)
        }
    }

    @Test func insertingBelowASignedEventBreaksItsSignature() throws {
        // A7: two unsigned records slipped in before the genesis' SignaturesRequired (the log rewritten from position 2,
        // the chain recomputed): every later signed event binds its position and the hash before it, so they all fail.
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            let original = try EventLog.open(at: dir)
            let all = try original.read(from: 1, limit: 100)
            let copy = dir + ".rewritten"
            defer { try? FileManager.default.removeItem(atPath: copy) }
            let rewritten = try EventLog.create(at: copy)
            func again(_ e: RecordedEvent) -> ProposedEvent {
                ProposedEvent(id: e.id, type: e.type, schemaVersion: e.schemaVersion, occurredAt: e.occurredAt, actor: e.actor,
                              correlationID: e.correlationID, causationID: e.causationID, payload: e.payload, signature: e.signature)
            }
            try rewritten.append(to: all[0].stream, [again(all[0])])
            let m = ActorRegistered(actor: "mallory", name: "M", roles: [.revops])
            try rewritten.append(to: StreamName.ledger, [ProposedEvent(type: "ActorRegistered", actor: "rita", payload: try DomainEvent.actorRegistered(m).canonicalPayload())])
            for e in all.dropFirst() { try rewritten.append(to: e.stream, [again(e)]) }
            // Another ledger id: the rewrite is caught at its first event already; with the same id (an attacker copies
            // the file instead), at the first signed event after the insertion. Here: the ledger id differs.
            let v = try AlignmentLedger.openLog(at: copy).verifyAnswer(checkpoint: nil)
            #expect(!v.ok, "\(v.lines)")
        }
    }

    @Test func aRevokedKeySignsNothingEvenWrittenRaw() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            try f.propose()
            let sam = try #require(f.signers["sam"])
            try f.run(.actorKeyRevoke(actor: "sam", keyID: sam.keyID, reason: "left"), as: "rita")
            try f.forge([try f.signed(.definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 1, comment: nil)), actor: "sam", by: sam)])
            try f.expectForgeryCaught("revoked")
        }
    }

    @Test func aSignatureCopiedOntoAnotherEventFailsVerify() throws {
        try withLedgerDirectory { dir in
            let f = try SignedFixture(path: dir)
            try f.propose()
            try f.propose("sql")
            // Sam's real sign-off of mql v1, its signature pasted onto a sign-off of sql v1.
            let real = try #require(try f.run(.definitionSignOff(id: "mql", version: 1, comment: nil), as: "sam").first)
            var copy = try f.signed(.definitionSignedOff(LeadDefinitionSignedOff(definition: "sql", version: 1, comment: nil)), actor: "sam", by: nil)
            copy.event.signature = real.signature
            try f.forge([copy])
            try f.expectForgeryCaught("does not check")
        }
    }
}

extension ProposedEvent {
    /// The same event, re-signed for nothing: kept as signed for `definition/...`, appended to `stream`.
    fileprivate func withStream(_ stream: String, from f: SignedFixture) -> (stream: String, event: ProposedEvent) { (stream, self) }
}
