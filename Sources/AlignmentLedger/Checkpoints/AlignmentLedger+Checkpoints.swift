import AlignmentDomain
import EventLog
import Foundation

/// Why a signed checkpoint does not describe this ledger, or could not be made.
public enum CheckpointError: Error, CustomStringConvertible, Sendable {
    /// The ledger was created before log keys: it has no key to sign or check checkpoints with.
    case noLogKey
    /// The log key's file is not at hand (or is not this ledger's).
    case logKeyUnavailable(String)
    /// No stored checkpoint covers what a proof needs.
    case noCheckpoint(String)
    /// The ledger is smaller than a checkpoint it once signed: events were cut off.
    case rollback(CheckpointHeads)
    /// The ledger has a different tree at the checkpoint's size: history was rewritten.
    case fork(CheckpointHeads)
    /// The tree is not there yet (a ledger written by an older build and not written since).
    case treeNotBuilt(have: UInt64, events: UInt64)

    public var description: String {
        switch self {
        case .noLogKey:
            "this ledger was created before log keys and has none to sign or check checkpoints with; give the verifier key with --vkey, or use POSITION:HASH checkpoints (`align stats`)"
        case .logKeyUnavailable(let m): m
        case .noCheckpoint(let m): m
        case .rollback(let h):
            "ROLLBACK: the ledger has \(h.ledgerSize) events, fewer than the \(h.checkpointSize) of the signed checkpoint: events were cut off the end. checkpoint: \(h.checkpointSize) \(h.checkpointRoot); ledger: \(h.ledgerSize) \(h.ledgerRoot). Restore the backup that holds them."
        case .fork(let h):
            "FORK: the ledger's tree of \(h.checkpointSize) events has root \(h.ledgerRootAtCheckpoint ?? "?"), not the signed checkpoint's \(h.checkpointRoot): its history was rewritten. checkpoint: \(h.checkpointSize) \(h.checkpointRoot); ledger: \(h.ledgerSize) \(h.ledgerRoot)"
        case .treeNotBuilt(let have, let events):
            "the Merkle tree covers \(have) of \(events) events (the ledger was written by an older build); the next command that writes brings it up to date"
        }
    }
}

extension CheckpointError {
    /// What a rollback or a fork means, without the heads (printed beside it).
    var finding: String {
        switch self {
        case .rollback(let h):
            "the ledger has \(h.ledgerSize) events, fewer than the \(h.checkpointSize) of the signed checkpoint: events were cut off the end; restore the backup that holds them"
        case .fork(let h):
            "the ledger's tree of \(h.checkpointSize) events is not the signed checkpoint's: its history was rewritten; restore a backup that extends the checkpoint"
        default: description
        }
    }
}

/// Both heads, printed when a checkpoint is not extended: the signed one and the ledger's.
public struct CheckpointHeads: Codable, Equatable, Sendable {
    public var checkpointSize: UInt64
    public var checkpointRoot: String
    public var ledgerSize: UInt64
    public var ledgerRoot: String
    /// The ledger's root at the checkpoint's size (nil when it is smaller).
    public var ledgerRootAtCheckpoint: String?
}

/// The verdict on a signed checkpoint: who signed it, and that the ledger extends it (with the consistency proof).
public struct CheckpointVerdict: Encodable, Sendable {
    public var origin: String
    public var signedBy: String
    public var size: UInt64
    public var root: String
    public var ledgerSize: UInt64
    public var ledgerRoot: String
    /// The RFC 9162 consistency proof from the checkpoint's tree to the ledger's, which was checked.
    public var consistency: [String]
}

/// `align prove inclusion`'s answer.
public struct InclusionProofAnswer: Encodable, Sendable {
    public var position: UInt64
    public var leafIndex: UInt64
    public var treeSize: UInt64
    public var leafHash: String
    public var proof: [String]
    public var checkpoint: String
}

/// `align prove consistency`'s answer.
public struct ConsistencyProofAnswer: Encodable, Sendable {
    public var oldSize: UInt64
    public var newSize: UInt64
    public var oldRoot: String
    public var newRoot: String
    public var proof: [String]
    public var oldCheckpoint: String
    public var newCheckpoint: String
}

extension AlignmentLedger {
    /// The name of the log key's file in a key directory: `log.<ledger id>`.
    public var logKeyName: String { "log." + ledgerID.uuidString.lowercased() }

