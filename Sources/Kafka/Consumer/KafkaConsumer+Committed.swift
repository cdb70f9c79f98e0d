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
            try TopicPartitionList.with(partitions) { list throws(KafkaError) in
                let err = rd_kafka_committed(client.rk, list, timeout.clampedMilliseconds)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
                if let error = TopicPartitionList.firstError(list) { throw error }
                var offsets: [TopicPartition: Int64] = [:]
                for (partition, offset) in zip(TopicPartitionList.partitions(list), TopicPartitionList.offsets(list))
                where offset >= 0 {
                    offsets[partition] = offset
                }
                return offsets
            }
        }
    }
}
