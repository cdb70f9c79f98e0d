import AsyncHTTPClient
import DurationConversions
import Foundation
import Kafka
import KometClient
import Logging
import ServiceLifecycle

/// The worker: consumer, pipeline and producer, run as one ServiceLifecycle service.
///
/// On graceful shutdown (SIGTERM) it stops consuming; closing the consumer revokes every partition, which drains the
/// running events and commits their offsets; then the producer is flushed. Nothing is acknowledged before its outcome
/// is durable, so whatever was not finished is consumed again on the next start.
public final class SyncService: Service {
    private let configuration: SyncConfiguration
    /// The Komet token now, re-read from `komet.tokenFile` before every probe and when the file changes.
    private let tokens: KometTokenSource
    private let stores: SyncStores
    private let httpClient: HTTPClient
    private let logger: Logger
    /// Start on a store that has never served the group even though the group has committed offsets.
    private let acceptEmptyStore: Bool
    /// Liveness, readiness and the metrics, for `/health`, `/ready`, `/metrics` and the demo's table.
    public let health: HealthState
    /// How often the lag, committed offsets, quota and broker reachability are sampled.
    static let sampleInterval: Duration = .seconds(5)
    /// How often the token file's stamp (identity, size, modification time: one `stat`) is compared with the one last
    /// read; the file is read only when it changed, and before every probe of a paused gate whatever its stamp.
    static let tokenCheckInterval: Duration = .seconds(5)

    /// Builds the worker. The HTTP client is owned by the caller (one per process). `acceptEmptyStore`
    /// (`run --accept-empty-store`) lets it start over on a store that lost its rows (see ``StoreStartDecision``).
    ///
    /// `tokens` holds the Komet token; without it, the worker makes one for `token` as ``KometToken/load`` chose it:
    /// from `komet.tokenFile` (which then rotates without a restart) unless the process's `komet.tokenVariable`
    /// variable is set (which cannot).
    public init(
        configuration: SyncConfiguration,
        token: KometToken,
        tokens: KometTokenSource? = nil,
        stores: SyncStores,
        httpClient: HTTPClient,
        logger: Logger,
        metrics: SyncMetrics = .disabled,
        acceptEmptyStore: Bool = false
    ) {
        self.acceptEmptyStore = acceptEmptyStore
        self.health = HealthState(metrics: metrics, stallTimeout: configuration.stallTimeout)
        self.configuration = configuration
        self.tokens =
            tokens
            ?? KometTokenSource(
                loaded: token, environment: ProcessInfo.processInfo.environment,
                variable: configuration.tokenVariable, file: configuration.tokenFile)
        self.stores = stores
        self.httpClient = httpClient
        self.logger = logger
        health.observeStore(stores.lifecycle)
        stores.lifecycle.tripCounter?.observe(metrics.storeTripTimer(backend: stores.lifecycle.metricsName))
    }

