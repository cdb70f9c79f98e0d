import CoreMetrics
import DurationConversions
import Kafka
import KometClient
import Synchronization

/// The worker's metrics, on swift-metrics handles made by one explicit factory (``PrometheusMetricsBackend`` for
/// `/metrics`, a no-op one by default), so that tests and the demo never touch the process-wide `MetricsSystem`.
///
/// Every label value known in advance (outcomes, methods, results, pause reasons) has its series made at start, so a
/// dashboard or an alert sees 0 instead of no data until the first occurrence. The hot path only touches handles
/// made here: an increment is an atomic add, with no lookup by name.
public final class SyncMetrics: Sendable {
    let factory: any MetricsFactory
    private let outcomeCounters: [String: CoreMetrics.Counter]
    private let calls: [KometMethod: CoreMetrics.Counter]
    /// By method, then by result (`ok` or a failure class).
    private let callDurations: [KometMethod: [String: CoreMetrics.Timer]]
    private let callsInFlight: Meter
    private let retryCounters: [KometMethod: [KometFailureClass: CoreMetrics.Counter]]
    private let pauseGauges: [PauseReason: Gauge]
    let eventsBuffered: Gauge
    let eventsInFlight: Gauge
    let assignedPartitions: Gauge
    let pausedPartitions: Gauge
    let quotaLimit: Gauge
    let quotaUsed: Gauge
    let quotaRemaining: Gauge
    let storeRoundTrips: CoreMetrics.Counter
    let storeLost: Gauge
    let ready: Gauge
    let process: ProcessMetrics
    private let partitionGauges = Mutex<[TopicPartition: PartitionGauges]>([:])
    /// Store round trips already added to the counter (the store counts them itself, see ``StoreTripCounter``).
    private let reportedTrips = Mutex(0)

    private struct PartitionGauges {
        var lag: Gauge
        var committed: Gauge
    }

    /// A worker's metrics made by `factory`. `build` labels `komet_sync_build_info`.
    public init(factory: any MetricsFactory, build: BuildInfo = .current) {
        self.factory = factory
        func counter(_ name: SyncMetricName, _ dimensions: [(String, String)] = []) -> CoreMetrics.Counter {
            CoreMetrics.Counter(label: name.rawValue, dimensions: dimensions, factory: factory)
        }
        func gauge(_ name: SyncMetricName, _ dimensions: [(String, String)] = []) -> Gauge {
            Gauge(label: name.rawValue, dimensions: dimensions, factory: factory)
        }
        var outcomes: [String: CoreMetrics.Counter] = [:]
        for status in SuccessStatus.allCases {
            outcomes[status.rawValue] = counter(.outcomes, [("kind", "success"), ("outcome", status.rawValue)])
        }
        for reason in DeadLetterReason.allCases {
            outcomes[reason.rawValue] = counter(.outcomes, [("kind", "dead_letter"), ("outcome", reason.rawValue)])
        }
        outcomeCounters = outcomes
        let methods = KometMethod.allCases
        calls = Dictionary(
            uniqueKeysWithValues: methods.map { ($0, counter(.kometCalls, [("method", $0.rawValue)])) })
        let results = ["ok"] + KometFailureClass.allCases.map(\.rawValue)
        callDurations = Dictionary(
            uniqueKeysWithValues: methods.map { method in
                (
                    method,
                    Dictionary(
                        uniqueKeysWithValues: results.map { result in
                            (
                                result,
                                CoreMetrics.Timer(
                                    label: SyncMetricName.kometCallDuration.rawValue,
                                    dimensions: [("method", method.rawValue), ("result", result)], factory: factory)
                            )
                        })
                )
            })
        callsInFlight = Meter(label: SyncMetricName.kometCallsInFlight.rawValue, factory: factory)
        retryCounters = Dictionary(
            uniqueKeysWithValues: methods.map { method in
                (
                    method,
                    Dictionary(
                        uniqueKeysWithValues: KometFailureClass.allCases.map { failure in
                            (
                                failure,
                                counter(.kometRetries, [("method", method.rawValue), ("class", failure.rawValue)])
                            )
                        })
                )
            })
        pauseGauges = Dictionary(
            uniqueKeysWithValues: PauseReason.allCases.map { ($0, gauge(.kometPaused, [("reason", $0.rawValue)])) })
        eventsBuffered = gauge(.eventsBuffered)
        eventsInFlight = gauge(.eventsInFlight)
        assignedPartitions = gauge(.assignedPartitions)
        pausedPartitions = gauge(.pausedPartitions)
        quotaLimit = gauge(.quotaLimit)
        quotaUsed = gauge(.quotaUsed)
        quotaRemaining = gauge(.quotaRemaining)
        storeRoundTrips = counter(.storeRoundTrips)
        storeLost = gauge(.storeLost)
        ready = gauge(.ready)
        process = ProcessMetrics(factory: factory)
        gauge(.buildInfo, [("version", build.version), ("swift", build.swiftVersion)]).record(1)
        for pause in pauseGauges.values { pause.record(0) }
    }

