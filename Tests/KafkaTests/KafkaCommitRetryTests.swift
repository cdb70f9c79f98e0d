import Testing

@testable import Kafka

/// A commit the group coordinator refuses while the group rebalances is retried, so the partition's next owner does
/// not replay from an older offset.
@Suite("Commits refused during a rebalance")
struct KafkaCommitRetryTests {
    /// librdkafka's protocol numbers: the OffsetCommit request and the REBALANCE_IN_PROGRESS / ILLEGAL_GENERATION
    /// error codes.
    static let offsetCommit: Int16 = 8
    static let rebalanceInProgress: Int32 = 27
    static let illegalGeneration: Int32 = 22

    /// Consumes the fixture's partition 0 (offsets 0...3 stored), with `errors` pushed onto the next OffsetCommit
    /// requests before the consumer closes (its revoke commits); returns what the group has committed afterwards.
    static func committedAfterClose(refusing errors: [Int32]) async throws -> [TopicPartition: Int64] {
        let fixture = try await KafkaPartitionReaderTests.Fixture()
        let logger = KafkaTestSupport.logger("commit-retry")
        var configuration = fixture.configuration(group: KafkaTestSupport.uniqueName("g"))
        configuration["enable.auto.commit"] = "false"
        let delegate = RecordingDelegate { $0.partition == 0 && $0.offset < 4 ? $0.offset + 1 : nil }
        let consumer = try KafkaConsumer(configuration: configuration, topics: [fixture.topic], logger: logger)
        let sawAll = try await KafkaTestSupport.withRunningConsumer(consumer, delegate: delegate) {
            let saw = try await KafkaTestSupport.waitUntil { delegate.messages.count >= 13 }
            try fixture.cluster.pushRequestErrors(apiKey: offsetCommit, errors: errors)
            return saw
        }
        #expect(sawAll)
        let probe = try KafkaConsumer(configuration: configuration, topics: [fixture.topic], logger: logger)
        return try await probe.committedOffsets(for: [TopicPartition(topic: fixture.topic, partition: 0)])
    }

    @Test("the revoke's commit is retried while the coordinator answers REBALANCE_IN_PROGRESS")
    func retriedWhileRebalancing() async throws {
        let committed = try await Self.committedAfterClose(refusing: [
            Self.rebalanceInProgress, Self.rebalanceInProgress,
        ])
        #expect(committed.values.first == 4, "\(committed)")
    }

    @Test("a refusal that means the member lost its partitions is not retried (so the test above can fail)")
    func notRetriedWhenFenced() async throws {
        let committed = try await Self.committedAfterClose(refusing: [Self.illegalGeneration])
        #expect(committed.isEmpty, "\(committed)")
    }

    @Test("which refusals pass")
    func passingRefusals() {
        #expect(KafkaConsumer.commitRefusalPasses(Self.rebalanceInProgress))
        #expect(!KafkaConsumer.commitRefusalPasses(Self.illegalGeneration))
    }
}
