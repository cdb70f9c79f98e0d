import Foundation
import Logging
import SyncTestSupport
import Testing

@testable import ContactSync

/// One backend (every backend implements every store concern): ``withStore(_:)`` hands a test a fresh, empty store
/// and cleans up after it. Each concern's conformance suite runs against all of them.
struct StoreFactory: Sendable, CustomStringConvertible {
    typealias Test = @Sendable (any StoreBackend) async throws -> Void

    var description: String
    var body: @Sendable (_ test: Test) async throws -> Void

    func withStore(_ test: Test) async throws {
        try await body(test)
    }

    static let inMemory = StoreFactory(description: "in-memory") { test in
        try await test(InMemoryStore())
    }

    static let sqlite = StoreFactory(description: "SQLite") { test in
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await test(try SQLiteStore(path: directory.path("dedupe.sqlite")))
    }

    /// A fresh database on the test process's own PostgreSQL server (started on first use).
    static let postgres = StoreFactory(description: "PostgreSQL") { test in
        let store = try await PostgresStore.forTests(database: try await TestPostgres.shared().createDatabase())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            try await store.prepare()
            try await test(store)
            group.cancelAll()
        }
    }

    static let all: [StoreFactory] = [.inMemory, .sqlite, .postgres]
}

extension PostgresStore {
    /// A store on `database` of the test server.
    static func forTests(database: String, poolSize: Int = 4) async throws -> PostgresStore {
        let server = try await TestPostgres.shared()
        var logger = Logger(label: "postgres-test")
        logger.logLevel = .critical
        return PostgresStore(
            settings: PostgresSettings(
                host: server.host, port: server.port, database: database, user: server.user, tls: .disable,
                poolSize: poolSize),
            password: PostgresPassword(server.password), logger: logger)
    }
}

/// A directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("dedupe-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
