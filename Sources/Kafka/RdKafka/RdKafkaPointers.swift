import CRdKafka

/// An `rd_kafka_t *`. librdkafka's handle is thread-safe; the owning class (`RdKafkaClient`) destroys it.
struct RdKafkaPointer: @unchecked Sendable {
    let raw: OpaquePointer
}

/// An `rd_kafka_mock_cluster_t *`, owned by `KafkaMockCluster`.
struct RdKafkaMockClusterPointer: @unchecked Sendable {
    let raw: OpaquePointer
}
