import EventLog
import EventLogLMDB
import Foundation

/// A backup made and verified: where the copy is and what it holds (its head is the checkpoint to keep beside it).
public struct BackupAnswer: Encodable, Sendable {
    /// The copy's directory.
    public var directory: String
    /// Events in the copy.
    public var events: UInt64
    /// The copy's head checkpoint (`POSITION:HASH`): the ledger as it was when the copy's snapshot was taken.
    public var head: String
    /// The ledger's head read just before copying (`POSITION:HASH`), which the copy was proven to extend.
    public var extends: String
    /// The copy's size on disk (compacted: no free pages).
    public var sizeOnDisk: Int64
    /// The full verification of the copy: chain, indexes and signatures.
    public var verify: VerifyAnswer
    /// How long copying and verifying took.
    public var seconds: Double
    /// The signed checkpoint the copy was proven to extend (the one signed just before copying when the log key is at
    /// hand, else the newest kept; nil on a ledger without any).
    public var signedCheckpoint: String?
    /// Whether `signedCheckpoint` was signed by this backup.
    public var signedNow: Bool = false

    /// What a front end prints: the copy, that it verifies, and its checkpoint.
    public var lines: [String] {
        ["backed up \(events) events into \(Terminal.safe(directory)) (compacted, \(sizeOnDisk) bytes) in \(FixedPoint.format(seconds, places: 2)) s",
         "verified: sound (chain, indexes and signatures); it extends \(extends)",
         "checkpoint \(head)"]
            + (signedCheckpoint.map { note in
                ["it extends this signed checkpoint\(signedNow ? " of the head" : ", the newest kept") (keep it beside the copy):"]
                    + note.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "  " + Terminal.safe(String($0)) }
            } ?? [])
    }
}

extension AlignmentLedger {
    /// Copies the ledger online into `directory` (new, or empty) with LMDB's own compacting copy, then opens the copy
    /// read only and verifies it whole (`verifyAnswer`), proving it extends the head read just before copying. Appends
    /// go on meanwhile (the copy is one read transaction's snapshot); the ledger itself is only read, so a ledger opened
    /// read only can be backed up too.
    ///
    /// Throws `EventLogError.invalidInput` for a directory that holds anything, `.storage` when the copy cannot be
    /// written (it is removed then; a full disk says so) or does not verify (it is kept, for a look at the damage).
    ///
    /// With `checkpointKeys` holding the log key, a checkpoint of the head is signed first; the copy is then proven to
    /// extend it (or, without the key, the newest checkpoint kept).
    public func backup(to directory: String, checkpointKeys: KeyStore? = nil, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> BackupAnswer {
        let started = Date()
        var signed: TreeCheckpoint?
        var signedNow = false
        if let keys = checkpointKeys, (try? logVerifier()) != nil, keys.hasKey(for: logKeyName), (try? requireTree()) != nil {
            signed = try signCheckpoint(keys: keys)
            signedNow = true
        } else {
            signed = try? latestCheckpoint()
        }
        let before = try log.head()
        try log.backup(to: directory)
        let copy = try AlignmentLedger.openLog(at: directory, access: .readOnly)
        let answer = try copy.verifyAnswer(checkpoint: before, signed: signed.map { ($0.note, nil) }, progress: progress)
        guard answer.ok else {
            throw EventLogError.storage("the backup in '\(directory)' does not verify (first bad position \(answer.firstBadPosition ?? 0): "
                                        + "\(answer.reason ?? "")): the ledger it was copied from is most likely damaged there; run `verify` "
                                        + "on it, and keep the last backup that verifies")
        }
        let stats = try copy.stats()
        return BackupAnswer(directory: directory, events: stats.events, head: stats.head.description, extends: before.description,
                            sizeOnDisk: stats.sizeOnDisk, verify: answer, seconds: Date().timeIntervalSince(started),
                            signedCheckpoint: signed?.note, signedNow: signedNow)
    }
}
