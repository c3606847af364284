import AlignmentDomain
import Crypto
import Foundation
import _CryptoExtras

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a key file cannot be used.
public enum KeyFileError: Error, CustomStringConvertible, Sendable {
    /// No key for the actor in the directory.
    case missing(actor: String, path: String)
    /// Group or others may read it (as ssh, the file is refused).
    case insecure(path: String, mode: UInt32)
    /// A key file exists already, and is never overwritten.
    case exists(path: String)
    /// Not a key file this build reads, or not a regular file.
    case damaged(String)
    /// Reading or writing failed.
    case io(String)
    /// Not an actor id a key file can be named after.
    case invalidActor(String)
    /// The key is kept under a passphrase, and none (or a wrong one) was given.
    case passphrase(path: String, given: Bool)

    public var description: String {
        switch self {
        case .missing(let actor, let path): "there is no key for '\(actor)' at \(path)"
        case .insecure(let path, let mode):
            "the key file \(path) may be read by others (permissions \(String(mode & 0o777, radix: 8))); like ssh, it is not used: `chmod 600 \(path)`"
        case .exists(let path): "a key file exists at \(path); it is never overwritten"
        case .damaged(let why): "the key file cannot be read: \(why)"
        case .io(let why): why
        case .invalidActor(let a): "\(a.debugDescription) is not an actor id (letters, digits, '-', '_', '.', '@'; not '.' or '..')"
        case .passphrase(let path, let given):
            given ? "the passphrase does not open the key \(path)" : "the key \(path) is kept under a passphrase: give it in ALIGN_KEY_PASSPHRASE"
        }
    }
}

/// Private keys on disk, one file per actor: `DIR/ACTOR.key`, mode 0600, created with `O_EXCL` and never overwritten.
///
/// The directory is `$ALIGN_KEYS`, else `$XDG_CONFIG_HOME/align/keys`, else `~/.config/align/keys` (created 0700).
/// A file holds the actor, the key id, the public key and the 32-byte private seed in base64url:
///
/// ```
/// align-key v1
/// actor: sam
/// key-id: 3f2a9c0e5b7d1a64
/// public-key: ed25519:...
/// private-key: ...
/// ```
///
/// With a passphrase, `private-key` is replaced by `encrypted-private-key: scrypt-chachapoly:N:r:p:SALT:SEALED`: the seed
/// sealed with ChaCha20-Poly1305 under a key derived from the passphrase with scrypt (swift-crypto's extras).
public struct KeyStore: Sendable {
    public let directory: String
    /// The passphrase that seals new keys and opens sealed ones (nil: keys are kept unsealed, and a sealed one is refused).
    public let passphrase: String?

    public init(directory: String, passphrase: String? = nil) {
        self.directory = directory
        self.passphrase = passphrase
    }

    /// scrypt's cost: N = 2^15, r = 8, p = 1 (32 MiB, about a tenth of a second here).
    static let scryptN = 1 << 15, scryptR = 8, scryptP = 1

    /// The directory the environment names (see the type's documentation).
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> KeyStore {
        let pass = env["ALIGN_KEY_PASSPHRASE"].flatMap { $0.isEmpty ? nil : $0 }
        if let d = env["ALIGN_KEYS"], !d.isEmpty { return KeyStore(directory: d, passphrase: pass) }
        if let x = env["XDG_CONFIG_HOME"], !x.isEmpty { return KeyStore(directory: x + "/align/keys", passphrase: pass) }
        return KeyStore(directory: (env["HOME"] ?? NSHomeDirectory()) + "/.config/align/keys", passphrase: pass)
    }

    /// The path of `actor`'s key file.
    public func path(of actor: String) -> String { directory + "/" + actor + ".key" }

