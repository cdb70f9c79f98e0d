import Synchronization

/// Counts a backend's round trips to its database: one per transaction run on the SQLite file, one per statement sent
/// to PostgreSQL. `/metrics` shows the total (`komet_sync_store_round_trips_total`), and the benchmark divides it by
/// the events processed.
public final class StoreTripCounter: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    func add(_ trips: Int = 1) {
        count.add(trips, ordering: .relaxed)
    }

    /// Round trips since the backend was opened.
    public var total: Int { count.load(ordering: .relaxed) }
}
