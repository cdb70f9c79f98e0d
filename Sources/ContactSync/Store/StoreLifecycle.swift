/// A backend that keeps every store concern.
public typealias StoreBackend = DedupeStore & OutcomeLedger & CallBudget & StoreLifecycle

/// What a backend needs around its use: connections to keep running and a schema to prepare. The embedded backends
/// need neither (SQLite migrates when it opens its file); the PostgreSQL one runs its connection pool and applies its
/// migrations, safely when N replicas start at once.
public protocol StoreLifecycle: Sendable {
    /// Runs the backend's connections until the task is cancelled.
    func run() async
    /// Creates or migrates the schema. Called once at start-up, while ``run()`` runs.
    func prepare() async throws
}

extension StoreLifecycle {
    public func run() async {}
    public func prepare() async throws {}
}

extension InMemoryStore: StoreLifecycle {}
extension SQLiteStore: StoreLifecycle {}
