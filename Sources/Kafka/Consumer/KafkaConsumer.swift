import CRdKafka
import Foundation
import Logging
import Synchronization

/// A high-level Kafka consumer in a consumer group (cooperative-sticky assignment, offsets stored explicitly).
///
/// `run(delegate:)` polls on a dedicated thread and calls the delegate there. Offsets are stored with
/// `storeOffset(_:nextOffset:)` and committed by librdkafka's auto-commit, on revoke and on close.
public final class KafkaConsumer: Sendable {
    let client: RdKafkaClient
    private let topics: [String]
    let logger: Logger
    private let state: Mutex<RunState> = Mutex(RunState())
    private let heartbeat = Heartbeat()

    private struct RunState {
        var started = false
        var stopRequested = false
        /// `rd_kafka_subscribe` succeeded: the consumer may have joined its group.
        var subscribed = false
        /// The rebalance callback was given an assignment (maybe empty) at least once.
        var assignmentReceived = false
        /// Partitions resumed since the poll loop last woke librdkafka's fetcher for them (see ``resume(_:)``).
        var resumedToWake: Set<TopicPartition> = []
    }

    /// How `configuration` is completed before it reaches librdkafka.
    static let configurationRules = RdKafkaConfiguration(
        defaults: [
            "enable.auto.commit": "true",
            "auto.commit.interval.ms": "1000",
            "auto.offset.reset": "earliest",
            // A fetch the broker holds for want of data delays the next one, and a resumed partition's first
            // fetch with it (librdkafka's default is 500 ms).
            "fetch.wait.max.ms": "100",
            // Records fetched ahead of the application: librdkafka's default, 64 MB, is most of the worker's memory
            // under a backlog and buys nothing once the pipeline's own buffer is full (measured: peak RSS 150 MB with
            // it, 111 MB with 8 MB, and no slower).
            "queued.max.messages.kbytes": "8192",
        ],
        forced: [
            .init("enable.auto.offset.store", "false"),
            .init("partition.assignment.strategy", "cooperative-sticky"),
        ]
    )

