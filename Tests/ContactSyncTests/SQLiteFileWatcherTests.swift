import Foundation
import Testing

@testable import ContactSync

@Suite("SQLite file watcher: a deleted, moved or replaced store file is noticed")
struct SQLiteFileWatcherTests {
    /// Runs the store's watcher with a short interval until it throws or `limit` passes.
    private func lost(_ store: SQLiteStore, within limit: Duration) async -> StoreLostError? {
        await withTaskGroup(of: StoreLostError?.self) { group in
            group.addTask {
                do {
                    try await store.watcher.watch(interval: .milliseconds(50))
                    return nil
                } catch {
                    return error as? StoreLostError
                }
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test("deleting the file: lost within a second, the error names the path and the rebuild command")
    func deleted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path("dedupe.sqlite"))
        try FileManager.default.removeItem(atPath: store.path)
        let error = try #require(await lost(store, within: .seconds(1)))
        #expect(error.path == store.path)
        #expect(error.reason.contains("no longer exists"))
        #expect(error.description.contains(store.path) && error.description.contains("rebuild-store"))
    }

    @Test("moving the file away: lost")
    func moved() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path("dedupe.sqlite"))
        try FileManager.default.moveItem(atPath: store.path, toPath: directory.path("elsewhere.sqlite"))
        #expect(await lost(store, within: .seconds(1)) != nil)
    }

    @Test("replacing the file by another one at its path: lost")
    func replaced() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path("dedupe.sqlite"))
        _ = try SQLiteStore(path: directory.path("other.sqlite"))
        try FileManager.default.removeItem(atPath: store.path)
        try FileManager.default.moveItem(atPath: directory.path("other.sqlite"), toPath: store.path)
        let error = try #require(await lost(store, within: .seconds(1)))
        #expect(error.reason.contains("replaced"))
    }

    @Test("an untouched file in use: not lost")
    func untouched() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path("dedupe.sqlite"))
        try await store.markDone(key: "k", contact: .sample(1), now: Date())
        #expect(store.watcher.check() == nil)
        #expect(await lost(store, within: .milliseconds(600)) == nil)
        #expect(try await store.entry(key: "k") != nil)
    }
}