    /// Refuses what cannot name a key file in this directory (a `/`, `.` or `..`, a control character).
    static func check(_ actor: String) throws {
        let ok = !actor.isEmpty && actor != "." && actor != ".." && actor.utf8.count <= 100
            && actor.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil || "-_.@".unicodeScalars.contains($0) }
        guard ok else { throw KeyFileError.invalidActor(actor) }
    }

    /// Whether a key file for `actor` exists (usable or not).
    public func hasKey(for actor: String) -> Bool {
        var st = stat()
        return lstat(path(of: actor), &st) == 0
    }

    /// Generates a key for `actor` and writes its file; refuses to overwrite one.
    @discardableResult
    public func generate(for actor: String) throws -> ActorKey {
        try KeyStore.check(actor)
        let key = try ActorKey(generatingFor: actor)
        try write(key, to: path(of: actor))
        return key
    }

    /// `actor`'s key, read from its file. Throws `KeyFileError.missing` when there is none, `.insecure` when group or
    /// others may read it.
    public func load(_ actor: String) throws -> ActorKey {
        try KeyStore.check(actor)
        return try KeyStore.read(path(of: actor), actor: actor, passphrase: passphrase)
    }

    /// Writes `key` to a new file at `path` (mode 0600, `O_EXCL`), creating the directory (0700) if needed.
    public func write(_ key: ActorKey, to path: String) throws {
        try createDirectory()
        let text = """
            align-key v1
            actor: \(key.actor)
            key-id: \(key.keyID)
            public-key: \(key.publicKey.text)
            \(try privateLine(key))

            """
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            let e = errno
            if e == EEXIST { throw KeyFileError.exists(path: path) }
            throw KeyFileError.io("cannot create \(path): \(String(cString: strerror(e)))")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                unlink(path)
                throw KeyFileError.io("cannot write \(path): \(String(cString: strerror(e)))")
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let e = errno
            unlink(path)
            throw KeyFileError.io("cannot write \(path): \(String(cString: strerror(e)))")
        }
    }

    /// The private key's line: the seed, or the seed sealed under the passphrase.
    private func privateLine(_ key: ActorKey) throws -> String {
        guard let passphrase else { return "private-key: " + Base64URL.encode(key.seed) }
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &rng) }
        let k = try KeyStore.derive(passphrase, salt: salt, n: KeyStore.scryptN, r: KeyStore.scryptR, p: KeyStore.scryptP)
        let sealed = try ChaChaPoly.seal(key.seed, using: k).combined
        return "encrypted-private-key: scrypt-chachapoly:\(KeyStore.scryptN):\(KeyStore.scryptR):\(KeyStore.scryptP):"
            + Base64URL.encode(salt) + ":" + Base64URL.encode(Array(sealed))
    }

    static func derive(_ passphrase: String, salt: [UInt8], n: Int, r: Int, p: Int) throws -> SymmetricKey {
        try KDF.Scrypt.deriveKey(from: Array(passphrase.utf8), salt: salt, outputByteCount: 32, rounds: n, blockSize: r, parallelism: p)
    }

    /// Moves `actor`'s key file aside (after a rotation): `ACTOR.KEYID.revoked.key`.
    public func retire(_ key: ActorKey) throws {
        let from = path(of: key.actor), to = directory + "/" + key.actor + "." + key.keyID + ".revoked.key"
        guard rename(from, to) == 0 else {
            throw KeyFileError.io("cannot move \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }

    /// Moves a key file into `actor`'s place (after a rotation committed).
    public func install(_ from: String, for actor: String) throws {
        guard rename(from, path(of: actor)) == 0 else {
            throw KeyFileError.io("cannot move \(from) to \(path(of: actor)): \(String(cString: strerror(errno)))")
        }
    }

    private func createDirectory() throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) {
            guard isDir.boolValue else { throw KeyFileError.io("\(directory) is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw KeyFileError.io("cannot create the key directory \(directory): \(error.localizedDescription)")
        }
    }

    /// Reads the key file at `path`, which must belong to `actor`.
    public static func read(_ path: String, actor: String, passphrase: String? = nil) throws -> ActorKey {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            if e == ENOENT { throw KeyFileError.missing(actor: actor, path: path) }
            throw KeyFileError.io("cannot read \(path): \(String(cString: strerror(e)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw KeyFileError.io("cannot read \(path): \(String(cString: strerror(errno)))") }
        guard st.st_mode & S_IFMT == S_IFREG else { throw KeyFileError.damaged("\(path) is not a regular file") }
        guard st.st_mode & 0o077 == 0 else { throw KeyFileError.insecure(path: path, mode: UInt32(st.st_mode)) }
        // Someone else's file, even a private one, is not your key (as ssh).
        guard st.st_uid == geteuid() else { throw KeyFileError.damaged("\(path) belongs to another user") }
        guard st.st_size <= 4096 else { throw KeyFileError.damaged("\(path) is too large for a key file") }
        var buffer = [UInt8](repeating: 0, count: Int(st.st_size))
        var got = 0
        while got < buffer.count {
            let n = buffer[got...].withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            got += n
        }
        // `NAME: VALUE` lines, read as bytes (a key is loaded by every command: Foundation's string trimming here cost
        // a quarter of a millisecond of a sign-off, perf record 2026-12-07).
        var fields: [String: String] = [:]
        let lines = buffer[..<got].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        guard let first = lines.first, first.elementsEqual("align-key v1".utf8) else {
            throw KeyFileError.damaged("\(path) is not an align key file (version 1)")
        }
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            var value = line[(colon + 1)...].drop { $0 == 0x20 || $0 == 0x09 }
            while let last = value.last, last == 0x20 || last == 0x09 || last == 0x0D { value = value.dropLast() }
            guard let name = String(validating: line[..<colon], as: UTF8.self), let v = String(validating: value, as: UTF8.self) else {
                throw KeyFileError.damaged("\(path) is not text")
            }
            fields[name] = v
        }
        guard fields["actor"] == actor else {
            throw KeyFileError.damaged("\(path) holds the key of '\(fields["actor"] ?? "nobody")', not of '\(actor)'")
        }
        let seed: [UInt8]
        if let sealed = fields["encrypted-private-key"] {
            let parts = sealed.split(separator: ":").map(String.init)
            guard parts.count == 6, parts[0] == "scrypt-chachapoly", let n = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
                  n > 1, n <= 1 << 20, r >= 1, r <= 32, p >= 1, p <= 16,
                  let salt = Base64URL.decode(parts[4]), let box = Base64URL.decode(parts[5]) else {
                throw KeyFileError.damaged("\(path) has an encrypted private key this build does not read")
            }
            guard let passphrase else { throw KeyFileError.passphrase(path: path, given: false) }
            let k = try KeyStore.derive(passphrase, salt: salt, n: n, r: r, p: p)
            guard let opened = try? ChaChaPoly.open(ChaChaPoly.SealedBox(combined: box), using: k) else {
                throw KeyFileError.passphrase(path: path, given: true)
            }
            seed = Array(opened)
        } else {
            guard let seedText = fields["private-key"], let s = Base64URL.decode(seedText) else {
                throw KeyFileError.damaged("\(path) has no private key")
            }
            seed = s
        }
        let key = try ActorKey(actor: actor, seed: seed)
        if let id = fields["key-id"], id != key.keyID {
            throw KeyFileError.damaged("\(path) names key id \(id), but its private key is key \(key.keyID)")
        }
        return key
    }
}
