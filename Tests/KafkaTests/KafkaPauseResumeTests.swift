import Kafka
import Testing

@Suite("Pause and resume")
struct KafkaPauseResumeTests {
    @Test("a paused partition delivers nothing until it is resumed")
    func pauseStopsDeliveryResumeRestartsIt() async throws {
        let logger = KafkaTestSupport.logger("pause")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("pause")
        try cluster.createTopic(topic, partitions: 1)
        let partition = TopicPartition(topic: topic, partition: 0)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producerConfiguration(cluster), logger: logger)

        let delegate = RecordingDelegate()
        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.consumerConfiguration(
                cluster,
                group: KafkaTestSupport.uniqueName("g"),
                extra: ["fetch.wait.max.ms": "100"]
            ),
            topics: [topic],
            logger: logger
        )
        try await KafkaTestSupport.withRunningConsumer(consumer, delegate: delegate) {
            for index in 0..<5 {
                _ = try await producer.send(topic: topic, key: nil, value: Array("a\(index)".utf8))
            }
            #expect(try await KafkaTestSupport.waitUntil { delegate.messages.count == 5 })
            #expect(consumer.assignment == [partition])

            try consumer.pause([partition])
            for index in 0..<5 {
                _ = try await producer.send(topic: topic, key: nil, value: Array("b\(index)".utf8))
            }
            // The records are on the broker (delivery reports arrived); a fetch takes ~100 ms here. Watch a window
            // of 15 fetch intervals: nothing may arrive while paused.
            let leaked = try await KafkaTestSupport.waitUntil(timeout: .milliseconds(1500)) {
                delegate.messages.count > 5
            }
            #expect(!leaked, "records arrived while the partition was paused")

            try consumer.resume([partition])
            #expect(try await KafkaTestSupport.waitUntil { delegate.messages.count == 10 })
        }
        await producer.shutdown(flushTimeout: .seconds(5))
        #expect(delegate.messages.map(\.offset) == Array(0..<10))
    }
}
