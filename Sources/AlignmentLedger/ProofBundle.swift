import AlignmentDomain
import EventLog
import Foundation

/// A proof-carrying audit answer (`align-proof-bundle/v1`, docs/FORMAT.md "Proof bundles"): the who-approved answer,
/// every event of the definition's stream and of the `ledger` stream up to one signed checkpoint, each as stored with
/// the chain hash before it and its inclusion proof, which streams it gives whole, and what the answer claims did not
/// happen. `tools/verify_bundle.py` checks it without the ledger or this code.
public struct ProofBundle: Encodable, Sendable {
    public static let format = "align-proof-bundle/v1"

    public struct Question: Encodable, Sendable {
        public var kind = "who-approved"
        public var definition: String
        /// The business time asked about; nil when the question was "now" (the answer's `at` says when that was).
        public var at: Date?
    }

    /// One stored event and what proves it.
    public struct Event: Encodable, Sendable {
        public var position: UInt64
        /// The record exactly as stored (base64): the Merkle leaf.
        public var record: String
        /// The chain hash of the record before it (hex; zeros before position 1).
        public var previousHash: String
        /// The RFC 9162 inclusion proof against the checkpoint's tree (hex, lowest level first).
        public var inclusion: [String]
    }

    /// A stream given whole: its versions 1...`lastVersion`, all at or below `throughPosition`.
    public struct CompleteStream: Encodable, Sendable {
        public var stream: String
        public var throughPosition: UInt64
        public var lastVersion: UInt64
    }

    /// Something the answer says did not happen, over a range of positions of a complete stream.
    public struct Absence: Encodable, Sendable {
        public var claim: String
        public var kind: String
        public var stream: String
        public var version: Int
        public var fromPosition: UInt64
        public var throughPosition: UInt64
    }

    public var format = ProofBundle.format
    public var ledger: String
    public var question: Question
    public var answer: Approval
    /// The signed checkpoint note (C2SP tlog-checkpoint in a signed note).
    public var checkpoint: String
    /// The ledger's verifier key: a hint only; an auditor checks with the key they obtained apart from the bundle.
    public var verifierKey: String?
    public var events: [Event]
    public var completeStreams: [CompleteStream]
    public var absence: [Absence]

    /// The checkpoint's tree size.
    public var treeSize: UInt64 { completeStreams.first?.throughPosition ?? 0 }
}

extension AlignmentLedger {
    /// The who-approved answer at `at` (now when nil) with its proofs, against the newest signed checkpoint. Throws
    /// `CheckpointError.noCheckpoint` when no checkpoint was signed, or when the newest one does not cover the
    /// definition's stream and the `ledger` stream (events were recorded after it): `align checkpoint` signs one.
    /// Cost: one record read and one inclusion proof (O(log n) stored hashes) per event of the two streams.
    public func whoApprovedBundle(_ definition: String, at: Date?) throws -> ProofBundle {
        // The newest kept checkpoint, opened with the log key the ledger pins (a damaged or foreign one is refused).
        guard let cp = try latestCheckpoint() else {
            throw CheckpointError.noCheckpoint("no checkpoint has been signed yet: run `align checkpoint` first, then ask again")
        }
        // Times as the bundle prints them (to the microsecond), so the verifier asks exactly what was answered.
        let when = Date(timeIntervalSince1970: ((at ?? Date()).timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000)
        let answer = try whoApproved(definition, at: when)
        let streams = [StreamName.definition(definition), StreamName.ledger]
        var events: [RecordedEvent] = []
        var complete: [ProofBundle.CompleteStream] = []
        for s in streams {
            let stream = try log.read(stream: s)
            if let late = stream.first(where: { $0.position > cp.size }) {
                throw CheckpointError.noCheckpoint("the newest checkpoint covers \(cp.size) events, but \(s) has an event at position "
                    + "\(late.position): run `align checkpoint` to sign the current head, then ask again")
            }
            events += stream
            complete.append(.init(stream: s, throughPosition: cp.size, lastVersion: stream.last?.version ?? 0))
        }
        events.sort { $0.position < $1.position }
        var out: [ProofBundle.Event] = []
        out.reserveCapacity(events.count)
        for e in events {
            guard let stored = try log.storedRecord(at: e.position) else {
                throw EventLogError.corrupt(position: e.position, reason: "the record is missing (run `align verify`)")
            }
            let proof = try log.inclusionProof(position: e.position, treeSize: cp.size)
            out.append(.init(position: e.position, record: Data(stored.bytes).base64EncodedString(), previousHash: stored.previous.hex,
                             inclusion: proof.map(\.hex)))
        }
        var absence: [ProofBundle.Absence] = []
        if let v = answer.version, answer.rejections.isEmpty {
            absence.append(.init(claim: "no rejection of \(definition) version \(v) in the stream through position \(cp.size)", kind: "no-rejection",
                                 stream: StreamName.definition(definition), version: v, fromPosition: 1, throughPosition: cp.size))
        }
        return ProofBundle(ledger: log.ledgerID.uuidString.lowercased(), question: .init(definition: definition, at: at == nil ? nil : when),
                           answer: answer, checkpoint: cp.note, verifierKey: try logVerifier()?.text, events: out,
                           completeStreams: complete, absence: absence)
    }

    /// Writes `whoApprovedBundle` to the file at `path` as JSON, whole or not at all (as `export`); returns the bundle.
    public func writeWhoApprovedBundle(_ definition: String, at: Date?, toFile path: String) throws -> ProofBundle {
        let bundle = try whoApprovedBundle(definition, at: at)
        let file = try ExportFile(path: path)
        do {
            try file.write(try LedgerJSON.encode(bundle) + [10])
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
        return bundle
    }
}
