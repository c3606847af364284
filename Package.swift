// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "alignment-ledger",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "align", targets: ["align"]),
        .library(name: "AlignmentLedger", targets: ["AlignmentLedger"]),
        .library(name: "EventLog", targets: ["EventLog", "EventLogLMDB", "EventLogMemory"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        // `align serve`: the HTTP server (Hummingbird 2, on SwiftNIO and swift-service-lifecycle) and its request logs.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // `align serve`'s /metrics in Prometheus's text format.
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // C libraries (Debian packages, found with pkg-config)
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // The last-resort SIGSEGV / SIGBUS handler of a process reading a damaged ledger file (see damage_net.c).
        .target(name: "CDamageNet"),

        // Pure leaf utilities: ISO 8601 times, shared by the log and the domain; SplitMix64, the seeded generator
        // of event ids, the demo, the bench and the tests.
        .target(name: "ISOTime"),
        .target(name: "SplitMix"),
        // A pure leaf utility: JSON values, a fast byte parser, a canonical serializer and a Codable bridge.
        .target(name: "JSONCore", dependencies: ["ISOTime"]),

        // Storage: the append-only, hash-chained event log. Knows nothing of sales or marketing.
        // The core: envelope, record codec, hash chain, the store protocol and verify rules; no I/O.
        .target(name: "EventLog", dependencies: [
            "ISOTime", "JSONCore", "SplitMix",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The LMDB store (ledgers on disk): `EventLog.open` / `create`.
        .target(name: "EventLogLMDB", dependencies: ["EventLog", "CLMDB", "CDamageNet"]),
        // The in-memory store: `EventLog.inMemory`.
        .target(name: "EventLogMemory", dependencies: ["EventLog"]),

        // Core: pure domain and projections (no I/O).
        // Ed25519 (swift-crypto) checks keys and their proofs of possession: computation, no I/O.
        .target(name: "AlignmentDomain", dependencies: ["ISOTime", "JSONCore", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "AlignmentProjections", dependencies: ["AlignmentDomain", "ISOTime"]),

        // Imports: reads a CRM's export (CSV, streamed with CSV.swift) into the commands its history stands for.
        .target(name: "CRMImport", dependencies: ["AlignmentDomain", "ISOTime", .product(name: "CSV", package: "CSV.swift")]),

        // Service: wires the domain and projections to the log.
        .target(name: "AlignmentLedger", dependencies: [
            "EventLog", "EventLogLMDB", "EventLogMemory", "AlignmentDomain", "AlignmentProjections", "JSONCore", "ISOTime",
            "SplitMix", "CRMImport", .product(name: "Crypto", package: "swift-crypto"),
            // scrypt, for key files kept under a passphrase.
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),

        // Adapters: the HTTP front end (`align serve`), over the service only, never storage.
        .target(name: "AlignServer", dependencies: [
            "AlignmentLedger",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            // Streams (the live tail) end when the server shuts down gracefully.
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // Executables
        .executableTarget(name: "align", dependencies: [
            "AlignmentLedger", "AlignServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], plugins: ["BuildCommitPlugin"]),
        // `align --version` names the git commit it was built from.
        .plugin(name: "BuildCommitPlugin", capability: .buildTool()),
        .executableTarget(name: "align-bench", dependencies: [
            "EventLog", "EventLogLMDB", "AlignmentLedger", "AlignmentDomain", "JSONCore", "ISOTime", "SplitMix", "CLMDB", "CSQLite",
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "CSV", package: "CSV.swift"),
        ]),
        .executableTarget(name: "eventlog-probe", dependencies: ["EventLog", "EventLogLMDB"]),

        // Tests
        .testTarget(name: "EventLogTests", dependencies: [
            "EventLog", "EventLogLMDB", "EventLogMemory", "CLMDB", "JSONCore", "SplitMix", "eventlog-probe",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "AlignmentDomainTests", dependencies: [
            "AlignmentDomain", "JSONCore", "AlignmentProjections", "AlignmentLedger", "EventLog", "SplitMix",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "AlignmentProjectionsTests", dependencies: ["AlignmentProjections", "AlignmentDomain"]),
        .testTarget(name: "AlignmentLedgerTests", dependencies: [
            "AlignmentLedger", "AlignmentDomain", "AlignmentProjections", "EventLog", "EventLogLMDB", "SplitMix", "CRMImport",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "AlignTests", dependencies: ["align"]),
        .testTarget(name: "CRMImportTests", dependencies: ["CRMImport", "AlignmentDomain"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AlignServerTests", dependencies: [
            "AlignServer", "AlignmentLedger",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "JSONCoreTests", dependencies: ["JSONCore", "ISOTime", "SplitMix"]),
        .testTarget(name: "ISOTimeTests", dependencies: ["ISOTime", "SplitMix"]),
    ],
    swiftLanguageModes: [.v6]
)
