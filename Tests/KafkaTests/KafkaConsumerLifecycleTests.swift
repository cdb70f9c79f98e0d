import Kafka
import Testing

@Suite("Consumer lifecycle and rebalancing")
struct KafkaConsumerLifecycleTests {
    @Test("cancelling run() closes the consumer; run() a second time throws")
    func cancelAndRunOnce() async throws {
        let logger = KafkaTestSupport.logger("lifecycle")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("lifecycle")
        try cluster.createTopic(topic, partitions: 2)
        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.consumerConfiguration(cluster, group: KafkaTestSupport.uniqueName("g")),
            topics: [topic],
            logger: logger
        )
        let delegate = RecordingDelegate()
        let task = Task { try await consumer.run(delegate: delegate) }
        #expect(try await KafkaTestSupport.waitUntil { delegate.assigned.count == 2 })
        task.cancel()
        try await task.value
        #expect(Set(delegate.revoked) == Set(delegate.assigned), "close revokes everything that was assigned")
        let revoked = try #require(delegate.revoked.first)
        let storeError = #expect(throws: KafkaError.self) { try consumer.storeOffset(revoked, nextOffset: 1) }
        #expect(storeError?.isPartitionNotAssigned == true, "\(String(describing: storeError))")

        let error = await #expect(throws: KafkaError.self) { try await consumer.run(delegate: delegate) }
        #expect(error?.code == KafkaError.stateCode)
    }

    @Test("a second member gets partitions by incremental (cooperative) rebalance")
    func cooperativeRebalance() async throws {
        let logger = KafkaTestSupport.logger("rebalance")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("rebalance")
        try cluster.createTopic(topic, partitions: 4)
        let group = KafkaTestSupport.uniqueName("g")
        let configuration = KafkaTestSupport.consumerConfiguration(cluster, group: group)
        let first = try KafkaConsumer(configuration: configuration, topics: [topic], logger: logger)
        let second = try KafkaConsumer(configuration: configuration, topics: [topic], logger: logger)
        let firstDelegate = RecordingDelegate()
        let secondDelegate = RecordingDelegate()

        try await KafkaTestSupport.withRunningConsumer(first, delegate: firstDelegate) {
            #expect(try await KafkaTestSupport.waitUntil { first.assignment.count == 4 })
            try await KafkaTestSupport.withRunningConsumer(second, delegate: secondDelegate) {
                let split = try await KafkaTestSupport.waitUntil(timeout: .seconds(30)) {
                    let a = first.assignment.count
                    let b = second.assignment.count
                    return a > 0 && b > 0 && a + b == 4
                }
                #expect(split)
                // Cooperative: the first member gave up only what the second one took, and was not revoked fully.
                #expect(Set(firstDelegate.revoked) == Set(second.assignment))
                #expect(Set(first.assignment).isDisjoint(with: second.assignment))
                #expect(firstDelegate.assigned.count == 4)
            }
            // The second member left: its partitions come back to the first one.
            #expect(try await KafkaTestSupport.waitUntil(timeout: .seconds(30)) { first.assignment.count == 4 })
        }
    }
}
