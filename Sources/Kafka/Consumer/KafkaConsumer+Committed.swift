import CRdKafka

extension KafkaConsumer {
    /// The consumer group's committed offsets for `partitions` (`rd_kafka_committed`, asked of the group
    /// coordinator): the next offset to consume per partition; a partition without a committed offset is absent.
    /// Works whether or not `run` is active. Blocks a dedicated queue, not the cooperative pool, for up to `timeout`.
    public func committedOffsets(
        for partitions: [TopicPartition],
        timeout: Duration = .seconds(10)
    ) async throws -> [TopicPartition: Int64] {
        let client = client
        let queue = RdKafkaBlockingQueue(label: "kafka-consumer-committed")
        return try await queue.run {
            try RdKafkaQueries.committedOffsets(client.rk, partitions: partitions, timeout: timeout)
        }
    }
}
