import CRdKafka
import Foundation
import Logging
import Synchronization

/// An idempotent Kafka producer (`enable.idempotence=true`, `acks=all`) whose `send` returns when the record's
/// delivery report arrives. A dedicated thread serves `rd_kafka_poll`, which runs the delivery callbacks.
public final class KafkaProducer: Sendable {
    let client: RdKafkaClient
    private let pollThread: KafkaProducerPollThread
    let logger: Logger
    /// The configured `partitioner`, for `partition(topic:key:)`.
    let partitioner: KafkaPartitioner
    /// Partition counts, watermarks and delivered offsets, for `partition(topic:key:)` and `nextOffsetLowerBound`.
    let partitionState = KafkaProducerPartitionState(partitionCountLifetime: .seconds(60))
    /// Where metadata and watermark queries block.
    let queries = RdKafkaBlockingQueue(label: "kafka-producer-queries")
    /// Produce calls happen under this lock, so that none can start after `shutdown` flushed the queue.
    private let isClosed: Mutex<Bool> = Mutex(false)

    /// How `configuration` is completed before it reaches librdkafka.
    static let configurationRules = RdKafkaConfiguration(
        defaults: ["linger.ms": "5"],
        forced: [
            .init("enable.idempotence", "true"),
            .init("acks", "all", accepting: ["-1"]),
        ]
    )

    /// `configuration` is passed to librdkafka (bootstrap.servers, SASL/SSL, message.timeout.ms, ...), with
    /// `linger.ms=5` unless given, and `enable.idempotence=true`, `acks=all` forced (a different value throws).
    /// Bad or unknown settings throw `KafkaError` whose message and `setting` name the setting.
    public init(configuration: [String: String], logger: Logger) throws {
        let partitioner = try KafkaPartitioner(configuration: configuration)
        let conf = try Self.configurationRules.makeConf(configuration)
        rd_kafka_conf_set_dr_msg_cb(conf) { _, message, _ in
            guard let message else { return }
            KafkaProducer.deliveryReport(message)
        }
        let client = try RdKafkaClient(type: RD_KAFKA_PRODUCER, conf: conf, logger: logger)
        let clientLogger = client.logger(from: logger)
        self.client = client
        self.logger = clientLogger
        self.partitioner = partitioner
        self.pollThread = KafkaProducerPollThread(client: client, logger: clientLogger)
    }

    deinit {
        // Without `shutdown`, the poll thread still stops; it releases (and so destroys) the handle last.
        pollThread.abandon()
    }

