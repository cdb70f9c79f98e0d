import CoreMetrics
import DurationConversions
import Synchronization

/// Counts a backend's round trips to its database: one per transaction run on the SQLite file, one per statement sent
/// to PostgreSQL. `/metrics` shows the total (`komet_sync_store_round_trips_total`) and each trip's duration
/// (`komet_sync_store_trip_duration_seconds`), and the benchmark divides the total by the events processed.
public final class StoreTripCounter: Sendable {
    private let count = Atomic<Int>(0)
    /// Where trip durations go, once the worker's metrics are attached (``observe(_:)``); until then none are timed.
    private let timer = Mutex<CoreMetrics.Timer?>(nil)

    public init() {}

    /// Records the duration of every later trip in `timer`.
    func observe(_ timer: CoreMetrics.Timer) {
        self.timer.withLock { $0 = timer }
    }

    /// Runs one trip: counts it and, when observed, times it.
    func trip<T>(_ body: () async throws -> T) async throws -> T {
        count.add(1, ordering: .relaxed)
        guard let timer = timer.withLock({ $0 }) else { return try await body() }
        let start = ContinuousClock.now
        defer { timer.recordNanoseconds((ContinuousClock.now - start).wholeNanoseconds) }
        return try await body()
    }

    /// Round trips since the backend was opened.
    public var total: Int { count.load(ordering: .relaxed) }
}
