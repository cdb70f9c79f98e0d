import CRdKafka
import Logging
import Synchronization

/// Owns one `rd_kafka_t` handle and the callback context behind its opaque pointer.
final class RdKafkaClient: Sendable {
    let pointer: RdKafkaPointer
    let context: RdKafkaCallbackContext
    private let destroyFlags: Int32
    /// Set by `keepHandleUntilExit()`: `deinit` then leaves the handle alone.
    private let handleKept = Atomic<Bool>(false)

    var rk: OpaquePointer { pointer.raw }

    /// Creates the handle. Takes ownership of `conf` (destroys it on failure).
    init(type: rd_kafka_type_t, conf: OpaquePointer, logger: Logger, destroyFlags: Int32 = 0) throws(KafkaError) {
        let context = RdKafkaCallbackContext(logger: logger)
        context.install(on: conf)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            let message = errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, message: message)
        }
        self.pointer = RdKafkaPointer(raw: rk)
        self.context = context
        self.destroyFlags = destroyFlags
    }

    /// A consumer handle for an owner that closes it (`rd_kafka_consumer_close`) before releasing it: it is destroyed
    /// without closing, and its main queue is redirected to the consumer queue (`rd_kafka_poll_set_consumer`), so
    /// that `rd_kafka_consumer_poll` serves every event. Takes ownership of `conf` (destroys it on failure).
    static func consumer(conf: OpaquePointer, logger: Logger) throws(KafkaError) -> RdKafkaClient {
        let client = try RdKafkaClient(
            type: RD_KAFKA_CONSUMER,
            conf: conf,
            logger: logger,
            destroyFlags: RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE
        )
        rd_kafka_poll_set_consumer(client.rk)
        return client
    }

    /// The client's name (`rdkafka#consumer-1`), for logs.
    var name: String { String(cString: rd_kafka_name(rk)) }

    /// `logger` with the client's name as `KafkaLogKey.client` metadata, for the owner's own log lines.
    func logger(from logger: Logger) -> Logger {
        var logger = logger
        logger[metadataKey: KafkaLogKey.client] = "\(name)"
        return logger
    }

    /// Keeps `deinit` from destroying the handle, for a handle that librdkafka may abort destroying (see
    /// `KafkaConsumerHandleRelease`). Its threads then run until the process exits; the callback context they call is
    /// retained for good and stops logging (the handle has been closed, nothing it reports matters any more).
    /// Idempotent.
    func keepHandleUntilExit() {
        guard !handleKept.exchange(true, ordering: .acquiringAndReleasing) else { return }
        context.silence()
        _ = Unmanaged.passRetained(context)
    }

    /// Whether `keepHandleUntilExit()` was called.
    var isHandleKeptUntilExit: Bool { handleKept.load(ordering: .acquiring) }

    deinit {
        guard !handleKept.load(ordering: .acquiring) else { return }
        rd_kafka_destroy_flags(pointer.raw, destroyFlags)
    }
}