    /// The ledger's log key as pinned in its first event (nil on ledgers created before log keys).
    public func logVerifier() throws -> SignedNote.Verifier? {
        guard let first = try log.read(from: 1, limit: 1).first, first.position == 1,
              case .ledgerInitialized(let e)? = try? DomainEvent.decode(type: first.type, schemaVersion: Int(first.schemaVersion), payload: first.payload),
              let text = e.logKey else { return nil }
        return try SignedNote.Verifier(text: text)
    }

    /// The verifiers a note is checked with: the one given, or else the ledger's own.
    func verifiers(_ vkey: String?) throws -> [SignedNote.Verifier] {
        if let vkey { return [try SignedNote.Verifier(text: vkey)] }
        guard let pinned = try logVerifier() else { throw CheckpointError.noLogKey }
        return [pinned]
    }

    /// The signer of checkpoints: the log key in `keys`, which must be the one pinned in the ledger.
    func logSigner(_ keys: KeyStore) throws -> SignedNote.Signer {
        guard let pinned = try logVerifier() else { throw CheckpointError.noLogKey }
        let key: ActorKey
        do { key = try keys.load(logKeyName) } catch {
            throw CheckpointError.logKeyUnavailable("the log key that signs this ledger's checkpoints is not at hand (\(error)); it was made by `align init` in the key directory of whoever created the ledger")
        }
        let raw = key.publicKey.raw
        guard raw == pinned.publicKey else {
            throw CheckpointError.logKeyUnavailable("\(keys.path(of: logKeyName)) is not this ledger's log key (the ledger pins \(pinned.text))")
        }
        return try SignedNote.Signer(name: pinned.name, publicKey: raw) { try key.sign($0) }
    }

    /// Signs the current tree head with the log key in `keys`, keeps it, and returns it. The log never keeps two
    /// inconsistent heads: the newest kept one must still be this ledger's tree at its size.
    public func signCheckpoint(keys: KeyStore) throws -> TreeCheckpoint {
        let signer = try logSigner(keys)
        try requireTree()
        // The head already signed: its note (read before the transaction, which reads nothing outside itself).
        if let last = try log.latestTreeHead(), last.size == (try log.head().position), let note = String(validating: last.note, as: UTF8.self) {
            return try TreeCheckpoint(text: try SignedNote.open(note, verifiers: [signer.verifier]).text, note: note)
        }
        return try log.transaction { tx in
            let size = tx.head.position
            let root = try tx.treeRoot(size: size)
            var c = TreeCheckpoint(origin: signer.verifier.name, size: size, root: root)
            c.note = try SignedNote.sign(c.text, by: signer)
            try tx.keepTreeHead(StoredTreeHead(size: size, root: root, note: Array(c.note.utf8)))
            return c
        }
    }

    /// The newest checkpoint kept (nil when none was signed yet).
    public func latestCheckpoint() throws -> TreeCheckpoint? {
        guard let h = try log.latestTreeHead() else { return nil }
        return try storedCheckpoint(h)
    }

    /// The checkpoint kept for a tree of `size` events (nil when none was signed at that size).
    public func checkpoint(size: UInt64) throws -> TreeCheckpoint? {
        guard let h = try log.treeHead(size: size) else { return nil }
        return try storedCheckpoint(h)
    }

    private func storedCheckpoint(_ h: StoredTreeHead) throws -> TreeCheckpoint {
        guard let note = String(validating: h.note, as: UTF8.self) else {
            throw EventLogError.damaged("the checkpoint kept for size \(h.size) is not text")
        }
        let c = try TreeCheckpoint.open(note, verifiers: try verifiers(nil))
        guard c.size == h.size, c.root == h.root else {
            throw EventLogError.damaged("the checkpoint kept for size \(h.size) does not match its note")
        }
        return c
    }

    /// Fails unless the stored tree covers the head.
    func requireTree() throws {
        let (have, events) = (try log.treeSize(), try log.head().position)
        guard have == events else { throw CheckpointError.treeNotBuilt(have: have, events: events) }
    }

