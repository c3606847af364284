import EventLog
import Foundation

/// Digests of the stream and id indexes, computed on the verifier's second thread.
///
/// `@unchecked Sendable`: written only by that thread before it signals, read only after the verifier has waited.
final class IndexDigests: @unchecked Sendable {
    var stream = Digest(), ids = Digest()
    var streamEntries: UInt64 = 0, idEntries: UInt64 = 0
    var malformed = false
    var error: Error?
    var joined = false

    /// How long the walks of the two indexes took.
    var seconds: Double = 0

    func compute(_ log: LMDBStore) {
        let started = DispatchTime.now().uptimeNanoseconds
        defer { seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        do {
            try log.scan(log.env.dbs.streamIndex) { k, v in
                guard k.count == 12, v.count == 8 else { malformed = true; return false }
                stream.add(Digest.mix(UInt64(Keys.streamID(k)), Keys.streamVersion(k), UInt64(littleEndian: v.loadUnaligned(as: UInt64.self))))
                streamEntries += 1
                return true
            }
            try log.scan(log.env.dbs.ids) { k, v in
                guard k.count == 16, v.count == 8 else { malformed = true; return false }
                ids.add(Digest.mix(k.loadUnaligned(as: UInt64.self), k.loadUnaligned(fromByteOffset: 8, as: UInt64.self), UInt64(littleEndian: v.loadUnaligned(as: UInt64.self))))
                idEntries += 1
                return true
            }
        } catch {
            self.error = error
        }
    }
}