    /// Metrics that go nowhere: for tests and tools that have no `/metrics`.
    public static let disabled = SyncMetrics(factory: NOOPMetricsHandler.instance)

    // MARK: - Outcomes and Komet calls

    /// One outcome published; `label` is the status or the dead-letter reason.
    func recordOutcome(_ label: String) {
        outcomeCounters[label]?.increment()
    }

    /// Whether the metrics know this outcome label (every status and reason has its series from the start).
    func knowsOutcome(_ label: String) -> Bool { outcomeCounters[label] != nil }

    /// A failed call of `method` will be made again.
    func recordRetry(method: KometMethod, failureClass: KometFailureClass) {
        retryCounters[method]?[failureClass]?.increment()
    }

    /// Sets the pause gauges: 1 for `reason`, 0 for the others.
    func setPause(_ reason: PauseReason?) {
        for (candidate, gauge) in pauseGauges { gauge.record(candidate == reason ? 1 : 0) }
    }

    // MARK: - Partitions

    /// The lag and committed offset of the assigned partitions; the series of partitions no longer assigned are
    /// removed, so a revoked partition does not show its last value for ever on this replica.
    func setPartitionOffsets(_ offsets: [TopicPartition: (committed: Int64, lag: Int64)]) {
        partitionGauges.withLock { gauges in
            for (partition, stale) in gauges where offsets[partition] == nil {
                stale.lag.destroy()
                stale.committed.destroy()
                gauges[partition] = nil
            }
            for (partition, value) in offsets {
                let entry =
                    gauges[partition]
                    ?? {
                        let labels = [("topic", partition.topic), ("partition", String(partition.partition))]
                        let made = PartitionGauges(
                            lag: Gauge(
                                label: SyncMetricName.consumerLag.rawValue, dimensions: labels, factory: factory),
                            committed: Gauge(
                                label: SyncMetricName.committedOffset.rawValue, dimensions: labels, factory: factory))
                        gauges[partition] = made
                        return made
                    }()
                entry.lag.record(value.lag)
                entry.committed.record(value.committed)
            }
        }
    }

    /// Adds the store's round trips made since the last call (the store keeps the running total).
    func reportStoreTrips(total: Int) {
        let delta = reportedTrips.withLock { reported in
            defer { reported = max(reported, total) }
            return total - reported
        }
        if delta > 0 { storeRoundTrips.increment(by: delta) }
    }

    /// The handle a store's ``StoreTripCounter`` records each trip's duration in.
    func storeTripTimer(backend: String) -> CoreMetrics.Timer {
        CoreMetrics.Timer(
            label: SyncMetricName.storeTripDuration.rawValue, dimensions: [("backend", backend)], factory: factory)
    }
}

extension SyncMetrics: KometCallObserver {
    public func callStarted(_ method: KometMethod) {
        calls[method]?.increment()
        callsInFlight.increment()
    }

    public func callEnded(_ method: KometMethod, failureClass: KometFailureClass?, duration: Duration) {
        callsInFlight.decrement()
        callDurations[method]?[failureClass?.rawValue ?? "ok"]?.recordNanoseconds(duration.wholeNanoseconds)
    }
}
