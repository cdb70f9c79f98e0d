import Kafka
import Testing

@Suite("Partition reader: a group's committed offsets, asked without joining the group")
struct KafkaGroupOffsetsTests {
    @Test("no commits yet: empty; after a consumer committed on 2 of 3 partitions: exactly those offsets")
    func committedOffsetsOfEveryPartition() async throws {
        let logger = KafkaTestSupport.logger("group-offsets")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("committed")
        let other = KafkaTestSupport.uniqueName("other")
        try cluster.createTopic(topic, partitions: 3)
        try cluster.createTopic(other, partitions: 2)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producerConfiguration(cluster), logger: logger)
        for index in 0..<8 {
            _ = try await producer.send(
                topic: topic, key: nil, value: Array("v\(index)".utf8), partition: index < 5 ? 0 : 1)
        }
        await producer.shutdown(flushTimeout: .seconds(5))
        let group = KafkaTestSupport.uniqueName("g")
        let configuration = KafkaTestSupport.consumerConfiguration(
            cluster, group: group, extra: ["enable.auto.commit": "false"])

        let reader = try KafkaPartitionReader(configuration: configuration, groupID: group, logger: logger)
        #expect(try await reader.committedOffsets(topics: [topic, other]).isEmpty)
        #expect(try await reader.partitionCount(topic: topic) == 3)

        // Partition 0: every record; partition 1: up to offset 2; partition 2 has no records, so nothing is stored.
        let delegate = RecordingDelegate { message in
            message.partition == 0 || message.offset < 2 ? message.offset + 1 : nil
        }
        let consumer = try KafkaConsumer(configuration: configuration, topics: [topic], logger: logger)
        let sawAll = try await KafkaTestSupport.withRunningConsumer(consumer, delegate: delegate) {
            try await KafkaTestSupport.waitUntil { delegate.messages.count >= 8 }
        }
        #expect(sawAll)

        let committed = try await reader.committedOffsets(topics: [topic, other, "no-such-topic"])
        #expect(
            committed == [
                TopicPartition(topic: topic, partition: 0): 5, TopicPartition(topic: topic, partition: 1): 2,
            ])
        // Another group's reader sees none of it.
        let stranger = try KafkaPartitionReader(
            configuration: configuration, groupID: KafkaTestSupport.uniqueName("g"), logger: logger)
        #expect(try await stranger.committedOffsets(topics: [topic]).isEmpty)
        await stranger.close()
        await reader.close()
    }
}
