extension EventLog {
    /// Checks that each of `events` (in log order, as read) chains from the record stored before it: its stored hash
    /// must equal the chain hash of the previous record's stored hash, its position and its bytes. Throws `corrupt` at
    /// the first that does not: a read answers from records it has linked to the chain, never from an altered one that
    /// still decodes. One SHA-256 per event, plus one read of the record before each event that does not follow the one
    /// before it in `events` (an audit's events lie apart).
    public func checkLinks(_ events: [RecordedEvent]) throws {
        var previous: (position: UInt64, hash: ChainHash)?
        for e in events {
            let before: ChainHash
            if let p = previous, p.position + 1 == e.position {
                before = p.hash
            } else if e.position == 1 {
                before = .genesis
            } else {
                guard let r = try read(from: e.position - 1, limit: 1).first, r.position == e.position - 1 else {
                    throw EventLogError.corrupt(position: e.position - 1, reason: "the record is missing (the log has a gap)")
                }
                before = r.hash
            }
            let bytes = RecordCodec.encode(e)
            let h = bytes.withUnsafeBytes {
                RecordCodec.chain(previous: before, position: e.position, body: UnsafeRawBufferPointer(rebasing: $0[0..<($0.count - RecordCodec.hashSize)]))
            }
            guard h == e.hash else {
                throw EventLogError.corrupt(position: e.position, reason: "its chain hash does not match its content and the record before it (altered, replaced or moved)")
            }
            previous = (e.position, e.hash)
        }
    }
}
