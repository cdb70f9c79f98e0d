// swift-tools-version: 6.2
import PackageDescription

/// Our own targets build warning-free: a warning fails the build (dependencies keep their own settings).
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "komet-contact-sync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "komet-contact-sync", targets: ["komet-contact-sync"]),
        .executable(name: "komet-sim", targets: ["komet-sim"]),
        .executable(name: "kafka-mock", targets: ["kafka-mock"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // librdkafka, through pkg-config. Only the `Kafka` target imports it.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // Duration in milliseconds and seconds: the one conversion every module uses.
        .target(name: "DurationConversions", swiftSettings: strict),
        // Swift wrapper over librdkafka: consumer, producer, partition reader, mock cluster.
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                "DurationConversions",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Client for Komet Sales' customer.contact.add / customer.contact.list.
        .target(
            name: "KometClient",
            dependencies: [
                "DurationConversions",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // A Komet Sales simulator with fault injection, for tests and the demo.
        .target(
            name: "KometSimulator",
            dependencies: [
                "KometClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The sync core: decoding, mapping, dedupe store, pipeline, configuration.
        .target(
            name: "ContactSync",
            dependencies: [
                "DurationConversions",
                "Kafka",
                "KometClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "kafka-mock",
            dependencies: [
                "Kafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "komet-sim",
            dependencies: [
                "KometSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "komet-contact-sync",
            dependencies: [
                "ContactSync",
                "Kafka",
                "KometClient",
                "KometSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KometClientTests",
            dependencies: [
                "KometClient", "KometSimulator", "SyncTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ContactSyncTests",
            dependencies: [
                "ContactSync", "Kafka", "KometClient", "SyncTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // Writes SQLite files of an older schema, for the migration tests.
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["SyncTestSupport"], swiftSettings: strict),
        // Test helpers for several test targets: the bad-input corpus, the mutators, the seeded generator and a log
        // capture. Foundation and swift-log only (none of our modules), so that EndToEndTests still runs the built
        // executables from outside.
        .target(
            name: "SyncTestSupport", dependencies: [.product(name: "Logging", package: "swift-log")],
            path: "Tests/SyncTestSupport", swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
