import Kafka
import Synchronization

/// What `/ready` and `/metrics` report: the assignment and outcome counters.
public final class HealthState: Sendable {
    private struct State {
        var assignment: [TopicPartition] = []
        var outcomes: [String: Int] = [:]
        var kometCalls = 0
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

    public var assignment: [TopicPartition] { state.withLock { $0.assignment } }

    /// Outcomes so far by status (`created`, `duplicate`, `reconciled`) or dead-letter reason.
    public var outcomes: [String: Int] { state.withLock { $0.outcomes } }

    /// Komet calls made so far (adds and look-ups, retries included).
    public var kometCalls: Int { state.withLock { $0.kometCalls } }
}
