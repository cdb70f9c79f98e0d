import CRdKafka
import Logging
import Synchronization

/// Reads a range of one partition without joining a consumer group or committing anything, e.g. to check whether
/// a record was already published after a crash.
///
/// It is a librdkafka consumer that only ever uses `rd_kafka_assign` (never subscribe) with auto-commit and offset
/// storing off. Reads run one at a time on a dedicated queue, never on the Swift cooperative pool.
public final class KafkaPartitionReader: Sendable {
    /// The group used when the configuration names none; the reader appends `.outcome-reader` to it.
    public static let defaultGroupID = "komet-contact-sync"

    let client: RdKafkaClient
    let logger: Logger
    private let queue = RdKafkaBlockingQueue(label: "kafka-partition-reader")
    private let isClosed: Mutex<Bool> = Mutex(false)

    /// The settings librdkafka gets: `configuration` (the same `kafka.*` pass-through settings as the consumer's,
    /// e.g. bootstrap.servers, security.*, sasl.*, group.id) with enable.auto.commit=false,
    /// enable.auto.offset.store=false, enable.partition.eof=true, auto.offset.reset=earliest and
    /// group.id=`<group.id or "komet-contact-sync">.outcome-reader` put in place of what it says.
    static func readerConfiguration(_ configuration: [String: String]) -> [String: String] {
        var settings = configuration
        let group = configuration["group.id"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultGroupID
        settings["group.id"] = "\(group).outcome-reader"
        settings["enable.auto.commit"] = "false"
        settings["enable.auto.offset.store"] = "false"
        settings["enable.partition.eof"] = "true"
        settings["auto.offset.reset"] = "earliest"
        // Static membership would make even an assign-only client look like a group member to operators.
        settings["group.instance.id"] = nil
        return settings
    }

    /// Creates the reader's librdkafka handle (see `readerConfiguration` for the settings it overrides).
    /// Bad or unknown settings throw `KafkaError` whose message and `setting` name the setting.
    public init(configuration: [String: String], logger: Logger) throws {
        let conf = try RdKafkaConfiguration(defaults: [:], forced: []).makeConf(
            Self.readerConfiguration(configuration)
        )
        let client = try RdKafkaClient(
            type: RD_KAFKA_CONSUMER,
            conf: conf,
            logger: logger,
            destroyFlags: RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE
        )
        rd_kafka_poll_set_consumer(client.rk)
        self.client = client
        var logger = logger
        logger[metadataKey: KafkaLogKey.client] = "\(client.name)"
        self.logger = logger
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
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let request = KafkaPartitionReadRequest(
            partition: TopicPartition(topic: topic, partition: partition),
            from: offset,
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
