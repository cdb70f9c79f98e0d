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

    /// The high watermark (the offset the next record will get) of each of `partitions`, asked of its leader
    /// (`rd_kafka_query_watermark_offsets`, one request per partition). Throws the first partition's error: a broker
    /// that does not answer within `timeout` throws `_TIMED_OUT` or `_TRANSPORT`. Blocks a dedicated queue.
    public func highWatermarks(
        for partitions: [TopicPartition],
        timeout: Duration = .seconds(5)
    ) async throws -> [TopicPartition: Int64] {
        let client = client
        let queue = RdKafkaBlockingQueue(label: "kafka-consumer-watermarks")
        return try await queue.run {
            var offsets: [TopicPartition: Int64] = [:]
            for partition in partitions {
                offsets[partition] = try RdKafkaQueries.watermarks(client.rk, partition, timeout: timeout).high
            }
            return offsets
        }
    }

    /// The partition count of `topic`, from a metadata request: also the cheapest way to ask whether a broker
    /// answers at all. Throws when none answers within `timeout`, or when the topic does not exist.
    public func partitionCount(of topic: String, timeout: Duration = .seconds(5)) async throws -> Int {
        let client = client
        let queue = RdKafkaBlockingQueue(label: "kafka-consumer-metadata")
        return try await queue.run {
            Int(try RdKafkaQueries.partitionCount(client.rk, topic: topic, timeout: timeout))
        }
    }
}
