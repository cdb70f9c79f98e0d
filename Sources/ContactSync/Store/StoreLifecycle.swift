/// A backend that keeps every store concern.
public typealias StoreBackend = DedupeStore & OutcomeLedger & CallBudget & StoreLifecycle & ServedGroups
    & CustomerRefusals

/// What a backend needs around its use: connections to keep running and a schema to prepare. The embedded backends
/// need neither (SQLite migrates when it opens its file); the PostgreSQL one runs its connection pool and applies its
/// migrations, safely when N replicas start at once.
public protocol StoreLifecycle: Sendable {
    /// Runs the backend's connections until the task is cancelled.
    func run() async
    /// Creates or migrates the schema. Called once at start-up, while ``run()`` runs.
    func prepare() async throws
    /// Returns when the task is cancelled, or throws ``StoreLostError`` as soon as the store the worker opened is gone
    /// (its SQLite file deleted, moved or replaced), so that the worker stops instead of forgetting keys silently.
    func watch() async throws
    /// The counter of the backend's round trips to its database (`nil` for a backend that has none, like memory).
    var tripCounter: StoreTripCounter? { get }
    /// The backend's name in metrics (`memory`, `sqlite`, `postgres`).
    var metricsName: String { get }
}

extension StoreLifecycle {
    public var tripCounter: StoreTripCounter? { nil }
    /// Round trips made to the database so far (0 for a backend that has none).
    public var roundTrips: Int { tripCounter?.total ?? 0 }
    public func run() async {}
    public func prepare() async throws {}
    /// A store that cannot vanish under the process (memory) or that a server keeps (PostgreSQL): waits for
    /// cancellation.
    public func watch() async throws {
        while (try? await Task.sleep(for: .seconds(3600))) != nil {}
    }
}

extension InMemoryStore: StoreLifecycle {
    public var metricsName: String { "memory" }
}
extension SQLiteStore: StoreLifecycle {
    public func watch() async throws {
        try await watcher.watch()
    }

    public var tripCounter: StoreTripCounter? { trips }
    public var metricsName: String { "sqlite" }
}
