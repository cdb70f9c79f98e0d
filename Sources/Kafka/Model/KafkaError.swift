import CRdKafka

/// An error from librdkafka or from this wrapper, with librdkafka's stable error code and name.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// librdkafka's `rd_kafka_resp_err_t` value: negative for client-side errors, positive for broker errors.
    public var code: Int32
    /// librdkafka's name for the code (`rd_kafka_err2name`), e.g. `_MSG_TIMED_OUT` or `NOT_LEADER_FOR_PARTITION`.
    public var name: String
    /// A human-readable message. For configuration errors it names the setting.
    public var message: String
    /// Whether retrying the same operation may succeed.
    public var isRetriable: Bool
    /// Whether the client instance is no longer usable (librdkafka fatal error).
    public var isFatal: Bool
    /// The configuration key this error is about, when it is a configuration error.
    public var setting: String?

    public var description: String {
        var text = "KafkaError(\(name) [\(code)]: \(message)"
        if let setting { text += ", setting: \(setting)" }
        if isFatal { text += ", fatal" }
        return text + ")"
    }

    /// The code of configuration errors (`_INVALID_ARG`).
    public static let invalidArgumentCode: Int32 = RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue
    /// The code used when an object is in the wrong state (`_STATE`): a partition that is not assigned, a run
    /// started twice, a send after shutdown.
    public static let stateCode: Int32 = RD_KAFKA_RESP_ERR__STATE.rawValue
    /// The code of a produce whose message timed out before delivery (`_MSG_TIMED_OUT`).
    public static let messageTimedOutCode: Int32 = RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue

    /// The code of an operation that did not finish in time (`_TIMED_OUT`), e.g. `KafkaPartitionReader.read`.
    public static let timedOutCode: Int32 = RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue

    /// The code of a record larger than `message.max.bytes` or than the topic accepts (`MSG_SIZE_TOO_LARGE`),
    /// from the producer's own check or from the broker. Retrying the same record cannot succeed.
    public static let messageTooLargeCode: Int32 = RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE.rawValue

    /// The code of an operation on a partition this client does not know (`_UNKNOWN_PARTITION`).
    public static let unknownPartitionCode: Int32 = RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION.rawValue

    /// Whether no broker answered a request: a connection failure, a timeout, every broker down, or an address that
    /// does not resolve.
    public var isBrokerUnreachable: Bool {
        [
            RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
            RD_KAFKA_RESP_ERR__RESOLVE,
        ].contains { $0.rawValue == code }
    }

    /// Whether this is `storeOffset`'s (and pause/resume's) error for a partition that is not (or no longer)
    /// assigned to this consumer: `_STATE`, or `_UNKNOWN_PARTITION` for a partition it never had.
    public var isPartitionNotAssigned: Bool {
        code == Self.stateCode || code == Self.unknownPartitionCode
    }

    /// An error with an explicit code; `name` comes from librdkafka.
    public init(code: Int32, message: String, isRetriable: Bool? = nil, isFatal: Bool = false, setting: String? = nil) {
        let err = rd_kafka_resp_err_t(rawValue: code)
        self.code = code
        self.name = String(cString: rd_kafka_err2name(err))
        self.message = message
        self.isRetriable = isRetriable ?? Self.retriableCodes.contains(code)
        self.isFatal = isFatal || err == RD_KAFKA_RESP_ERR__FATAL
        self.setting = setting
    }

    /// An error for a librdkafka response code, with librdkafka's text unless `message` is given.
    init(_ err: rd_kafka_resp_err_t, message: String? = nil) {
        self.init(code: err.rawValue, message: message ?? String(cString: rd_kafka_err2str(err)))
    }

    /// Takes ownership of an `rd_kafka_error_t` and destroys it.
    init(consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        self.init(
            code: rd_kafka_error_code(error).rawValue,
            message: String(cString: rd_kafka_error_string(error)),
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }

    /// A configuration error naming the setting.
    static func configuration(_ setting: String, _ message: String) -> KafkaError {
        KafkaError(code: invalidArgumentCode, message: message, isRetriable: false, setting: setting)
    }

    /// Codes where a retry (by librdkafka or the caller) may succeed.
    private static let retriableCodes: Set<Int32> = Set(
        [
            RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT,
            RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE, RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
            RD_KAFKA_RESP_ERR__RESOLVE, RD_KAFKA_RESP_ERR__WAIT_COORD, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
            RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
            RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR,
            RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
        ].map(\.rawValue)
    )
}
