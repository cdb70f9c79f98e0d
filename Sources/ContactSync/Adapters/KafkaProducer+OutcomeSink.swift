import Kafka

extension KafkaProducer: OutcomeSink {
    public func placement(topic: String, key: [UInt8]?) async throws -> OutcomePlacement {
        let partition = try await partition(topic: topic, key: key)
        let offset = try await nextOffsetLowerBound(topic: topic, partition: partition)
        return OutcomePlacement(topic: topic, partition: partition, fromOffset: offset)
    }

    public func publish(
        topic: String, partition: Int32, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]
    ) async throws {
        _ = try await send(topic: topic, key: key, value: value, headers: headers, partition: partition)
    }
}
