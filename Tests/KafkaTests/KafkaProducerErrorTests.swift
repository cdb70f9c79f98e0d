import Kafka
import Testing

@Suite("Producer delivery errors")
struct KafkaProducerErrorTests {
    @Test("a record that cannot be delivered before message.timeout.ms throws _MSG_TIMED_OUT; sending recovers")
    func brokerDownTimesOut() async throws {
        let logger = KafkaTestSupport.logger("producer-errors")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("down")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(
            configuration: KafkaTestSupport.producerConfiguration(
                cluster,
                extra: ["message.timeout.ms": "1000", "reconnect.backoff.max.ms": "200"]
            ),
            logger: logger
        )
        // The first send also waits for the connection and metadata, which can take longer than the short
        // message.timeout.ms on a loaded machine: try a few times.
        var firstReport: KafkaDeliveryReport?
        for _ in 0..<10 where firstReport == nil {
            firstReport = try? await producer.send(topic: topic, key: [1], value: [1])
        }
        #expect(firstReport?.partition == 0)

        try cluster.setBrokerDown(1)
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(topic: topic, key: [2], value: [2])
        }
        #expect(error?.code == KafkaError.messageTimedOutCode)
        #expect(error?.isRetriable == true)

        // Back up: the same producer delivers again (reconnecting may cost a timed-out attempt or two).
        try cluster.setBrokerUp(1)
        var report: KafkaDeliveryReport?
        for _ in 0..<10 where report == nil {
            report = try? await producer.send(topic: topic, key: [3], value: [3])
        }
        #expect(report?.partition == 0)
        await producer.shutdown(flushTimeout: .seconds(5))
    }

    @Test("retriable produce errors are retried by librdkafka; a non-retriable one fails the send")
    func requestErrors() async throws {
        let logger = KafkaTestSupport.logger("producer-errors")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("errors")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producerConfiguration(cluster), logger: logger)
        _ = try await producer.send(topic: topic, key: nil, value: [0])

        // 19 = NOT_ENOUGH_REPLICAS: retriable.
        try cluster.pushRequestErrors(apiKey: 0, errors: [19, 19])
        let retried = try await producer.send(topic: topic, key: nil, value: [1])
        #expect(retried.offset == 1)

        // 29 = TOPIC_AUTHORIZATION_FAILED: permanent.
        try cluster.pushRequestErrors(apiKey: 0, errors: [29])
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(topic: topic, key: nil, value: [2])
        }
        #expect(error?.code == 29)
        #expect(error?.name == "TOPIC_AUTHORIZATION_FAILED")
        await producer.shutdown(flushTimeout: .seconds(5))
    }

    @Test("send after shutdown throws _STATE")
    func sendAfterShutdown() async throws {
        let logger = KafkaTestSupport.logger("producer-errors")
        let cluster = try KafkaMockCluster(logger: logger)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producerConfiguration(cluster), logger: logger)
        await producer.shutdown(flushTimeout: .seconds(1))
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(topic: "t", key: nil, value: [1])
        }
        #expect(error?.code == KafkaError.stateCode)
    }
}
