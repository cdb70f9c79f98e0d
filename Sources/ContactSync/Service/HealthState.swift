import DurationConversions
import Kafka
import Synchronization

/// What `/health`, `/ready` and `/metrics` report: liveness (the poll loop and the pipeline make progress), readiness
/// with its reason, and the worker's metrics.
public final class HealthState: Sendable {
    /// The worker's metrics (``SyncMetrics/disabled`` unless `/metrics` is served).
    public let metrics: SyncMetrics
    /// Liveness fails when the poll loop, or the pipeline with work to do, makes no progress for this long.
    public let stallTimeout: Duration

    private struct State {
        var assignment: [TopicPartition] = []
        var outcomes: [String: Int] = [:]
        var kometPause: PauseReason?
        var storeLost: StoreLostError?
        var store: (any StoreLifecycle)?
        /// Why the brokers did not answer the last metadata request, or `nil` when they did.
        var brokerProblem: String?
        var sources: Sources?
    }

    /// Where the live values come from, once the worker consumes.
    struct Sources: Sendable {
        var load: @Sendable () -> PipelineLoad
        var sinceLastPoll: @Sendable () -> Duration?
    }

    private let state = Mutex(State())
    /// Beats when the pipeline finishes an event, when work arrives at an idle pipeline and when a pause changes.
    private let progress = Heartbeat()

    public init(metrics: SyncMetrics = .disabled, stallTimeout: Duration = .seconds(300)) {
        self.metrics = metrics
        self.stallTimeout = stallTimeout
    }

    // MARK: - What the worker reports

    func setAssignment(_ partitions: [TopicPartition]) {
        state.withLock { $0.assignment = partitions.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) } }
        metrics.assignedPartitions.record(partitions.count)
    }

    func recordOutcome(_ label: String) {
        state.withLock { $0.outcomes[label, default: 0] += 1 }
        metrics.recordOutcome(label)
    }

    func setKometPause(_ reason: PauseReason?) {
        state.withLock { $0.kometPause = reason }
        metrics.setPause(reason)
        progress.beat()
    }

    /// The backend whose round trips `/metrics` reports.
    func observeStore(_ store: any StoreLifecycle) {
        state.withLock { $0.store = store }
    }

    func setStoreLost(_ error: StoreLostError) {
        state.withLock { $0.storeLost = error }
        metrics.storeLost.record(1)
    }

    /// The outcome of the last metadata request: `nil` when a broker answered, otherwise why none did.
    func setBrokerProblem(_ problem: String?) {
        state.withLock { $0.brokerProblem = problem }
    }

    /// The consumer and the pipeline are running: liveness watches them from now on.
    func attach(_ sources: Sources) {
        progress.beat()
        state.withLock { $0.sources = sources }
    }

    /// They stopped (shutdown, or a lost store): nothing to watch any more.
    func detach() {
        state.withLock { $0.sources = nil }
    }

    /// The pipeline moved: an event finished, or work arrived while it was idle.
    func noteProgress() {
        progress.beat()
    }

    // MARK: - What the probes read

    /// Round trips made to the store's database so far (see ``StoreTripCounter``).
    public var storeRoundTrips: Int { state.withLock { $0.store }?.roundTrips ?? 0 }

    /// The store the worker opened is gone (``StoreLostError``): consumption has stopped for good.
    public var storeLost: StoreLostError? { state.withLock { $0.storeLost } }

    public var assignment: [TopicPartition] { state.withLock { $0.assignment } }

    /// Why Komet calls are paused (`throttled`, `quota`, `unavailable`, `systemic`), or `nil` when they are not.
    public var kometPause: PauseReason? { state.withLock { $0.kometPause } }

    /// Outcomes so far by status (`created`, `duplicate`, `reconciled`) or dead-letter reason.
    public var outcomes: [String: Int] { state.withLock { $0.outcomes } }

    /// Ready: the store is there, a broker answers, partitions are assigned and Komet accepts our token. A throttle, a
    /// spent quota or an outage does not make a replica unready (every replica would see the same, and restarting
    /// would not help); a refused token does, and so does a broker no request reaches.
    public var readiness: (ready: Bool, reason: String) {
        state.withLock { state in
            if let lost = state.storeLost { return (false, "store lost: \(lost.path) (\(lost.reason))") }
            if let problem = state.brokerProblem { return (false, "broker unreachable: \(problem)") }
            if state.assignment.isEmpty { return (false, "no partitions assigned") }
            if state.kometPause?.stopsConsumption == true {
                return (false, "paused: Komet refuses our calls (token or permission)")
            }
            return (true, "ready")
        }
    }

    /// Alive unless the consumer's poll loop has not gone round for ``stallTimeout`` (a wedged callback or librdkafka
    /// call: the group would soon drop this member and nothing would be consumed), or the pipeline has work and has
    /// finished none of it for as long while nothing explains the wait (a Komet pause, an unreachable broker, a lost
    /// store: those are readiness matters, and restarting would not cure them). Before consuming starts and after it
    /// ends there is nothing to watch: alive.
    public var liveness: (alive: Bool, reason: String) {
        let (sources, explained) = state.withLock { state in
            (state.sources, state.kometPause != nil || state.brokerProblem != nil || state.storeLost != nil)
        }
        guard let sources else { return (true, "ok") }
        if let idle = sources.sinceLastPoll(), idle > stallTimeout {
            return (false, "Kafka poll loop stalled: it has not polled for \(Self.seconds(idle))")
        }
        let load = sources.load()
        if load.pending > 0, !explained, let since = progress.sinceLastBeat, since > stallTimeout {
            return (
                false,
                "pipeline stalled: \(load.pending) events pending and none finished for \(Self.seconds(since))"
            )
        }
        return (true, "ok")
    }

    /// Brings the gauges that are read rather than pushed up to date: called before each `/metrics` scrape.
    public func refreshMetrics() {
        let (sources, store) = state.withLock { ($0.sources, $0.store) }
        let load = sources?.load() ?? .idle
        metrics.eventsBuffered.record(load.waiting)
        metrics.eventsInFlight.record(load.running)
        metrics.pausedPartitions.record(load.pausedPartitions)
        metrics.reportStoreTrips(total: store?.roundTrips ?? 0)
        metrics.ready.record(readiness.ready ? 1 : 0)
        metrics.process.update()
    }

    private static func seconds(_ duration: Duration) -> String {
        "\(duration.wholeMilliseconds / 1000)s"
    }
}
