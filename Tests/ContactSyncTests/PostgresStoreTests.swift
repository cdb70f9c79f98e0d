import Foundation
import PostgresNIO
import SyncTestSupport
import Testing

@testable import ContactSync

/// What only the shared backend must show: replicas (several stores on one database) starting and claiming at once.
@Suite("PostgresStore")
struct PostgresStoreTests {
    /// Runs `body` with `count` stores on one fresh database, each with its pool running.
    private func withReplicas(
        _ count: Int, _ body: @Sendable ([PostgresStore]) async throws -> Void
    ) async throws {
        let database = try await TestPostgres.shared().createDatabase()
        var stores: [PostgresStore] = []
        for _ in 0..<count { stores.append(try await PostgresStore.forTests(database: database, poolSize: 2)) }
        let replicas = stores
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in replicas { group.addTask { await store.run() } }
            try await body(replicas)
            group.cancelAll()
        }
    }

    @Test("replicas that start at once apply each migration exactly once")
    func concurrentMigrations() async throws {
        try await withReplicas(6) { replicas in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in replicas { group.addTask { try await store.prepare() } }
                try await group.waitForAll()
            }
            let rows = try await replicas[0].client.query("SELECT version FROM komet_sync_schema ORDER BY version")
            var versions: [Int32] = []
            for try await version in rows.decode(Int32.self) { versions.append(version) }
            #expect(versions == (1...PostgresStore.migrations.count).map(Int32.init))
            // Preparing again is a no-op.
            try await replicas[1].prepare()
        }
    }

    @Test("of concurrent claims of one key from several replicas, exactly one wins")
    func claimsAcrossReplicas() async throws {
        try await withReplicas(3) { replicas in
            try await replicas[0].prepare()
            let now = Date(timeIntervalSince1970: 1_767_225_600)
            let results = try await withThrowingTaskGroup(of: ClaimResult.self) { group in
                for attempt in 0..<30 {
                    let store = replicas[attempt % replicas.count]
                    group.addTask { try await store.claim(key: "hot", owner: "r\(attempt)", origin: nil, now: now) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count(where: \.isClaimed) == 1)
            #expect(results.count { if case .pending = $0 { true } else { false } } == 29)
        }
    }
}

@Suite("PostgreSQL settings and password")
struct PostgresSettingsTests {
    @Test("the password comes from its variable, else from its file; it never describes itself")
    func password() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("password")
        try Data("from-the-file\n".utf8).write(to: URL(fileURLWithPath: file))
        var settings = PostgresSettings()
        settings.passwordFile = file
        let fromVariable = try PostgresPassword.load(settings: settings, environment: ["PGPASSWORD": "s3cret"])
        #expect(fromVariable?.value == "s3cret")
        let fromFile = try PostgresPassword.load(settings: settings, environment: [:])
        #expect(fromFile?.value == "from-the-file")
        for text in ["\(fromFile!)", String(reflecting: fromFile!), "\(settings)"] {
            #expect(!text.contains("from-the-file"), "\(text)")
        }
        settings.passwordFile = directory.path("missing")
        #expect(throws: ConfigurationError.self) { try PostgresPassword.load(settings: settings, environment: [:]) }
        settings.passwordFile = nil
        #expect(try PostgresPassword.load(settings: settings, environment: [:]) == nil)
    }

    @Test("postgres.* settings are read and checked")
    func settings() throws {
        let source = ConfigurationSource(
            fileValues: [
                "dedupe.backend": "postgres", "postgres.host": "db.internal", "postgres.port": "6432",
                "postgres.database": "sync", "postgres.user": "sync_app", "postgres.tls": "require",
                "postgres.poolSize": "16", "postgres.passwordFile": "/run/secrets/pg",
            ])
        let configuration = try SyncConfiguration(source: source)
        #expect(configuration.dedupeBackend == .postgres)
        #expect(
            configuration.postgres
                == PostgresSettings(
                    host: "db.internal", port: 6432, database: "sync", user: "sync_app",
                    passwordFile: "/run/secrets/pg",
                    tls: .require, poolSize: 16))
        #expect(throws: ConfigurationError.self) {
            try SyncConfiguration(source: ConfigurationSource(fileValues: ["postgres.tls": "sometimes"]))
        }
    }
}
