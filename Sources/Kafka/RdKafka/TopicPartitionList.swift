import CRdKafka

/// Conversions between `[TopicPartition]` and `rd_kafka_topic_partition_list_t`.
enum TopicPartitionList {
    /// Calls `body` with a new list holding `partitions` (with `offsets` when given); destroys it afterwards.
    static func with<R>(
        _ partitions: [TopicPartition],
        offsets: [Int64]? = nil,
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws(KafkaError) -> R
    ) throws(KafkaError) -> R {
        let list = rd_kafka_topic_partition_list_new(Int32(max(partitions.count, 1)))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (index, partition) in partitions.enumerated() {
            let element = rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)!
            if let offsets { element.pointee.offset = offsets[index] }
        }
        return try body(list)
    }

    /// The partitions in a C list.
    static func partitions(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
        elements(list).map { TopicPartition(topic: String(cString: $0.topic), partition: $0.partition) }
    }

    /// The offsets in a C list, in the order of `partitions(_:)`.
    static func offsets(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [Int64] {
        elements(list).map(\.offset)
    }

    /// The first per-partition error in a C list.
    static func firstError(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> KafkaError? {
        for element in elements(list) where element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            let partition = TopicPartition(topic: String(cString: element.topic), partition: element.partition)
            return KafkaError(element.err, message: "\(partition): \(String(cString: rd_kafka_err2str(element.err)))")
        }
        return nil
    }

    private static func elements(
        _ list: UnsafePointer<rd_kafka_topic_partition_list_t>?
    ) -> UnsafeBufferPointer<rd_kafka_topic_partition_t> {
        guard let list, let elems = list.pointee.elems else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: elems, count: Int(list.pointee.cnt))
    }
}
