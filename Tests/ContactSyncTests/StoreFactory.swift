import Foundation
import Testing

@testable import ContactSync

/// A fresh store of one backend (every backend implements every store concern), plus its cleanup. Each concern's
/// conformance suite runs against all of them.
struct StoreFactory: Sendable, CustomStringConvertible {
    var description: String
    var make: @Sendable () throws -> (store: any DedupeStore & OutcomeLedger, cleanup: @Sendable () -> Void)

    static let inMemory = StoreFactory(description: "in-memory") {
        (InMemoryStore(), {})
    }

    static let sqlite = StoreFactory(description: "SQLite") {
        let directory = try TemporaryDirectory()
        return (try SQLiteStore(path: directory.path("dedupe.sqlite")), { directory.remove() })
    }

    static let all: [StoreFactory] = [.inMemory, .sqlite]
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
