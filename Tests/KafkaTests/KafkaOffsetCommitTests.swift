import Kafka
import Testing

@Suite("Stored offsets are committed on close")
struct KafkaOffsetCommitTests {
    @Test("a second consumer in the group starts at the stored offset, not earlier")
    func secondConsumerStartsAtStoredOffset() async throws {
        let logger = KafkaTestSupport.logger("offsets")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("offsets")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producerConfiguration(cluster), logger: logger)
        for index in 0..<10 {
            _ = try await producer.send(topic: topic, key: nil, value: Array("v\(index)".utf8))
        }
        await producer.shutdown(flushTimeout: .seconds(5))

        // Auto-commit off: only the commit that follows willRevoke at close can move the group's offset.
        let group = KafkaTestSupport.uniqueName("g")
        let configuration = KafkaTestSupport.consumerConfiguration(
            cluster,
            group: group,
            extra: ["enable.auto.commit": "false"]
        )
        let first = RecordingDelegate { message in message.offset < 6 ? message.offset + 1 : nil }
        let consumer = try KafkaConsumer(configuration: configuration, topics: [topic], logger: logger)
        let sawAll = try await KafkaTestSupport.withRunningConsumer(consumer, delegate: first) {
            try await KafkaTestSupport.waitUntil { first.messages.count >= 10 }
        }
        #expect(sawAll)
        #expect(first.revoked == [TopicPartition(topic: topic, partition: 0)], "close revokes the partition")
        #expect(first.state.withLock { $0.storeErrors }.isEmpty)

        let second = RecordingDelegate()
        let next = try KafkaConsumer(configuration: configuration, topics: [topic], logger: logger)
        let sawRest = try await KafkaTestSupport.withRunningConsumer(next, delegate: second) {
            try await KafkaTestSupport.waitUntil { second.messages.count >= 4 }
        }
        #expect(sawRest)
        #expect(second.messages.map(\.offset) == [6, 7, 8, 9])
    }

    @Test("storing an offset for a partition that is not assigned throws a KafkaError")
    func storeForUnassignedPartitionThrows() async throws {
        let logger = KafkaTestSupport.logger("offsets")
        let cluster = try KafkaMockCluster(logger: logger)
        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.consumerConfiguration(cluster, group: "g"),
            topics: ["t"],
            logger: logger
        )
        let error = #expect(throws: KafkaError.self) {
            try consumer.storeOffset(TopicPartition(topic: "t", partition: 0), nextOffset: 1)
        }
        #expect(error?.isPartitionNotAssigned == true, "\(String(describing: error))")
        #expect(consumer.assignment.isEmpty)
    }
}
