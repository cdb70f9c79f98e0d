import Kafka
import Synchronization

/// What `/ready` and `/metrics` report: the assignment, whether Komet calls are paused, and outcome counters.
public final class HealthState: Sendable {
    private struct State {
        var assignment: [TopicPartition] = []
        var outcomes: [String: Int] = [:]
        var kometCalls = 0
        var kometPause: PauseReason?
        var storeLost: StoreLostError?
        var store: (any StoreLifecycle)?
    }

    private let state = Mutex(State())

    public init() {}

    func setAssignment(_ partitions: [TopicPartition]) {
        state.withLock { $0.assignment = partitions.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) } }
    }

    func recordOutcome(_ label: String, kometCalls: Int) {
        state.withLock {
            $0.outcomes[label, default: 0] += 1
            $0.kometCalls += kometCalls
        }
    }

    func setKometPause(_ reason: PauseReason?) {
        state.withLock { $0.kometPause = reason }
    }

    /// The backend whose round trips `/metrics` reports.
    func observeStore(_ store: any StoreLifecycle) {
        state.withLock { $0.store = store }
    }

    /// Round trips made to the store's database so far (see ``StoreTripCounter``).
    public var storeRoundTrips: Int { state.withLock { $0.store }?.roundTrips ?? 0 }

    func setStoreLost(_ error: StoreLostError) {
        state.withLock { $0.storeLost = error }
    }

    /// The store the worker opened is gone (``StoreLostError``): consumption has stopped for good.
    public var storeLost: StoreLostError? { state.withLock { $0.storeLost } }

    public var assignment: [TopicPartition] { state.withLock { $0.assignment } }

    /// Why Komet calls are paused (`throttled`, `quota`, `unavailable`, `systemic`), or `nil` when they are not.
    public var kometPause: PauseReason? { state.withLock { $0.kometPause } }

    /// Ready: the store is there, partitions are assigned and Komet accepts our token. A throttle, a spent quota or an
    /// outage does not make a replica unready (every replica would see the same, and restarting would not help); a refused token does.
    public var readiness: (ready: Bool, reason: String) {
        state.withLock { state in
            if let lost = state.storeLost { return (false, "store lost: \(lost.path) (\(lost.reason))") }
            if state.assignment.isEmpty { return (false, "no partitions assigned") }
            if state.kometPause?.stopsConsumption == true {
                return (false, "Komet refuses our calls (token or permission)")
            }
            return (true, "ready")
        }
    }

    /// Outcomes so far by status (`created`, `duplicate`, `reconciled`) or dead-letter reason.
    public var outcomes: [String: Int] { state.withLock { $0.outcomes } }

    /// Komet calls made so far (adds and look-ups, retries included).
    public var kometCalls: Int { state.withLock { $0.kometCalls } }
}
