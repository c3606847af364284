import EventLog
import Foundation

extension LMDBStore {
    /// LMDB and decoding failures as `EventLogError`; other errors as they are.
    static func wrap(_ error: Error) -> Error {
        if let e = error as? LMDBError {
            if e.isTransactionFull {
                return EventLogError.storage("\(e): the append is too large for one transaction; split it into smaller batches")
            }
            if e.isDamage { return EventLogError.damaged("\(e)") }
            return EventLogError.storage("\(e)")
        }
        if let e = error as? RecordCodec.DecodeError { return EventLogError.corrupt(position: 0, reason: e.reason) }
        return error
    }
}
