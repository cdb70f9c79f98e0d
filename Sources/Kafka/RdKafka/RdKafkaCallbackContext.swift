import CRdKafka
import Logging
import Synchronization

/// The object behind librdkafka's `opaque` pointer: what the C callbacks need. It is retained by `RdKafkaClient`,
/// which destroys the handle before releasing it, so it outlives every callback.
final class RdKafkaCallbackContext: Sendable {
    /// What the consumer's rebalance callback dispatches to while `KafkaConsumer.run` is active.
    struct ConsumerSession: Sendable {
        var consumer: KafkaConsumer
        var delegate: any KafkaConsumerDelegate
    }

    let logger: Logger
    /// The first fatal error librdkafka raised, if any.
    let fatalError: Mutex<KafkaError?> = Mutex(nil)
    let consumerSession: Mutex<ConsumerSession?> = Mutex(nil)
    /// Set by `silence()`: the log and error callbacks drop what librdkafka reports.
    private let silenced = Atomic<Bool>(false)

    init(logger: Logger) {
        self.logger = logger
    }

    var opaque: UnsafeMutableRawPointer {
        Unmanaged.passUnretained(self).toOpaque()
    }

    static func from(_ rk: OpaquePointer?) -> RdKafkaCallbackContext? {
        guard let rk, let opaque = rd_kafka_opaque(rk) else { return nil }
        return Unmanaged<RdKafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// Drops everything librdkafka logs or reports from now on (for a closed handle kept until the process exits).
    func silence() {
        silenced.store(true, ordering: .releasing)
    }

    private var isSilenced: Bool { silenced.load(ordering: .acquiring) }

    /// Installs the log and error callbacks and this context as the opaque on `conf`.
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, opaque)
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            guard let rk, let context = RdKafkaCallbackContext.from(rk) else { return }
            context.log(
                level: level,
                client: String(cString: rd_kafka_name(rk)),
                facility: facility.map { String(cString: $0) } ?? "",
                message: message.map { String(cString: $0) } ?? ""
            )
        }
        rd_kafka_conf_set_error_cb(conf) { rk, err, reason, _ in
            guard let context = RdKafkaCallbackContext.from(rk) else { return }
            context.handleError(rk: rk, err: rd_kafka_resp_err_t(rawValue: err), reason: reason)
        }
    }

    private func log(level: Int32, client: String, facility: String, message: String) {
        guard !isSilenced else { return }
        logger.log(
            level: Self.logLevel(syslog: level),
            "\(message)",
            metadata: [KafkaLogKey.client: "\(client)", KafkaLogKey.facility: "\(facility)"]
        )
    }

    /// Maps syslog levels (librdkafka's `log_level`) to swift-log levels.
    static func logLevel(syslog level: Int32) -> Logger.Level {
        switch level {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    }

    private func handleError(rk: OpaquePointer?, err: rd_kafka_resp_err_t, reason: UnsafePointer<CChar>?) {
        guard !isSilenced else { return }
        let text = reason.map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(err))
        guard err == RD_KAFKA_RESP_ERR__FATAL, let rk else {
            let error = KafkaError(err, message: text)
            // Broker connection trouble is routine (librdkafka reconnects by itself) and a `_TRANSPORT` error repeats
            // a line that the log callback already wrote.
            let level: Logger.Level =
                err == RD_KAFKA_RESP_ERR__TRANSPORT ? .debug : error.isRetriable ? .warning : .error
            let client = rk.map { String(cString: rd_kafka_name($0)) } ?? ""
            logger.log(
                level: level,
                "librdkafka error",
                metadata: [KafkaLogKey.client: "\(client)", KafkaLogKey.error: "\(error)"]
            )
            return
        }
        var errstr = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(rk, &errstr, errstr.count)
        let message = errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let error = KafkaError(code: code.rawValue, message: message.isEmpty ? text : message, isFatal: true)
        fatalError.withLock { if $0 == nil { $0 = error } }
        logger.critical("librdkafka fatal error", metadata: [KafkaLogKey.error: "\(error)"])
    }
}