    /// Checks a signed checkpoint note (with `vkey`, or the key pinned in the ledger), then that this ledger extends
    /// it: a smaller ledger is a rollback, another root at its size a fork (both heads in the error). Run it on a
    /// ledger `verify` found sound: the roots come from the stored tree, which verify proves against the records.
    public func checkCheckpoint(note: String, vkey: String?) throws -> CheckpointVerdict {
        let vs = try verifiers(vkey)
        let c = try TreeCheckpoint.open(note, verifiers: vs)
        let (size, root) = try checkRoot(c)
        let proof = try log.consistencyProof(from: c.size, to: size)
        guard Merkle.verifyConsistency(oldSize: c.size, newSize: size, oldRoot: c.root, newRoot: root, proof: proof) else {
            throw EventLogError.damaged("the consistency proof from the checkpoint to the ledger does not check")
        }
        return CheckpointVerdict(origin: c.origin, signedBy: vs.map(\.text).joined(separator: ", "), size: c.size, root: c.root.hex,
                                 ledgerSize: size, ledgerRoot: root.hex, consistency: proof.map(\.hex))
    }

    /// The inclusion proof of the event at `position` against a signed checkpoint: the note given (checked with
    /// `vkey` or the pinned key), or the newest kept one. The proof is checked before it is handed out.
    public func proveInclusion(position: UInt64, checkpointNote: String? = nil, vkey: String? = nil) throws -> InclusionProofAnswer {
        let c: TreeCheckpoint
        if let checkpointNote {
            c = try TreeCheckpoint.open(checkpointNote, verifiers: try verifiers(vkey))
        } else {
            guard let latest = try latestCheckpoint() else {
                throw CheckpointError.noCheckpoint("no checkpoint has been signed yet: run `align checkpoint` first")
            }
            c = latest
        }
        guard position >= 1, position <= c.size else {
            throw CheckpointError.noCheckpoint("position \(position) is not in the checkpoint of \(c.size) events\(checkpointNote == nil ? ": run `align checkpoint` to sign a newer one" : "")")
        }
        try checkRoot(c)
        guard let record = try log.storedRecord(at: position) else { throw EventLogError.damaged("the record at position \(position) is missing") }
        let leaf = record.bytes.withUnsafeBytes { Merkle.leafHash($0) }
        let proof = try log.inclusionProof(position: position, treeSize: c.size)
        guard Merkle.verifyInclusion(leaf: leaf, index: position - 1, size: c.size, proof: proof, root: c.root) else {
            throw EventLogError.damaged("the inclusion proof of position \(position) does not check against the checkpoint")
        }
        return InclusionProofAnswer(position: position, leafIndex: position - 1, treeSize: c.size, leafHash: leaf.hex,
                                    proof: proof.map(\.hex), checkpoint: c.note)
    }

    /// The consistency proof between two signed checkpoints of this ledger (each checked with `vkey` or the pinned
    /// key, and against this ledger's tree), checked before it is handed out.
    public func proveConsistency(old: String, new: String, vkey: String? = nil) throws -> ConsistencyProofAnswer {
        let vs = try verifiers(vkey)
        let a = try TreeCheckpoint.open(old, verifiers: vs), b = try TreeCheckpoint.open(new, verifiers: vs)
        guard a.size <= b.size else {
            throw CheckpointError.noCheckpoint("the old checkpoint (\(a.size) events) is larger than the new one (\(b.size)): give them in order")
        }
        try checkRoot(a)
        try checkRoot(b)
        let proof = try log.consistencyProof(from: a.size, to: b.size)
        guard Merkle.verifyConsistency(oldSize: a.size, newSize: b.size, oldRoot: a.root, newRoot: b.root, proof: proof) else {
            throw EventLogError.damaged("the consistency proof does not check")
        }
        return ConsistencyProofAnswer(oldSize: a.size, newSize: b.size, oldRoot: a.root.hex, newRoot: b.root.hex,
                                      proof: proof.map(\.hex), oldCheckpoint: a.note, newCheckpoint: b.note)
    }

    /// Fails with a rollback or fork unless this ledger's tree has the checkpoint's root at its size; answers the
    /// ledger's own tree size and root.
    @discardableResult
    private func checkRoot(_ c: TreeCheckpoint) throws -> (size: UInt64, root: ChainHash) {
        try requireTree()
        let size = try log.treeSize()
        let root = try log.treeRoot(size: size)
        var heads = CheckpointHeads(checkpointSize: c.size, checkpointRoot: c.root.hex, ledgerSize: size, ledgerRoot: root.hex)
        guard c.size <= size else { throw CheckpointError.rollback(heads) }
        let at = try log.treeRoot(size: c.size)
        heads.ledgerRootAtCheckpoint = at.hex
        guard at == c.root else { throw CheckpointError.fork(heads) }
        return (size, root)
    }
}
