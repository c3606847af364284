import AlignmentLedger
import ArgumentParser
import Foundation

/// `--key` and `--proof`: a public key to register, with its proof of possession.
struct KeyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The public key (ed25519:...), as `align key generate` prints it.", valueName: "PUBLIC"))
    var key: String?
    // base64url: one proof in 64 begins with '-', which must not read as an option.
    @Option(parsing: .unconditional, help: ArgumentHelp("The key's proof of possession, as `align key generate` prints it.", valueName: "PROOF"))
    var proof: String?

    /// The key given, else (unless `required` and absent) the actor's key in the key directory, else nil.
    func grant(for actor: String, required: Bool) throws -> KeyGrant? {
        if let key {
            guard let proof else { throw CLIError.usage("--key needs --proof, the proof of possession `align key generate` printed with it") }
            return try KeyGrant(key: key, proof: proof, actor: actor)
        }
        if proof != nil { throw CLIError.usage("--proof goes with --key") }
        let store = KeyStore.fromEnvironment()
        guard store.hasKey(for: actor) else {
            if required { throw CLIError.usage("give --key and --proof (from `align key generate --as \(actor)` on \(actor)'s machine)") }
            return nil
        }
        return try store.load(actor).grant
    }
}

struct SigningKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Your signing key: generate it, or show its public half.",
        discussion: """
        The private key stays in the key directory ($ALIGN_KEYS, else $XDG_CONFIG_HOME/align/keys,
        else ~/.config/align/keys), mode 0600, never overwritten; with ALIGN_KEY_PASSPHRASE set, it is
        sealed under that passphrase (scrypt), which every command then needs. Give the public key and
        proof it prints to a revops member, who registers them (`align actor key add`).

        Examples:
          align key generate --as sam
          align key show --as sam --json
        """,
        subcommands: [Generate.self, Show.self])

    struct Printed: Encodable { var actor: String; var keyId: String; var publicKey: String; var proof: String; var file: String }

    static func print(_ key: ActorKey, file: String, json: Bool, generated: Bool) throws {
        let g = try key.grant
        let proof = Base64URL.encode(g.proof)
        if json { return try Say.json(Printed(actor: key.actor, keyId: key.keyID, publicKey: key.publicKey.text, proof: proof, file: file)) }
        Say.line("\(generated ? "Generated" : "The") key \(key.keyID) of '\(key.actor)' (\(file)).")
        Say.line("public key: \(key.publicKey.text)")
        Say.line("proof:      \(proof)")
        Say.line("A revops member registers it with:")
        Say.line("  align actor key add \(key.actor) --key \(key.publicKey.text) --proof \(proof) --as REVOPS")
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate your key (refuses to replace one).", discussion: """
            Example:
              align key generate --as sam
            """)
        @OptionGroup var global: PlainOptions
        func run() throws {
            let actor = try global.actorID()
            let store = KeyStore.fromEnvironment()
            try SigningKeyCommand.print(try store.generate(for: actor), file: store.path(of: actor), json: global.json, generated: true)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print your public key and its proof again.", discussion: """
            Example:
              align key show --as sam
            """)
        @OptionGroup var global: PlainOptions
        func run() throws {
            let actor = try global.actorID()
            let store = KeyStore.fromEnvironment()
            try SigningKeyCommand.print(try store.load(actor), file: store.path(of: actor), json: global.json, generated: false)
        }
    }
}

extension ActorCommand {
    struct KeyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "key", abstract: "Register, rotate, revoke and list an actor's public keys (as events).",
            subcommands: [Add.self, Rotate.self, Revoke.self, List.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Register a key (revops, or the actor).", discussion: """
                Example:
                  align actor key add sam --key ed25519:... --proof ... --as rita
                """)
            @OptionGroup var global: GlobalOptions
            @Argument(help: "Actor id.") var id: String
            @OptionGroup var key: KeyOptions
            func run() throws {
                guard let g = try key.grant(for: id, required: true) else { return }
                try global.perform(.actorKeyAdd(actor: id, key: g))
            }
        }

        struct Rotate: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Replace an actor's key: register a new one, revoke the old.", discussion: """
                Run by the actor without --key: a new key is generated, registered (signed by the old
                one), and takes the old key file's place, which is kept as ACTOR.KEYID.revoked.key.

                Examples:
                  align actor key rotate sam --as sam
                  align actor key rotate sam --key ed25519:... --proof ... --as rita
                """)
            @OptionGroup var global: GlobalOptions
            @Argument(help: "Actor id.") var id: String
            @OptionGroup var key: KeyOptions
            func run() throws {
                if key.key != nil { return try global.perform(.actorKeyRotate(actor: id, key: try key.grant(for: id, required: true)!)) }
                guard try global.actorID() == id else {
                    throw CLIError.usage("rotating another actor's key needs their new --key and --proof")
                }
                let store = KeyStore.fromEnvironment()
                let old = try store.load(id)
                let next = try ActorKey(generatingFor: id)
                let pending = store.path(of: id) + ".new"
                try store.write(next, to: pending)
                do { try global.perform(.actorKeyRotate(actor: id, key: try next.grant)) } catch {
                    unlink(pending)  // refused: the new key was never registered
                    throw error
                }
                try store.retire(old)
                try store.install(pending, for: id)
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a key: it signs nothing from now on.", discussion: """
                Example:
                  align actor key revoke sam 3f2a9c0e5b7d1a64 --reason "laptop lost" --as rita
                """)
            @OptionGroup var global: GlobalOptions
            @Argument(help: "Actor id.") var id: String
            @Argument(help: "Key id (see `align actor key list`).") var keyID: String
            @Option(help: "Why.") var reason: String?
            func run() throws { try global.perform(.actorKeyRevoke(actor: id, keyID: keyID, reason: reason)) }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List an actor's keys, active and revoked.", discussion: """
                Examples:
                  align actor key list sam
                  align actor key list sam --at 2026-05-01
                """)
            @OptionGroup var global: ReadOptions
            @Argument(help: "Actor id.") var id: String
            func run() throws {
                let keys = try global.open().ledgerState(asOf: global.asOf).keys.values.filter { $0.actor == id }.sorted { $0.registeredAt < $1.registeredAt }
                if global.json { return try Say.json(["keys": keys]) }
                ListText.keys(keys, of: id).forEach(Say.line)
            }
        }
    }
}
