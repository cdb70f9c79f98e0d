import Kafka
import Testing

@Suite("Produce and consume through the mock cluster")
struct KafkaRoundTripTests {
    @Test("records keep key, value (nil too), headers and per-partition order")
    func roundTrip() async throws {
        let logger = KafkaTestSupport.logger("round-trip")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("round-trip")
        try cluster.createTopic(topic, partitions: 3)

        let producer = try KafkaProducer(configuration: KafkaTestSupport.producerConfiguration(cluster), logger: logger)
        struct Sent: Sendable {
            var key: [UInt8]
            var value: [UInt8]?
            var headers: [KafkaHeader]
        }
        var sent: [TopicPartition: [Int64: Sent]] = [:]
        let count = 30
        for index in 0..<count {
            let record = Sent(
                key: Array("key-\(index % 7)".utf8),
                value: index % 5 == 0 ? nil : Array("value-\(index)".utf8),
                headers: [
                    KafkaHeader(key: "index", string: "\(index)"),
                    KafkaHeader(key: "no-value", value: nil),
                    KafkaHeader(key: "empty", value: []),
                ]
            )
            let report = try await producer.send(
                topic: topic,
                key: record.key,
                value: record.value,
                headers: record.headers
            )
            #expect(report.topic == topic)
            sent[TopicPartition(topic: topic, partition: report.partition), default: [:]][report.offset] = record
        }
        await producer.shutdown(flushTimeout: .seconds(5))
        #expect(sent.count > 1, "the key hash should spread 7 keys over more than one of 3 partitions")

        let delegate = RecordingDelegate()
        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.consumerConfiguration(cluster, group: KafkaTestSupport.uniqueName("g")),
            topics: [topic],
            logger: logger
        )
        let arrived = try await KafkaTestSupport.withRunningConsumer(consumer, delegate: delegate) {
            try await KafkaTestSupport.waitUntil { delegate.messages.count >= count }
        }
        #expect(arrived)

        let received = delegate.messages
        #expect(received.count == count)
        for (partition, records) in sent {
            let offsets = received.filter { $0.topicPartition == partition }.map(\.offset)
            #expect(offsets == Array(0..<Int64(records.count)), "in order, each once, for \(partition)")
        }
        for message in received {
            let expected = try #require(sent[message.topicPartition]?[message.offset])
            #expect(message.key == expected.key)
            #expect(message.value == expected.value)
            #expect(message.headers == expected.headers)
            #expect(message.header("index")?.stringValue != nil)
            #expect(message.timestampMilliseconds != nil)
        }
        #expect(Set(delegate.assigned.map(\.partition)) == [0, 1, 2])
        #expect(delegate.state.withLock { $0.callbackThreads } == ["kafka-consumer"])
    }
}
