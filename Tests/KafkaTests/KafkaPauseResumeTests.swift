import Kafka
import Synchronization
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

    @Test(
        "resumed partitions are woken with a seek to their positions: over many pauses no record is skipped or repeated"
    )
    func repeatedPausesLoseAndRepeatNothing() async throws {
        let logger = KafkaTestSupport.logger("pause-cycles")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("cycles")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producerConfiguration(cluster), logger: logger)
        let total = 1_200
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<total {
                group.addTask {
                    _ = try await producer.send(
                        topic: topic, key: nil, value: Array("r\(index)".utf8), partition: Int32(index % 2))
                }
            }
            try await group.waitForAll()
        }

        let delegate = PausingDelegate(every: 100)
        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.consumerConfiguration(cluster, group: KafkaTestSupport.uniqueName("g")),
            topics: [topic], logger: logger)
        let pauses = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run(delegate: delegate) }
            // Each pause (taken on the poll thread, mid-stream) is lifted a moment later from here.
            var pauses = 0
            let deadline = ContinuousClock.now + .seconds(60)
            while delegate.recording.messages.count < total, ContinuousClock.now < deadline {
                if let paused = delegate.takePaused() {
                    pauses += 1
                    try await Task.sleep(for: .milliseconds(30))
                    try consumer.resume(paused)
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            consumer.stop()
            try await group.waitForAll()
            return pauses
        }
        await producer.shutdown(flushTimeout: .seconds(5))
        #expect(pauses >= 5)
        for partition in Int32(0)..<2 {
            let offsets = delegate.recording.messages.filter { $0.partition == partition }.map(\.offset)
            #expect(offsets == Array(0..<Int64(total / 2)), "partition \(partition)")
        }
    }
}

/// Pauses every assigned partition each `every` records, from the poll thread; the test resumes them.
final class PausingDelegate: KafkaConsumerDelegate {
    let recording = RecordingDelegate()
    private let every: Int
    private let paused = Mutex<[TopicPartition]?>(nil)

    init(every: Int) { self.every = every }

    /// The partitions paused since the last call, if any.
    func takePaused() -> [TopicPartition]? {
        paused.withLock { paused in
            defer { paused = nil }
            return paused
        }
    }

    func consumer(_ consumer: KafkaConsumer, didReceive message: KafkaMessage) {
        recording.consumer(consumer, didReceive: message)
        guard recording.messages.count % every == 0 else { return }
        let assigned = consumer.assignment
        do {
            try consumer.pause(assigned)
            paused.withLock { $0 = assigned }
        } catch {
            Issue.record("pause failed: \(error)")
        }
    }

    func consumer(_ consumer: KafkaConsumer, didAssign partitions: [TopicPartition]) {
        recording.consumer(consumer, didAssign: partitions)
    }

    func consumer(_ consumer: KafkaConsumer, willRevoke partitions: [TopicPartition], lost: Bool) {
        recording.consumer(consumer, willRevoke: partitions, lost: lost)
    }
}
