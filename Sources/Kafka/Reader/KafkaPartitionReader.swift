import CRdKafka
import Logging
import Synchronization

/// Reads a range of one partition without joining a consumer group or committing anything, e.g. to check whether
/// a record was already published after a crash.
///
/// It is a librdkafka consumer that only ever uses `rd_kafka_assign` (never subscribe) with auto-commit and offset
/// storing off. Reads run one at a time on a dedicated queue, never on the Swift cooperative pool.
public final class KafkaPartitionReader: Sendable {
    let client: RdKafkaClient
    let logger: Logger
    let queue = RdKafkaBlockingQueue(label: "kafka-partition-reader")
    private let isClosed: Mutex<Bool> = Mutex(false)

    /// The settings librdkafka gets: `configuration` (e.g. the consumer's own settings: bootstrap.servers,
    /// security.*, sasl.*, group.id) with group.id=`groupID`, enable.auto.commit=false,
    /// enable.auto.offset.store=false, enable.partition.eof=true and auto.offset.reset=earliest put in place of what
    /// it says.
    static func readerConfiguration(_ configuration: [String: String], groupID: String) -> [String: String] {
        var settings = configuration
        settings["group.id"] = groupID
        settings["enable.auto.commit"] = "false"
        settings["enable.auto.offset.store"] = "false"
        settings["enable.partition.eof"] = "true"
        settings["auto.offset.reset"] = "earliest"
        // Static membership would make even an assign-only client look like a group member to operators.
        settings["group.instance.id"] = nil
        return settings
    }

    /// Creates the reader's librdkafka handle (see `readerConfiguration` for the settings it overrides).
    ///
    /// `groupID` is the reader's own `group.id`, put in place of the one `configuration` names. The reader never
    /// joins that group or commits for it, but operators see the name in broker logs: give it one of its own, not
    /// the consumer group's (e.g. the consumer group's id plus a suffix such as `.outcome-reader`).
    /// Bad or unknown settings throw `KafkaError` whose message and `setting` name the setting.
    public init(configuration: [String: String], groupID: String, logger: Logger) throws {
        let conf = try RdKafkaConfiguration(defaults: [:], forced: []).makeConf(
            Self.readerConfiguration(configuration, groupID: groupID)
        )
        let client = try RdKafkaClient.consumer(conf: conf, logger: logger)
        self.client = client
        self.logger = client.logger(from: logger)
    }

    /// Every record of `partition` of `topic` from `offset` (raised to the partition's low watermark) up to the high
    /// watermark as it is when the read starts; empty when `offset` is at or past it. Records keep key, value,
    /// headers and timestamp; offsets are ascending (gaps are possible: compaction, transaction markers).
    ///
    /// `timeout` covers the whole call, including waiting for another read to finish: when it passes, the call
    /// throws `KafkaError` with code `KafkaError.timedOutCode`, whose message names the last retriable error seen
    /// (broker down, no leader, `UNKNOWN_TOPIC_OR_PART`: all retried until then). Non-retriable errors throw at once.
    /// Cancellation throws `CancellationError`. Safe to call concurrently (reads are serialized).
    public func read(topic: String, partition: Int32, from offset: Int64, timeout: Duration) async throws
        -> [KafkaMessage]
    {
        try await read(topic: topic, partition: partition, from: offset, until: nil, timeout: timeout)
    }

    /// Like ``read(topic:partition:from:timeout:)``, but stops before offset `until` (exclusive) when that is below
    /// the high watermark: a large partition can be read in bounded slices, each `[from, until)`. A slice with no
    /// records in it (compaction, transaction markers) is empty.
    public func read(
        topic: String, partition: Int32, from offset: Int64, until: Int64?, timeout: Duration
    ) async throws -> [KafkaMessage] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let request = KafkaPartitionReadRequest(
            partition: TopicPartition(topic: topic, partition: partition),
            from: offset,
            until: until,
            deadline: deadline
        )
        return try await withTaskCancellationHandler {
            try await queue.run { [self] in
                guard !isClosed.withLock({ $0 }) else {
                    throw KafkaError(code: KafkaError.stateCode, message: "The partition reader has been closed")
                }
                return try fetch(request)
            }
        } onCancel: {
            request.cancel()
        }
    }

    /// The partition's low and high watermarks (its first offset, and the offset the next record will get), retrying
    /// retriable failures within `timeout`. Runs on the reader's queue, after any read in progress.
    public func watermarks(
        topic: String, partition: Int32, timeout: Duration = .seconds(30)
    ) async throws -> (low: Int64, high: Int64) {
        let request = KafkaPartitionReadRequest(
            partition: TopicPartition(topic: topic, partition: partition), from: 0,
            deadline: ContinuousClock.now.advanced(by: timeout))
        return try await withTaskCancellationHandler {
            try await queue.run { [self] in
                guard !isClosed.withLock({ $0 }) else {
                    throw KafkaError(code: KafkaError.stateCode, message: "The partition reader has been closed")
                }
                return try queryWatermarks(request)
            }
        } onCancel: {
            request.cancel()
        }
    }

    /// Closes the consumer (it holds no group membership and commits nothing); reads after it throw `_STATE`.
    /// Idempotent. The handle itself is destroyed when the reader is released.
    public func close() async {
        let first = isClosed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        let client = client
        let logger = logger
        _ = try? await queue.run {
            let err = rd_kafka_consumer_close(client.rk)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning(
                    "Kafka partition reader close failed", metadata: [KafkaLogKey.error: "\(KafkaError(err))"])
            }
        }
    }
}
