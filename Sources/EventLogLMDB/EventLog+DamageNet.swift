internal import CDamageNet
import EventLog

extension EventLog {
    /// Installs the process's last-resort handler for a damaged ledger file: a SIGSEGV or SIGBUS (LMDB following a
    /// damaged page outside the map) ends the process with one line on standard error that says the file is damaged,
    /// what was being read (the record's position when known), and to run `align verify` and restore a backup, and
    /// with exit status 3 instead of a crash. For programs that own their process (the command line); a library
    /// leaves the signals to its host. Returns false when it could not be installed.
    @discardableResult
    public static func installDamageNet() -> Bool { damage_net_install() == 0 }
}

/// What the readers tell the damage net (one store each).
enum DamageNet {
    @inline(__always) static func record(_ position: UInt64) { damage_net_note_record(position) }
    @inline(__always) static func index() { damage_net_note(Int32(DAMAGE_NET_INDEX)) }
    @inline(__always) static func model() { damage_net_note(Int32(DAMAGE_NET_MODEL)) }
    /// Lets the net explain LMDB's failed assertions (a damaged page) as damage.
    static func attach(_ env: OpaquePointer) { damage_net_attach_lmdb(UnsafeMutableRawPointer(env)) }
}
