import CRdKafka

extension KafkaPartitionReader {
    /// The partition count of `topic` (a metadata request). Throws `KafkaError` (e.g. `UNKNOWN_TOPIC_OR_PART`) when
    /// the broker knows no such topic. Runs on the reader's queue, after any read in progress.
    public func partitionCount(topic: String, timeout: Duration = .seconds(10)) async throws -> Int32 {
        let client = client
        return try await queue.run { try RdKafkaQueries.partitionCount(client.rk, topic: topic, timeout: timeout) }
    }

    /// The committed offsets of the reader's own `group.id` (the `groupID` it was created with) on every partition
    /// of `topics`: the next offset to consume; a partition without a committed offset is absent, so an empty answer
    /// means the group has never committed on these topics. The reader asks the group coordinator
    /// (`rd_kafka_committed`) without joining the group, so a start-up check can ask about the consumer group before
    /// any member of it subscribes. A topic that does not exist has no committed offsets.
    public func committedOffsets(
        topics: [String],
        timeout: Duration = .seconds(10)
    ) async throws -> [TopicPartition: Int64] {
        var partitions: [TopicPartition] = []
        for topic in topics {
            let count: Int32
            do {
                count = try await partitionCount(topic: topic, timeout: timeout)
            } catch let error as KafkaError where Self.unknownTopicCodes.contains(error.code) {
                continue
            }
            partitions += (0..<count).map { TopicPartition(topic: topic, partition: $0) }
        }
        guard !partitions.isEmpty else { return [:] }
        let client = client
        let wanted = partitions
        return try await queue.run {
            try RdKafkaQueries.committedOffsets(client.rk, partitions: wanted, timeout: timeout)
        }
    }

    /// The answers that mean "no such topic".
    private static let unknownTopicCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC.rawValue,
    ]
}
