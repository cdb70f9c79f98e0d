import CRdKafka
import Logging

extension KafkaProducer {
    /// How long one metadata or watermark query may block.
    static let queryTimeout: Duration = .seconds(10)

    /// The partition that librdkafka's configured partitioner (default `consistent_random`: CRC32 of the key,
    /// random for a nil or empty key) would choose for `key`, over the topic's partition count.
    ///
    /// The count comes from a metadata request, cached per topic for a minute. Pass the result to
    /// `send(..., partition:)` to fix a record's partition before producing it. Throws `KafkaError` when the topic's
    /// metadata cannot be had (unknown topic, timeout, broker down).
    public func partition(topic: String, key: [UInt8]?) async throws -> Int32 {
        let count = try await partitionCount(topic: topic)
        return partitioner.partition(key: key, partitionCount: count)
    }

    /// An offset that is at most the offset that the next record produced to `partition` of `topic` will get:
    /// max(highest offset delivered there by this producer + 1, the partition's high watermark as first queried).
    ///
    /// The high watermark is queried once per partition (`rd_kafka_query_watermark_offsets`) and cached. When no other
    /// producer writes to the partition, the result is exactly the next record's offset. Throws `KafkaError` when the
    /// query fails.
    public func nextOffsetLowerBound(topic: String, partition: Int32) async throws -> Int64 {
        let topicPartition = TopicPartition(topic: topic, partition: partition)
        if let bound = partitionState.nextOffsetLowerBound(topicPartition) {
            return bound
        }
        let (client, partitionState) = (client, partitionState)
        return try await queries.run {
            // The queries run one at a time: callers that missed the cache together ask the broker once, not once
            // each (with hundreds of events starting together, that was a serial round trip per event).
            if let bound = partitionState.nextOffsetLowerBound(topicPartition) { return bound }
            let watermarks = try RdKafkaQueries.watermarks(client.rk, topicPartition, timeout: Self.queryTimeout)
            partitionState.setHighWatermark(topicPartition, watermarks.high)
            return partitionState.nextOffsetLowerBound(topicPartition) ?? watermarks.high
        }
    }

    /// The cached partition count of `topic`, or a fresh one from a metadata request.
    private func partitionCount(topic: String) async throws -> Int32 {
        if let count = partitionState.partitionCount(topic) {
            return count
        }
        let (client, partitionState) = (client, partitionState)
        let (count, asked) = try await queries.run { () throws -> (Int32, Bool) in
            // As above: one metadata request for all the callers that found the count missing or stale together.
            if let count = partitionState.partitionCount(topic) { return (count, false) }
            let count = try RdKafkaQueries.partitionCount(client.rk, topic: topic, timeout: Self.queryTimeout)
            partitionState.setPartitionCount(count, for: topic)
            return (count, true)
        }
        if asked {
            logger.debug(
                "Kafka topic partition count",
                metadata: [KafkaLogKey.topic: "\(topic)", KafkaLogKey.partitionCount: .stringConvertible(count)]
            )
        }
        return count
    }
}
