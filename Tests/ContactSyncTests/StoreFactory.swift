import Foundation
import KometClient
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

extension DedupeStore {
    /// A claim leased for a minute from `now`, the usual case in tests that are not about leases.
    func claim(key: String, owner: String, origin: String?, now: Date) async throws -> ClaimResult {
        try await claim(key: key, owner: owner, origin: origin, now: now, leaseUntil: now.addingTimeInterval(60))
    }
}

extension ClaimResult {
    /// The claim of `owner` at `epoch`, when this is one.
    static func claimed(_ key: String, by owner: String, epoch: Int64 = 1) -> ClaimResult {
        .claimed(Claim(key: key, owner: owner, epoch: epoch))
    }

    /// Whether this is a claim of the key (whoever holds it).
    var isClaimed: Bool {
        if case .claimed = self { true } else { false }
    }
}

extension DedupeEntry.State {
    /// A pending row held by `owner` at `epoch`, written at `since`, leased until `until` (a minute after `since`
    /// unless given).
    static func pending(_ owner: String, epoch: Int64 = 1, since: Date, until: Date? = nil) -> Self {
        .pending(ClaimLease(owner: owner, epoch: epoch, until: until ?? since.addingTimeInterval(60)), since: since)
    }
}

extension CreatedContact {
    /// Contact `id` of `customer` (6326 unless given), created by a request named after it: every field a `done` row
    /// keeps is set, so a store that drops one fails the comparison.
    static func sample(_ id: Int64, customer: Int64 = 6326) -> CreatedContact {
        CreatedContact(
            contactId: id, createdBy: KometContactRequest(customerId: customer, name: "Contact \(id)", type: "Buyer"))
    }
}
