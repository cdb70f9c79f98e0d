import CRdKafka

/// Blocking cluster queries on any `rd_kafka_t` handle. Call them only from a dedicated thread.
enum RdKafkaQueries {
    /// The handle's group's committed offsets for `partitions` (`rd_kafka_committed`, asked of the group
    /// coordinator): the next offset to consume per partition; a partition without a committed offset is absent.
    static func committedOffsets(
        _ rk: OpaquePointer, partitions: [TopicPartition], timeout: Duration
    ) throws(KafkaError) -> [TopicPartition: Int64] {
        try TopicPartitionList.with(partitions) { list throws(KafkaError) in
            let err = rd_kafka_committed(rk, list, timeout.clampedMilliseconds)
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

    /// The partition count of `topic` from a metadata request (`rd_kafka_metadata` for that one topic).
    /// Throws the topic's error (e.g. `UNKNOWN_TOPIC_OR_PART`) when the broker reports no partitions.
    static func partitionCount(_ rk: OpaquePointer, topic: String, timeout: Duration) throws(KafkaError) -> Int32 {
        guard let rkt = rd_kafka_topic_new(rk, topic, nil) else {
            throw KafkaError(rd_kafka_last_error(), message: "rd_kafka_topic_new failed for \(topic)")
        }
        defer { rd_kafka_topic_destroy(rkt) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(rk, 0, rkt, &metadata, Int32(timeout.clampedMilliseconds))
        defer { if let metadata { rd_kafka_metadata_destroy(metadata) } }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(err, message: "metadata for \(topic): \(String(cString: rd_kafka_err2str(err)))")
        }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        guard let entry = topics.first(where: { String(cString: $0.topic) == topic }) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, message: "metadata for \(topic): topic missing")
        }
        guard entry.partition_cnt > 0 else {
            let topicErr = entry.err == RD_KAFKA_RESP_ERR_NO_ERROR ? RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC : entry.err
            throw KafkaError(
                topicErr,
                message: "metadata for \(topic): no partitions (\(String(cString: rd_kafka_err2str(topicErr))))"
            )
        }
        return entry.partition_cnt
    }

    /// The low and high watermarks of a partition, asked of its leader (`rd_kafka_query_watermark_offsets`).
    static func watermarks(
        _ rk: OpaquePointer,
        _ partition: TopicPartition,
        timeout: Duration
    ) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = -1
        var high: Int64 = -1
        let err = rd_kafka_query_watermark_offsets(
            rk,
            partition.topic,
            partition.partition,
            &low,
            &high,
            timeout.clampedMilliseconds
        )
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(err, message: "watermarks of \(partition): \(String(cString: rd_kafka_err2str(err)))")
        }
        return (low, high)
    }
}
