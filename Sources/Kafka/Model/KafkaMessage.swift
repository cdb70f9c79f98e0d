/// A record received from Kafka. Bytes are copied out of librdkafka's buffers, so the value outlives the C message.
public struct KafkaMessage: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// The record key, or `nil` when the record has none.
    public var key: [UInt8]?
    /// The record value, or `nil` for a tombstone.
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// The record timestamp in milliseconds since the Unix epoch, when the broker gave one.
    public var timestampMilliseconds: Int64?

    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    /// The first header with this key.
    public func header(_ key: String) -> KafkaHeader? {
        headers.first { $0.key == key }
    }
}
