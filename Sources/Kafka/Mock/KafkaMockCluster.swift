import CRdKafka
import Logging

/// librdkafka's in-process mock cluster (rdkafka_mock.h), owned together with the `rd_kafka_t` handle that hosts it.
///
/// It speaks the Kafka protocol on loopback sockets (consumer groups, offset commits, idempotent producer) and
/// injects faults. Each partition keeps only the newest ~5 MiB. Everything is lost when it is deinitialized.
public final class KafkaMockCluster: Sendable {
    private let host: RdKafkaClient
    private let cluster: RdKafkaMockClusterPointer
    /// The brokers' `host:port` list, for `bootstrap.servers`.
    public let bootstrapServers: String
    /// The broker ids: `1...brokers`.
    public let brokerIDs: [Int32]

    /// Starts a mock cluster with `brokers` brokers. Its logs (facility `MOCK`) go to `logger`.
    public init(brokers: Int = 1, logger: Logger) throws {
        guard brokers >= 1, brokers <= 32 else {
            throw KafkaError.configuration("brokers", "A mock cluster needs 1...32 brokers, not \(brokers)")
        }
        let conf = try RdKafkaConfiguration(defaults: [:], forced: []).makeConf([
            // The host handle never talks to a broker; keep it from warning about that.
            "log_level": "4"
        ])
        let host = try RdKafkaClient(type: RD_KAFKA_PRODUCER, conf: conf, logger: logger)
        guard let cluster = rd_kafka_mock_cluster_new(host.rk, Int32(brokers)) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, message: "rd_kafka_mock_cluster_new failed")
        }
        self.host = host
        self.cluster = RdKafkaMockClusterPointer(raw: cluster)
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.brokerIDs = Array(1...Int32(brokers))
    }

    deinit {
        // Runs before `host` is released, so the cluster goes before the handle that hosts it.
        rd_kafka_mock_cluster_destroy(cluster.raw)
    }

    /// Creates a topic (it must not exist yet).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws {
        try check(rd_kafka_mock_topic_create(cluster.raw, name, partitions, replicationFactor), "create topic \(name)")
    }

    /// Takes a broker down: its connections are closed and new ones refused until `setBrokerUp`.
    public func setBrokerDown(_ brokerID: Int32) throws {
        try check(rd_kafka_mock_broker_set_down(cluster.raw, brokerID), "broker \(brokerID) down")
    }

    /// Brings a broker back up.
    public func setBrokerUp(_ brokerID: Int32) throws {
        try check(rd_kafka_mock_broker_set_up(cluster.raw, brokerID), "broker \(brokerID) up")
    }

    /// Delays every response of a broker by `rtt` (milliseconds precision).
    public func setBrokerRoundTripTime(_ brokerID: Int32, _ rtt: Duration) throws {
        try check(
            rd_kafka_mock_broker_set_rtt(cluster.raw, brokerID, rtt.clampedMilliseconds), "broker \(brokerID) rtt")
    }

    /// Next `errors.count` requests of this Kafka API key (e.g. 0 = Produce, 8 = OffsetCommit) fail with these
    /// codes (Kafka protocol error codes, e.g. 6 = NOT_LEADER_FOR_PARTITION), one per request, in order.
    public func pushRequestErrors(apiKey: Int16, errors: [Int32]) throws {
        guard apiKey >= 0 else {
            throw KafkaError(code: KafkaError.invalidArgumentCode, message: "Invalid Kafka API key \(apiKey)")
        }
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        codes.withUnsafeBufferPointer { buffer in
            rd_kafka_mock_push_request_errors_array(cluster.raw, apiKey, buffer.count, buffer.baseAddress)
        }
    }

    private func check(_ err: rd_kafka_resp_err_t, _ what: String) throws {
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(err, message: "Mock cluster: \(what): \(String(cString: rd_kafka_err2str(err)))")
        }
    }
}