    /// Runs the store's connections (and prepares its schema) around the worker. Throws ``EmptyStoreError`` before
    /// consuming anything when the store lost its rows. When the store is lost while running, the worker stops
    /// consuming and then stays up, unready, until it is stopped (see ``watchStore(consumer:)``).
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.stores.lifecycle.run() }
            try await stores.lifecycle.prepare()
            try await StoreStartCheck(
                groups: stores.groups, configuration: configuration, acceptEmptyStore: acceptEmptyStore, logger: logger
            ).run()
            try await work()
            if health.storeLost != nil { try? await gracefulShutdown() }
            group.cancelAll()
        }
    }

    /// Consumer, pipeline and producer until graceful shutdown.
    private func work() async throws {
        let clients = try WorkerKafkaClients(configuration: configuration, logger: logger)
        let (producer, consumer, reader) = (clients.producer, clients.consumer, clients.reader)
        let komet = KometClient(
            configuration: configuration.komet, tokens: tokens, httpClient: httpClient, observer: health.metrics)
        let tokens = tokens
        let logger = logger
        let limiter = CallLimiter(budget: stores.budget, settings: configuration.callBudget)
        let owner =
            "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
        let pipeline = Pipeline(
            configuration: configuration.pipeline,
            stages: EventStages(
                preparer: EventPreparer(
                    decoder: ContactEventDecoder(maxPayloadBytes: configuration.maxPayloadBytes),
                    mapper: ContactMapper(configuration: configuration.mapping),
                    keyStrategy: DedupeKeyStrategy(order: configuration.dedupeKeyOrder)),
                processor: EventProcessor(
                    keys: stores.keys, komet: komet, retry: configuration.retry,
                    ambiguousPolicy: configuration.pipeline.ambiguousPolicy,
                    maxInFlight: configuration.pipeline.maxInFlight,
                    unknownCustomers: configuration.unknownCustomers, refusals: stores.refusals,
                    claims: configuration.claims,
                    limiter: limiter, owner: owner, metrics: health.metrics,
                    prepareProbe: { tokens.refresh(force: true, logger: logger) }, logger: logger),
                publisher: OutcomePublisher(
                    recorder: OutcomeRecorder(
                        successTopic: configuration.successTopic, deadLetterTopic: configuration.deadLetterTopic,
                        tokens: tokens, logPersonalData: configuration.logPersonalData, health: health),
                    ledger: stores.ledger,
                    keys: stores.keys,
                    sink: producer,
                    lookup: KafkaOutcomeLookup(reader: reader, deadLetterTopic: configuration.deadLetterTopic),
                    logger: logger)),
            consumer: consumer,
            health: health,
            logger: logger
        )
        let bridge = ConsumerBridge(pipeline: pipeline, health: health)
        health.attach(.init(load: { pipeline.load }, sinceLastPoll: { consumer.sinceLastPoll }))
        defer { health.detach() }
        logger.info(
            "komet-contact-sync starting",
            metadata: [
                SyncLogKey.topics: "\(configuration.inputTopics)",
                SyncLogKey.maxInFlight: .stringConvertible(configuration.pipeline.maxInFlight),
                SyncLogKey.maxConnections: .stringConvertible(configuration.komet.maxConnections),
                SyncLogKey.dedupeBackend: "\(configuration.dedupeBackend.rawValue)",
            ])

        announceTokenOrigin()
        if configuration.komet.maxConnections < configuration.pipeline.maxInFlight {
            logger.notice(
                "Komet calls in flight are limited by komet.maxConnections, below pipeline.maxInFlight",
                metadata: [
                    SyncLogKey.maxConnections: .stringConvertible(configuration.komet.maxConnections),
                    SyncLogKey.maxInFlight: .stringConvertible(configuration.pipeline.maxInFlight),
                ])
        }
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await pipeline.run() }
                group.addTask {
                    defer { pipeline.finish() }
                    try await consumer.run(delegate: bridge)
                }
                group.addTask { await self.pruneLoop() }
                group.addTask { await self.watchStore(consumer: consumer) }
                group.addTask { await self.sampleLoop(consumer: consumer, limiter: limiter) }
                group.addTask { await self.tokenWatchLoop() }
                // The consumer ends first (on shutdown or a lost store); then the pipeline; the pruner and the
                // watcher are cancelled with them.
                _ = try await group.next()
                try await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            consumer.stop()
        }
        await producer.shutdown(flushTimeout: .seconds(10))
        await reader.close()
        logger.info("komet-contact-sync stopped", metadata: [SyncLogKey.outcomes: "\(health.outcomes)"])
    }

    /// Watches the store until cancelled. When it is lost: `/ready` fails, one error line says what to do, and the
    /// consumer stops as on shutdown (waiting events are dropped, running ones drain, offsets are committed), so no
    /// new event reaches Komet on a store that would forget it. The process stays up, unready, until it is stopped:
    /// a restart would refuse the empty store anyway (``EmptyStoreError``), and `/ready` keeps saying why.
    private func watchStore(consumer: KafkaConsumer) async {
        do {
            try await stores.lifecycle.watch()
        } catch let lost as StoreLostError {
            health.setStoreLost(lost)
            logger.error("\(lost)", metadata: [SyncLogKey.store: "\(lost.path)"])
            consumer.stop()
        } catch {
            logger.error("watching the store failed", metadata: [SyncLogKey.error: "\(error)"])
        }
        // Ends with the pruner, when the consumer and the pipeline have ended.
        while (try? await Task.sleep(for: .seconds(3600))) != nil {}
    }

    /// Samples what costs a request to know, every ``sampleInterval`` until cancelled: whether a broker answers (a
    /// metadata request for the first input topic), the consumer group's committed offset and lag per assigned
    /// partition, and the shared call budget's use in its current window. A failed sample leaves the previous values
    /// (and says so at debug level); the next one tries again.
    private func sampleLoop(consumer: KafkaConsumer, limiter: CallLimiter) async {
        let metrics = health.metrics
        repeat {
            do {
                _ = try await consumer.partitionCount(of: configuration.inputTopics[0])
                health.setBrokerProblem(nil)
            } catch let error as KafkaError where error.isBrokerUnreachable {
                health.setBrokerProblem("\(error)")
            } catch {
                // A broker answered (the topic may be missing: the consumer logs that itself).
                health.setBrokerProblem(nil)
            }
            do {
                metrics.setPartitionOffsets(try await Self.partitionOffsets(of: consumer))
            } catch {
                logger.debug("sampling offsets failed", metadata: [SyncLogKey.error: "\(error)"])
            }
            do {
                let limit = configuration.callBudget.limit
                let used = try await stores.budget.callsUsed(windowStart: limiter.currentWindow().start)
                metrics.quotaLimit.record(limit)
                metrics.quotaUsed.record(used)
                metrics.quotaRemaining.record(max(0, limit - used))
            } catch {
                logger.debug("sampling the call budget failed", metadata: [SyncLogKey.error: "\(error)"])
            }
        } while (try? await Task.sleep(for: Self.sampleInterval)) != nil
    }

    /// The consumer group's committed offset and lag of each assigned partition.
    private static func partitionOffsets(
        of consumer: KafkaConsumer
    ) async throws -> [TopicPartition: (committed: Int64, lag: Int64)] {
        let partitions = consumer.assignment
        guard !partitions.isEmpty else { return [:] }
        let committed = try await consumer.committedOffsets(for: partitions, timeout: .seconds(5))
        let high = try await consumer.highWatermarks(for: partitions)
        var offsets: [TopicPartition: (committed: Int64, lag: Int64)] = [:]
        for partition in partitions {
            guard let end = high[partition] else { continue }
            // No committed offset yet: the group starts at the beginning (auto.offset.reset=earliest), so the whole
            // partition is lag (an upper bound when retention has deleted its start).
            let next = committed[partition] ?? 0
            offsets[partition] = (next, max(0, end - next))
        }
        return offsets
    }

    /// Says where the token comes from and whether it can rotate without a restart.
    private func announceTokenOrigin() {
        switch tokens.origin {
        case .file:
            logger.info(
                """
                the Komet token comes from komet.tokenFile: a rewritten file takes effect without a restart (checked \
                every \(Self.tokenCheckInterval) and before every probe of a paused gate)
                """)
        case .environment(let variable):
            logger.notice(
                """
                the Komet token comes from the environment variable \(variable): it cannot rotate without a restart; \
                to rotate it in place, leave the variable unset and set komet.tokenFile
                """)
        case .fixed:
            break
        }
    }

    /// Compares the token file's stamp with the one last read every ``tokenCheckInterval`` until cancelled, and reads
    /// it when it changed, so a rotation done before the old token is revoked takes effect with no pause at all.
    /// Like the other background tasks it ends only when cancelled (the worker's task group waits for the consumer
    /// and the pipeline to end first).
    private func tokenWatchLoop() async {
        let rotates = tokens.origin.canRotate
        while (try? await Task.sleep(for: rotates ? Self.tokenCheckInterval : .seconds(3600))) != nil {
            if rotates { tokens.refresh(force: false, logger: logger) }
        }
    }

    /// Deletes key rows and ledger marks older than the retention, at the configured interval, until cancelled.
    private func pruneLoop() async {
        repeat {
            do {
                let cutoff = Date().addingTimeInterval(-configuration.retention.timeInterval)
                let pruned = try await stores.prune(before: cutoff)
                if pruned > 0 {
                    logger.info("pruned dedupe keys", metadata: [SyncLogKey.pruned: .stringConvertible(pruned)])
                }
            } catch {
                logger.warning("pruning the dedupe store failed", metadata: [SyncLogKey.error: "\(error)"])
            }
        } while (try? await Task.sleep(for: configuration.pruneInterval)) != nil
    }
}
