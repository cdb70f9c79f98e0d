import Kafka

/// Where the pipeline publishes outcome records. ``KafkaProducer`` is the production implementation.
public protocol OutcomeSink: Sendable {
    /// Publishes one record and returns once it is durable (its delivery report arrived).
    func publish(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) async throws
}

/// The consumer operations the pipeline drives. ``KafkaConsumer`` is the production implementation.
public protocol ConsumerControl: AnyObject, Sendable {
    func storeOffset(_ partition: TopicPartition, nextOffset: Int64) throws
    func pause(_ partitions: [TopicPartition]) throws
    func resume(_ partitions: [TopicPartition]) throws
}

extension KafkaProducer: OutcomeSink {
    public func publish(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) async throws {
        _ = try await send(topic: topic, key: key, value: value, headers: headers)
    }
}

extension KafkaConsumer: ConsumerControl {}
