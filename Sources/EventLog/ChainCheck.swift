/// The checks of the chain that every store's `verify` makes on each record in position order: positions gapless from
/// 1, length fields sound, chain hash recomputed and equal to the stored one; and at the end, whether the log extends
/// a checkpoint. A store adds the checks of its own indexes.
package struct ChainCheck {
    /// Records accepted so far (the last sound position).
    package private(set) var count: UInt64 = 0
    /// The chain hash after the last accepted record.
    package private(set) var hash = ChainHash.genesis
    private let checkpoint: Checkpoint?
    private var checkpointHash: ChainHash?

    /// A walk that will compare the chain with `checkpoint` (if any).
    package init(checkpoint: Checkpoint?) { self.checkpoint = checkpoint }

    /// Checks that the record stored at `position` follows the accepted ones; nil when it does.
    @inline(__always)
    package mutating func check(_ position: UInt64, _ v: UnsafeRawBufferPointer) -> VerifyReport.Problem? {
        let expected = count + 1
        guard position == expected else {
            return .init(expected, "record \(expected) is missing (the next stored record is \(position))")
        }
        let bodyLen: Int
        do { bodyLen = try RecordCodec.bodyLength(v) } catch { return .init(position, "\(error)") }
        let h = RecordCodec.chain(previous: hash, position: position, body: UnsafeRawBufferPointer(rebasing: v[0..<bodyLen]))
        if h != RecordCodec.storedHash(v) {
            return .init(position, "chain hash does not match the record's content (the record was altered, replaced or moved)")
        }
        hash = h
        return nil
    }

    /// Accepts the record just checked (once the store's own checks of it passed too).
    @inline(__always)
    package mutating func accept() {
        count += 1
        if let c = checkpoint, c.position == count { checkpointHash = hash }
    }

    /// The problem with the checkpoint once every record is accepted (nil when there is none or the log extends it).
    package func checkpointProblem() -> VerifyReport.Problem? {
        guard let c = checkpoint else { return nil }
        if c.position > count {
            return .init(count + 1, "the log ends at position \(count), before the checkpoint's position \(c.position): it was rolled back or truncated")
        }
        let h = c.position == 0 ? ChainHash.genesis : checkpointHash
        if h != c.hash {
            return .init(c.position, "the hash at the checkpoint's position differs from the checkpoint: the log was rewritten or rolled back")
        }
        return nil
    }
}
