import CRdKafka
import Logging
import Synchronization
import Testing

@testable import Kafka

/// Stopping a consumer while its group is still joining. librdkafka before 2.3.0 aborts in `rd_kafka_destroy` when a
/// cooperative-sticky consumer is destroyed after its JoinGroup was answered and before its first assignment
/// (librdkafka #4312): these tests would end the test process with SIGABRT if the consumer destroyed such a handle.
@Suite("Consumer stopped while its group is joining")
struct KafkaConsumerJoinShutdownTests {
    /// The Kafka protocol's API key of SyncGroup, and the error code REBALANCE_IN_PROGRESS.
    static let syncGroupAPIKey: Int16 = 14
    static let rebalanceInProgress: Int32 = 27

    /// Whether the librdkafka these tests run against has the bug (bookworm's 2.0.2 does).
    static let librdkafkaAborts = rd_kafka_version() < KafkaConsumerHandleRelease.firstFixedVersion

    @Test("the handle is kept only for a subscribed consumer without an assignment, and only before librdkafka 2.3.0")
    func handleReleaseDecision() {
        let v202: Int32 = 0x0200_02ff
        let v220: Int32 = 0x0202_00ff
        let v230: Int32 = 0x0203_00ff
        let table: [(subscribed: Bool, assigned: Bool, version: Int32, expected: KafkaConsumerHandleRelease)] = [
            (true, false, v202, .keepUntilExit),
            (true, false, v220, .keepUntilExit),
            (true, true, v202, .destroy),
            (false, false, v202, .destroy),
            (true, false, v230, .destroy),
            (true, true, v230, .destroy),
        ]
        for row in table {
            let release = KafkaConsumerHandleRelease.afterClose(
                subscribed: row.subscribed, assignmentReceived: row.assigned, librdkafkaVersion: row.version)
            #expect(release == row.expected, "\(row)")
        }
    }

    @Test("stopped after its JoinGroup answer, before its first assignment: no abort, the handle is kept, a notice")
    func stopBetweenJoinAndFirstAssignment() async throws {
        let records = LogRecords()
        let logger = KafkaTestSupport.logger("join-stop", records: records)
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("join-stop")
        try cluster.createTopic(topic, partitions: 2)
        // Every SyncGroup fails for a while: the JoinGroup is answered (the assignor is chosen), the assignment never
        // comes. This is the window in which a SIGTERM used to abort the worker.
        try cluster.pushRequestErrors(
            apiKey: Self.syncGroupAPIKey, errors: Array(repeating: Self.rebalanceInProgress, count: 50))
        let delegate = RecordingDelegate()
        do {
            let consumer = try KafkaConsumer(
                configuration: KafkaTestSupport.consumerConfiguration(cluster, group: KafkaTestSupport.uniqueName("g")),
                topics: [topic],
                logger: logger
            )
            try await KafkaTestSupport.withRunningConsumer(consumer, delegate: delegate) {
                let joined = try await KafkaTestSupport.waitUntil { consumer.rebalanceProtocol == "COOPERATIVE" }
                #expect(joined, "the JoinGroup was never answered")
            }
            #expect(!consumer.hasReceivedAssignment)
            #expect(delegate.assigned.isEmpty && delegate.revoked.isEmpty)
            #expect(consumer.client.isHandleKeptUntilExit == Self.librdkafkaAborts)
        }
        // The consumer is gone (deinit ran, and did not destroy the handle); the process is still alive.
        let notices = records.messages {
            $0.level == .notice && $0.message.contains("handle kept until the process exits")
        }
        #expect(notices.count == (Self.librdkafkaAborts ? 1 : 0), "\(records.messages { _ in true })")
        if let notice = notices.first {
            #expect(notice.metadata["kafka.librdkafka.version"] == String(cString: rd_kafka_version_str()))
        }
    }

    @Test("stopped right after subscribing, before any JoinGroup answer: no abort, the handle is kept")
    func stopBeforeJoinAnswer() async throws {
        let logger = KafkaTestSupport.logger("join-early")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("join-early")
        try cluster.createTopic(topic, partitions: 2)
        let delegate = RecordingDelegate()
        do {
            let consumer = try KafkaConsumer(
                configuration: KafkaTestSupport.consumerConfiguration(cluster, group: KafkaTestSupport.uniqueName("g")),
                topics: [topic],
                logger: logger
            )
            // The mock cluster answers a new group's first JoinGroup only after 3 s.
            try await KafkaTestSupport.withRunningConsumer(consumer, delegate: delegate) {
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(!consumer.hasReceivedAssignment)
            #expect(consumer.client.isHandleKeptUntilExit == Self.librdkafkaAborts)
        }
    }

    @Test("stopped before run() subscribes: it never subscribes, and the handle is destroyed")
    func stopBeforeSubscribing() async throws {
        let records = LogRecords()
        let logger = KafkaTestSupport.logger("no-subscribe", records: records)
        let cluster = try KafkaMockCluster(logger: logger)
        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.consumerConfiguration(cluster, group: KafkaTestSupport.uniqueName("g")),
            topics: [KafkaTestSupport.uniqueName("no-subscribe")],
            logger: logger
        )
        consumer.stop()
        try await consumer.run(delegate: RecordingDelegate())
        #expect(!consumer.client.isHandleKeptUntilExit)
        #expect(records.messages { $0.message == "Kafka consumer subscribed" }.isEmpty)
        #expect(records.messages { $0.message == "Kafka consumer stopped before subscribing" }.count == 1)
    }

    @Test("members that received an assignment, an empty one too, still revoke, commit and are destroyed")
    func assignedMembersAreDestroyed() async throws {
        let logger = KafkaTestSupport.logger("join-assigned")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("join-assigned")
        // One partition for two members: one of them gets an empty assignment.
        try cluster.createTopic(topic, partitions: 1)
        let group = KafkaTestSupport.uniqueName("g")
        let configuration = KafkaTestSupport.consumerConfiguration(cluster, group: group)
        let first = try KafkaConsumer(configuration: configuration, topics: [topic], logger: logger)
        let second = try KafkaConsumer(configuration: configuration, topics: [topic], logger: logger)
        let firstDelegate = RecordingDelegate()
        let secondDelegate = RecordingDelegate()

        try await KafkaTestSupport.withRunningConsumer(first, delegate: firstDelegate) {
            try await KafkaTestSupport.withRunningConsumer(second, delegate: secondDelegate) {
                let settled = try await KafkaTestSupport.waitUntil(timeout: .seconds(30)) {
                    first.hasReceivedAssignment && second.hasReceivedAssignment
                        && first.assignment.count + second.assignment.count == 1
                }
                #expect(settled)
            }
        }
        for (consumer, delegate) in [(first, firstDelegate), (second, secondDelegate)] {
            #expect(!consumer.client.isHandleKeptUntilExit)
            #expect(Set(delegate.revoked) == Set(delegate.assigned), "close revokes what was assigned")
        }
        #expect(firstDelegate.assigned.count + secondDelegate.assigned.count >= 1)
    }
}

/// Log records captured by `RecordingLogHandler`.
final class LogRecords: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let records: Mutex<[Record]> = Mutex([])

    func append(_ record: Record) {
        records.withLock { $0.append(record) }
    }

    func messages(where predicate: (Record) -> Bool) -> [Record] {
        records.withLock { $0.filter(predicate) }
    }
}

/// A log handler that keeps every record (at any level) in a `LogRecords`.
struct RecordingLogHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        records.append(
            LogRecords.Record(
                level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}