    /// Produces one record and returns when its delivery report arrives. A failed delivery throws `KafkaError`
    /// (e.g. `_MSG_TIMED_OUT` after `message.timeout.ms`). If librdkafka's local queue is full it waits and
    /// retries without blocking the cooperative pool. Once enqueued, a record is not withdrawn by cancellation.
    ///
    /// `partition` nil lets librdkafka's partitioner choose (see `partition(topic:key:)`); a partition number sends
    /// the record there. A partition that the topic does not have fails with `_UNKNOWN_PARTITION`.
    public func send(
        topic: String,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        partition: Int32? = nil
    ) async throws -> KafkaDeliveryReport {
        let record = Record(topic: topic, partition: partition, key: key, value: value, headers: headers)
        while true {
            let outcome = try await withCheckedThrowingContinuation { continuation in
                let box = DeliveryBox(continuation, partitionState: partitionState)
                let opaque = Unmanaged.passRetained(box).toOpaque()
                let error = isClosed.withLock { closed -> KafkaError? in
                    if closed {
                        return KafkaError(code: KafkaError.stateCode, message: "The producer has been shut down")
                    }
                    return Self.produce(client.rk, record, opaque)
                }
                guard let error else { return }  // The delivery report resumes the continuation.
                Unmanaged<DeliveryBox>.fromOpaque(opaque).release()
                if error.code == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue {
                    continuation.resume(returning: DeliveryOutcome.queueFull)
                } else {
                    continuation.resume(throwing: error)
                }
            }
            switch outcome {
            case .delivered(let report):
                return report
            case .queueFull:
                logger.debug("Kafka producer queue full, retrying", metadata: [KafkaLogKey.topic: "\(topic)"])
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Flushes outstanding records (rd_kafka_flush, up to `flushTimeout`), fails the ones still undelivered
    /// (`_PURGE_QUEUE`/`_PURGE_INFLIGHT`), then stops the poll thread. Call once at shutdown; sends after it throw.
    public func shutdown(flushTimeout: Duration) async {
        let first = isClosed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        await pollThread.shutdown(flushTimeout: flushTimeout)
    }

    // MARK: - C plumbing

    enum DeliveryOutcome: Sendable {
        case delivered(KafkaDeliveryReport)
        case queueFull
    }

    /// The per-message `msg_opaque`: holds the continuation that the delivery report resumes, and where delivered
    /// offsets are recorded.
    final class DeliveryBox: Sendable {
        let continuation: CheckedContinuation<DeliveryOutcome, any Error>
        let partitionState: KafkaProducerPartitionState

        init(
            _ continuation: CheckedContinuation<DeliveryOutcome, any Error>,
            partitionState: KafkaProducerPartitionState
        ) {
            self.continuation = continuation
            self.partitionState = partitionState
        }
    }

    /// One record to produce.
    struct Record: Sendable {
        var topic: String
        var partition: Int32?
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: [KafkaHeader]
    }

    /// Enqueues `record` with `rd_kafka_produceva` (copying key and value); nil when enqueued.
    private static func produce(_ rk: OpaquePointer, _ record: Record, _ opaque: UnsafeMutableRawPointer) -> KafkaError?
    {
        var hdrs: OpaquePointer?
        if !record.headers.isEmpty {
            hdrs = rd_kafka_headers_new(record.headers.count)
            for header in record.headers {
                withOptionalBytes(header.value) { bytes, count in
                    _ = rd_kafka_header_add(hdrs, header.key, -1, bytes, count)
                }
            }
        }
        let error = record.topic.withCString { topic in
            withOptionalBytes(record.key) { keyBytes, keyCount in
                withOptionalBytes(record.value) { valueBytes, valueCount in
                    var vus = [
                        rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_TOPIC, u: .init(cstr: topic)),
                        rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_MSGFLAGS, u: .init(i: RD_KAFKA_MSG_F_COPY)),
                        rd_kafka_vu_t(
                            vtype: RD_KAFKA_VTYPE_KEY,
                            u: .init(mem: .init(ptr: UnsafeMutableRawPointer(mutating: keyBytes), size: keyCount))
                        ),
                        rd_kafka_vu_t(
                            vtype: RD_KAFKA_VTYPE_VALUE,
                            u: .init(mem: .init(ptr: UnsafeMutableRawPointer(mutating: valueBytes), size: valueCount))
                        ),
                        rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_OPAQUE, u: .init(ptr: opaque)),
                    ]
                    if let partition = record.partition {
                        vus.append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_PARTITION, u: .init(i32: partition)))
                    }
                    if let hdrs {
                        vus.append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_HEADERS, u: .init(headers: hdrs)))
                    }
                    return rd_kafka_produceva(rk, vus, vus.count)
                }
            }
        }
        guard let error else { return nil }
        // On failure the headers stay ours (librdkafka owns them only once the record is enqueued).
        if let hdrs { rd_kafka_headers_destroy(hdrs) }
        return KafkaError(consuming: error)
    }

    /// `nil` stays NULL; an empty array becomes a non-NULL pointer with length 0 (an empty key or value).
    private static func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawPointer?, Int) -> R) -> R {
        guard let bytes else { return body(nil, 0) }
        return bytes.withUnsafeBytes { buffer in
            if let base = buffer.baseAddress { return body(base, buffer.count) }
            var empty: UInt8 = 0
            return withUnsafeBytes(of: &empty) { body($0.baseAddress, 0) }
        }
    }

    /// librdkafka's `dr_msg_cb`, on the poll thread.
    private static func deliveryReport(_ message: UnsafePointer<rd_kafka_message_t>) {
        guard let opaque = message.pointee._private else { return }
        let box = Unmanaged<DeliveryBox>.fromOpaque(opaque).takeRetainedValue()
        let m = message.pointee
        guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            box.continuation.resume(throwing: KafkaError(m.err))
            return
        }
        let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        box.partitionState.delivered(TopicPartition(topic: topic, partition: m.partition), offset: m.offset)
        box.continuation.resume(
            returning: .delivered(KafkaDeliveryReport(topic: topic, partition: m.partition, offset: m.offset))
        )
    }
}
