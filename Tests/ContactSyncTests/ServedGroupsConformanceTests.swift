import Foundation
import Testing

@testable import ContactSync

@Suite("ServedGroups conformance")
struct ServedGroupsConformanceTests {
    private let t0 = Date(timeIntervalSince1970: 1_767_225_600.123)

    @Test("a fresh store serves no group; a recorded group is served, others are not", arguments: StoreFactory.all)
    func recordAndAsk(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            #expect(try await store.servesGroup("g") == false)
            try await store.recordServedGroup("g", now: t0)
            try await store.recordServedGroup("g", now: t0.addingTimeInterval(5))
            #expect(try await store.servesGroup("g"))
            #expect(try await store.servesGroup("other") == false)
            #expect(!store.storeName.isEmpty)
        }
    }

    @Test("retention pruning never deletes a served group", arguments: StoreFactory.all)
    func pruningKeepsGroups(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            try await store.recordServedGroup("g", now: t0)
            try await store.markDone(key: "k", contact: .sample(7), now: t0)
            #expect(try await SyncStores(store).prune(before: t0.addingTimeInterval(3_600)) == 1)
            #expect(try await store.servesGroup("g"))
        }
    }

    @Test("the SQLite file keeps its groups across reopening; the names never show a password")
    func sqliteKeepsGroups() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("dedupe.sqlite")
        try await SQLiteStore(path: path).recordServedGroup("g", now: t0)
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.servesGroup("g"))
        #expect(reopened.storeName == "SQLite file \(path)")
        let postgres = PostgresStore(
            settings: PostgresSettings(host: "db.example", port: 5433, database: "sync", user: "u"),
            password: PostgresPassword("hunter2-secret"), logger: .init(label: "test"))
        #expect(postgres.storeName == "PostgreSQL database db.example:5433/sync")
    }
}
