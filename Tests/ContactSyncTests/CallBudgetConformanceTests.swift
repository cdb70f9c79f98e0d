import Foundation
import SyncTestSupport
import Testing

@testable import ContactSync

private let t0 = Date(timeIntervalSince1970: 1_767_225_600)
private func window(_ index: Int, length: Double = 60) -> BudgetWindow {
    BudgetWindow(
        start: t0.addingTimeInterval(Double(index) * length), end: t0.addingTimeInterval(Double(index + 1) * length))
}

@Suite("CallBudget conformance")
struct CallBudgetConformanceTests {
    @Test("spends up to the limit, then answers spent with the reset", arguments: StoreFactory.all)
    func limit(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            let first = window(0)
            #expect(try await store.callsUsed(windowStart: first.start) == 0)
            for used in 1...3 {
                #expect(try await store.spendCall(in: first, limit: 3) == .granted(used: used))
            }
            #expect(try await store.spendCall(in: first, limit: 3) == .spent(used: 3, resetsAt: first.end))
            #expect(try await store.spendCall(in: first, limit: 3) == .spent(used: 3, resetsAt: first.end))
            #expect(try await store.callsUsed(windowStart: first.start) == 3)
            // A raised limit (a smaller reserve) grants again; a lowered one refuses at once.
            #expect(try await store.spendCall(in: first, limit: 4) == .granted(used: 4))
            #expect(try await store.spendCall(in: first, limit: 2) == .spent(used: 4, resetsAt: first.end))
        }
    }

    @Test("each window counts on its own", arguments: StoreFactory.all)
    func windowsAreSeparate(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            #expect(try await store.spendCall(in: window(0), limit: 1) == .granted(used: 1))
            #expect(try await store.spendCall(in: window(0), limit: 1) == .spent(used: 1, resetsAt: window(0).end))
            #expect(try await store.spendCall(in: window(1), limit: 1) == .granted(used: 1))
            #expect(try await store.spendCall(in: window(2), limit: 5) == .granted(used: 1))
            #expect(try await store.callsUsed(windowStart: window(0).start) == 1)
            #expect(try await store.callsUsed(windowStart: window(2).start) == 1)
            #expect(try await store.callsUsed(windowStart: window(3).start) == 0)
        }
    }

    @Test("prune removes the windows that ended before the cutoff", arguments: StoreFactory.all)
    func prune(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            for index in 0..<3 { _ = try await store.spendCall(in: window(index), limit: 10) }
            // Window 1 ends at t0 + 120 s: it is still in use at the cutoff, so it stays.
            #expect(try await SyncStores(store).prune(before: t0.addingTimeInterval(90)) == 1)
            #expect(try await store.callsUsed(windowStart: window(0).start) == 0)
            #expect(try await store.callsUsed(windowStart: window(1).start) == 1)
            #expect(try await store.callsUsed(windowStart: window(2).start) == 1)
        }
    }

    @Test(
        "a batch of spends grants what the limit allows, in order, as single spends would", arguments: StoreFactory.all)
    func batch(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            let first = window(0)
            #expect(try await store.spendCalls(0, in: first, limit: 5).isEmpty)
            #expect(try await store.spendCalls(2, in: first, limit: 5) == [.granted(used: 1), .granted(used: 2)])
            #expect(try await store.spendCall(in: first, limit: 5) == .granted(used: 3))
            #expect(
                try await store.spendCalls(4, in: first, limit: 5) == [
                    .granted(used: 4), .granted(used: 5), .spent(used: 5, resetsAt: first.end),
                    .spent(used: 5, resetsAt: first.end),
                ])
            #expect(try await store.callsUsed(windowStart: first.start) == 5)
            // A lowered limit refuses the whole batch; a fresh window grants from 1.
            #expect(
                try await store.spendCalls(2, in: first, limit: 3)
                    == Array(repeating: .spent(used: 5, resetsAt: first.end), count: 2))
            #expect(
                try await store.spendCalls(3, in: window(1), limit: 2) == [
                    .granted(used: 1), .granted(used: 2), .spent(used: 2, resetsAt: window(1).end),
                ])
        }
    }

    @Test(
        "store instances on one database spending batches at once grant exactly the limit", arguments: SharedBudget.all)
    func concurrentBatches(_ shared: SharedBudget) async throws {
        let limit = 100
        try await shared.withInstances(4) { instances async throws in
            let target = window(8)
            let grants = try await withThrowingTaskGroup(of: Int.self) { group in
                for instance in instances {
                    group.addTask {
                        var granted = 0
                        for size in [1, 7, 3, 12, 5, 9] {
                            for spend in try await instance.spendCalls(size, in: target, limit: limit) {
                                if case .granted = spend { granted += 1 }
                            }
                        }
                        return granted
                    }
                }
                return try await group.reduce(0) { $0 + $1 }
            }
            #expect(grants == limit)
            #expect(try await instances[0].callsUsed(windowStart: target.start) == limit)
        }
    }

    @Test(
        "store instances on one database spending at once grant exactly the limit", arguments: SharedBudget.all)
    func concurrentReplicas(_ shared: SharedBudget) async throws {
        let limit = 100
        let perInstance = 60
        try await shared.withInstances(4) { instances async throws in
            let target = window(7)
            let grants = try await withThrowingTaskGroup(of: Int.self) { group in
                for instance in instances {
                    group.addTask {
                        var granted = 0
                        for _ in 0..<perInstance {
                            if case .granted = try await instance.spendCall(in: target, limit: limit) { granted += 1 }
                        }
                        return granted
                    }
                }
                return try await group.reduce(0) { $0 + $1 }
            }
            #expect(grants == limit)
            #expect(try await instances[0].callsUsed(windowStart: target.start) == limit)
        }
    }
}

/// Several store instances on one database (one object for memory, one file for SQLite, one database for
/// PostgreSQL), like replicas sharing a store.
struct SharedBudget: Sendable, CustomStringConvertible {
    typealias Test = @Sendable ([any CallBudget]) async throws -> Void
    var description: String
    var body: @Sendable (_ count: Int, _ test: Test) async throws -> Void

    func withInstances(_ count: Int, _ test: Test) async throws { try await body(count, test) }

    static let inMemory = SharedBudget(description: "in-memory") { count, test in
        let store = InMemoryStore()
        try await test(Array(repeating: store, count: count))
    }

    static let sqlite = SharedBudget(description: "SQLite") { count, test in
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("budget.sqlite")
        try await test(try (0..<count).map { _ in try SQLiteStore(path: path) })
    }

    static let postgres = SharedBudget(description: "PostgreSQL") { count, test in
        let database = try await TestPostgres.shared().createDatabase()
        var stores: [PostgresStore] = []
        for _ in 0..<count { stores.append(try await PostgresStore.forTests(database: database, poolSize: 2)) }
        let instances = stores
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in instances { group.addTask { await store.run() } }
            for store in instances { try await store.prepare() }
            try await test(instances)
            group.cancelAll()
        }
    }

    static let all: [SharedBudget] = [.inMemory, .sqlite, .postgres]
}
