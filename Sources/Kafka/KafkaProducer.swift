import CRdKafka
import Foundation
import Logging
import Synchronization

/// An idempotent Kafka producer (`enable.idempotence=true`, `acks=all`) whose `send` returns when the record's
/// delivery report arrives. A dedicated thread serves `rd_kafka_poll`, which runs the delivery callbacks.
public final class KafkaProducer: Sendable {
    private let client: RdKafkaClient
    private let pollThread: KafkaProducerPollThread
    private let logger: Logger
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
        let conf = try Self.configurationRules.makeConf(configuration)
        rd_kafka_conf_set_dr_msg_cb(conf) { _, message, _ in
            guard let message else { return }
            KafkaProducer.deliveryReport(message)
        }
        let client = try RdKafkaClient(type: RD_KAFKA_PRODUCER, conf: conf, logger: logger)
        var logger = logger
        logger[metadataKey: KafkaLogKey.client] = "\(client.name)"
        self.client = client
        self.logger = logger
        self.pollThread = KafkaProducerPollThread(client: client, logger: logger)
    }

    deinit {
        // Without `shutdown`, the poll thread still stops; it releases (and so destroys) the handle last.
        pollThread.abandon()
    }

    /// Produces one record and returns when its delivery report arrives. A failed delivery throws `KafkaError`
    /// (e.g. `_MSG_TIMED_OUT` after `message.timeout.ms`). If librdkafka's local queue is full it waits and
    /// retries without blocking the cooperative pool. Once enqueued, a record is not withdrawn by cancellation.
    public func send(
        topic: String,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader] = []
    ) async throws -> KafkaDeliveryReport {
        while true {
            let outcome = try await withCheckedThrowingContinuation { continuation in
                let opaque = Unmanaged.passRetained(DeliveryBox(continuation)).toOpaque()
                let error = isClosed.withLock { closed -> KafkaError? in
                    if closed {
                        return KafkaError(code: KafkaError.stateCode, message: "The producer has been shut down")
                    }
                    return Self.produce(client.rk, topic: topic, key: key, value: value, headers: headers, opaque)
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

    /// The per-message `msg_opaque`: holds the continuation that the delivery report resumes.
    final class DeliveryBox: Sendable {
        let continuation: CheckedContinuation<DeliveryOutcome, any Error>

        init(_ continuation: CheckedContinuation<DeliveryOutcome, any Error>) {
            self.continuation = continuation
        }
    }

    private static func produce(
        _ rk: OpaquePointer,
        topic: String,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader],
        _ opaque: UnsafeMutableRawPointer
    ) -> KafkaError? {
        var hdrs: OpaquePointer?
        if !headers.isEmpty {
            hdrs = rd_kafka_headers_new(headers.count)
            for header in headers {
                withOptionalBytes(header.value) { bytes, count in
                    _ = rd_kafka_header_add(hdrs, header.key, -1, bytes, count)
                }
            }
        }
        let err = withOptionalBytes(key) { keyBytes, keyCount in
            withOptionalBytes(value) { valueBytes, valueCount in
                crdkafka_produce(rk, topic, keyBytes, keyCount, valueBytes, valueCount, hdrs, opaque)
            }
        }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            if let hdrs { rd_kafka_headers_destroy(hdrs) }
            return KafkaError(err)
        }
        return nil
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
        box.continuation.resume(
            returning: .delivered(KafkaDeliveryReport(topic: topic, partition: m.partition, offset: m.offset))
        )
    }
}