    /// `configuration` is passed to librdkafka verbatim (bootstrap.servers, group.id, SASL/SSL, ...), after these
    /// defaults that the caller may NOT override: enable.auto.offset.store=false,
    /// partition.assignment.strategy=cooperative-sticky (a different value throws).
    /// Defaults the caller may override: enable.auto.commit=true, auto.commit.interval.ms=1000,
    /// auto.offset.reset=earliest, fetch.wait.max.ms=100, queued.max.messages.kbytes=8192.
    /// Bad or unknown settings throw `KafkaError` whose message and `setting` name the setting.
    public init(configuration: [String: String], topics: [String], logger: Logger) throws {
        guard !topics.isEmpty, !topics.contains(where: \.isEmpty) else {
            throw KafkaError.configuration("topics", "A consumer needs at least one non-empty topic name")
        }
        guard let groupID = configuration["group.id"], !groupID.isEmpty else {
            throw KafkaError.configuration("group.id", "Configuration property \"group.id\" is required")
        }
        let conf = try Self.configurationRules.makeConf(configuration)
        rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, opaque in
            guard let rk, let opaque else { return }
            let context = Unmanaged<RdKafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
            KafkaConsumer.rebalance(rk: rk, err: err, partitions: partitions, context: context)
        }
        let client = try RdKafkaClient.consumer(conf: conf, logger: logger)
        self.client = client
        self.topics = topics
        self.logger = client.logger(from: logger)
    }

    /// Subscribes and runs the poll loop on a dedicated thread until the calling task is cancelled or `stop()` is
    /// called. Then it closes the consumer (rd_kafka_consumer_close → the revoke callback → commit) and returns.
    /// Delegate callbacks happen on the poll thread. Run it at most once (a second call throws).
    /// A stop that comes before the subscription skips it. A consumer closed before its first assignment keeps its
    /// librdkafka handle until the process exits, because destroying it can abort in librdkafka before 2.3.0 (see
    /// `KafkaConsumerHandleRelease`); it logs a notice saying so.
    /// Throws when subscribing fails or librdkafka raises a fatal error.
    public func run(delegate: some KafkaConsumerDelegate) async throws {
        let alreadyStarted = state.withLock { state in
            defer { state.started = true }
            return state.started
        }
        if alreadyStarted {
            throw KafkaError(code: KafkaError.stateCode, message: "KafkaConsumer.run may be called only once")
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let thread = Thread {
                    // Named from inside, with pthread_setname_np (see `CurrentThread.setName`).
                    CurrentThread.setName("kafka-consumer")
                    do {
                        try self.pollLoop(delegate: delegate)
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.start()
            }
        } onCancel: {
            self.stop()
        }
    }

    /// Asks the poll loop to stop and close (same as cancelling `run`). Idempotent; thread-safe.
    public func stop() {
        state.withLock { $0.stopRequested = true }
    }

    /// Stores the offset to commit for `partition` (rd_kafka_offsets_store): `nextOffset` is the offset of the next
    /// record to consume (the committed position), i.e. the last finished offset + 1.
    /// Thread-safe. A partition that is not (or no longer) assigned throws a `KafkaError` whose
    /// `isPartitionNotAssigned` is true (`_STATE`, or `_UNKNOWN_PARTITION`); callers log and ignore it.
    public func storeOffset(_ partition: TopicPartition, nextOffset: Int64) throws {
        try TopicPartitionList.with([partition], offsets: [nextOffset]) { list throws(KafkaError) in
            let err = rd_kafka_offsets_store(client.rk, list)
            if let error = TopicPartitionList.firstError(list) { throw error }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
        }
    }

    /// Synchronously commits the stored offsets of the current assignment. Blocks (network round trip): call it off
    /// the cooperative pool, e.g. inside `willRevoke`. Nothing to commit is not an error.
    public func commitStoredOffsets() throws {
        try commitStoredOffsetsTyped()
    }

    private func commitStoredOffsetsTyped() throws(KafkaError) {
        let err = rd_kafka_commit(client.rk, nil, 0)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET else {
            throw KafkaError(err)
        }
    }

    /// Pauses fetching from `partitions` (rd_kafka_pause_partitions). Thread-safe.
    public func pause(_ partitions: [TopicPartition]) throws {
        try TopicPartitionList.with(partitions) { list throws(KafkaError) in
            let err = rd_kafka_pause_partitions(client.rk, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
            if let error = TopicPartitionList.firstError(list) { throw error }
        }
    }

    /// Resumes fetching from `partitions` (rd_kafka_resume_partitions). Thread-safe.
    ///
    /// librdkafka (2.0.2 here) does not wake its broker thread on a resume: fetching starts again only when that
    /// thread next wakes by itself, 0.4 to 0.9 s later (measured on the mock cluster), which under backpressure leaves
    /// the pipeline idle after every pause. A seek does wake it. So the poll loop, between two polls, seeks each
    /// resumed partition to its position (the offset after the last record the application was given, where the
    /// resume would fetch from anyway; a partition with no position yet is left to the resume). On the poll thread,
    /// no record can be handed out between reading the position and seeking: nothing is skipped or delivered twice.
    public func resume(_ partitions: [TopicPartition]) throws {
        try TopicPartitionList.with(partitions) { list throws(KafkaError) in
            let err = rd_kafka_resume_partitions(client.rk, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
            if let error = TopicPartitionList.firstError(list) { throw error }
        }
        state.withLock { $0.resumedToWake.formUnion(partitions) }
    }

    /// Seeks the partitions resumed since the last call to their positions, which wakes librdkafka's fetcher
    /// (see ``resume(_:)``). Runs on the poll thread only, between polls.
    private func wakeResumedPartitions() {
        let resumed = state.withLock { state -> [TopicPartition] in
            defer { state.resumedToWake = [] }
            return Array(state.resumedToWake)
        }
        guard !resumed.isEmpty else { return }
        let rk = client.rk
        let positions: [(TopicPartition, Int64)]
        do {
            positions = try TopicPartitionList.with(resumed) { list throws(KafkaError) in
                let err = rd_kafka_position(rk, list)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
                return Array(zip(TopicPartitionList.partitions(list), TopicPartitionList.offsets(list)))
            }
        } catch {
            logger.debug("no positions for resumed partitions", metadata: [KafkaLogKey.error: "\(error)"])
            return
        }
        let known = positions.filter { $0.1 >= 0 }
        guard !known.isEmpty else { return }
        do {
            try TopicPartitionList.with(known.map(\.0), offsets: known.map(\.1)) { list throws(KafkaError) in
                // Asynchronous (timeout 0): it only starts the seek, which is what wakes the fetcher.
                if let error = rd_kafka_seek_partitions(rk, list, 0) {
                    defer { rd_kafka_error_destroy(error) }
                    throw KafkaError(rd_kafka_error_code(error))
                }
            }
        } catch {
            // The resume stands; fetching then restarts when librdkafka wakes by itself.
            logger.debug("waking resumed partitions failed", metadata: [KafkaLogKey.error: "\(error)"])
        }
    }

    /// How long ago the poll loop last went round, or `nil` while it is not running. A loop that stops going round
    /// (a wedged callback, a stuck librdkafka call) stops the consumer's group membership and every record: the
    /// liveness check watches this. A rebalance callback runs inside a poll, so a revoke's drain counts as one turn.
    public var sinceLastPoll: Duration? { heartbeat.sinceLastBeat }

    /// The currently assigned partitions.
    public var assignment: [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(client.rk, &list)
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { return [] }
        return TopicPartitionList.partitions(list)
    }

    /// The rebalance protocol librdkafka uses (`rd_kafka_rebalance_protocol`): "NONE" until the group coordinator has
    /// answered a JoinGroup, then "COOPERATIVE"; nil once the consumer is closed. Waits briefly for librdkafka's main
    /// thread.
    var rebalanceProtocol: String? {
        rd_kafka_rebalance_protocol(client.rk).map { String(cString: $0) }
    }

    /// Whether the rebalance callback was given an assignment (maybe empty) at least once.
    var hasReceivedAssignment: Bool {
        state.withLock { $0.assignmentReceived }
    }

    /// Called by the rebalance callback for every assignment, an empty one too.
    func recordAssignment() {
        state.withLock { $0.assignmentReceived = true }
    }

    // MARK: - Poll thread

    private var stopRequested: Bool {
        state.withLock { $0.stopRequested }
    }

    /// How long one poll waits for a record: also how late a stop, or the wake-up of resumed partitions, may be seen.
    static let pollTimeoutMilliseconds: Int32 = 20

    private func pollLoop(delegate: some KafkaConsumerDelegate) throws(KafkaError) {
        let rk = client.rk
        client.context.consumerSession.withLock { $0 = .init(consumer: self, delegate: delegate) }
        defer { client.context.consumerSession.withLock { $0 = nil } }

        if stopRequested {
            // Stopped before it started: no group to join, nothing to close or commit.
            logger.info("Kafka consumer stopped before subscribing")
            return
        }
        let subscription = topics.map { TopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) }
        try TopicPartitionList.with(subscription) { list throws(KafkaError) in
            let err = rd_kafka_subscribe(rk, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(err, message: "subscribe failed: \(String(cString: rd_kafka_err2str(err)))")
            }
        }
        state.withLock { $0.subscribed = true }
        logger.info("Kafka consumer subscribed", metadata: [KafkaLogKey.topic: "\(topics.joined(separator: ","))"])

        var failure: KafkaError?
        defer { heartbeat.stopped() }
        while !stopRequested {
            heartbeat.beat()
            if let fatal = client.context.fatalError.withLock({ $0 }) {
                failure = fatal
                break
            }
            wakeResumedPartitions()
            guard let message = rd_kafka_consumer_poll(rk, Self.pollTimeoutMilliseconds) else { continue }
            dispatch(message, to: delegate)
            rd_kafka_message_destroy(message)
        }

        logger.info("Kafka consumer closing")
        let err = rd_kafka_consumer_close(rk)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("Kafka consumer close failed", metadata: [KafkaLogKey.error: "\(KafkaError(err))"])
        }
        releaseHandleAfterClose()
        if let failure { throw failure }
    }

    /// Keeps the closed handle until the process exits when destroying it could abort (`KafkaConsumerHandleRelease`),
    /// and says so.
    private func releaseHandleAfterClose() {
        let (subscribed, assignmentReceived) = state.withLock { ($0.subscribed, $0.assignmentReceived) }
        let release = KafkaConsumerHandleRelease.afterClose(
            subscribed: subscribed, assignmentReceived: assignmentReceived, librdkafkaVersion: rd_kafka_version())
        guard release == .keepUntilExit else { return }
        client.keepHandleUntilExit()
        logger.notice(
            """
            Kafka consumer closed before its first assignment: handle kept until the process exits, not destroyed \
            (librdkafka before 2.3.0 can abort destroying it, in the cooperative-sticky assignor: librdkafka #4312); \
            nothing was assigned, so nothing was left to commit
            """,
            metadata: [KafkaLogKey.libraryVersion: "\(String(cString: rd_kafka_version_str()))"]
        )
    }

    private func dispatch(_ message: UnsafeMutablePointer<rd_kafka_message_t>, to delegate: some KafkaConsumerDelegate)
    {
        let err = message.pointee.err
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            if err != RD_KAFKA_RESP_ERR__PARTITION_EOF {
                let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
                logger.warning(
                    "Kafka consumer error",
                    metadata: [
                        KafkaLogKey.error: "\(KafkaError(err))",
                        KafkaLogKey.topic: "\(topic)",
                        KafkaLogKey.partition: .stringConvertible(message.pointee.partition),
                    ]
                )
            }
            return
        }
        delegate.consumer(self, didReceive: KafkaMessage(copying: message))
    }
}
