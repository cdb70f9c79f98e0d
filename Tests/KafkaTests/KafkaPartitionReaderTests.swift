import Kafka
import Testing

@Suite("Partition reader: a range of one partition, no group, no commits")
struct KafkaPartitionReaderTests {
    /// A topic with 2 partitions: 10 records in partition 0 (keys, values, headers), 3 in partition 1.
    struct Fixture {
        var cluster: KafkaMockCluster
        var topic: String
        var sent: [KafkaMessage]

        /// The reader's group when the test does not care which (the reader never joins it).
        static let readerGroupID = "kafka-tests.outcome-reader"

        init() async throws {
            let logger = KafkaTestSupport.logger("reader")
            cluster = try KafkaMockCluster(logger: logger)
            topic = KafkaTestSupport.uniqueName("reader")
            try cluster.createTopic(topic, partitions: 2)
            let producer = try KafkaProducer(
                configuration: KafkaTestSupport.producerConfiguration(cluster),
                logger: logger
            )
            sent = []
            for index in 0..<13 {
                let partition: Int32 = index < 10 ? 0 : 1
                let key: [UInt8]? = index == 4 ? nil : Array("key-\(index)".utf8)
                let value: [UInt8]? = index == 5 ? nil : Array("value-\(index)".utf8)
                let headers = [KafkaHeader(key: "index", string: "\(index)"), KafkaHeader(key: "none", value: nil)]
                let report = try await producer.send(
                    topic: topic,
                    key: key,
                    value: value,
                    headers: headers,
                    partition: partition
                )
                sent.append(
                    KafkaMessage(
                        topic: topic,
                        partition: partition,
                        offset: report.offset,
                        key: key,
                        value: value,
                        headers: headers
                    )
                )
            }
            await producer.shutdown(flushTimeout: .seconds(5))
        }

        func configuration(group: String? = nil) -> [String: String] {
            var configuration = KafkaTestSupport.consumerConfiguration(cluster, group: group ?? "unused")
            if group == nil { configuration["group.id"] = nil }
            return configuration
        }

        func expected(partition: Int32, from offset: Int64) -> [KafkaMessage] {
            sent.filter { $0.partition == partition && $0.offset >= offset }
        }
    }

    static func expectSame(_ read: [KafkaMessage], _ expected: [KafkaMessage]) {
        #expect(read.map(\.offset) == expected.map(\.offset))
        for (record, wanted) in zip(read, expected) {
            #expect(record.topic == wanted.topic)
            #expect(record.partition == wanted.partition)
            #expect(record.key == wanted.key)
            #expect(record.value == wanted.value)
            #expect(record.headers == wanted.headers)
            #expect(record.timestampMilliseconds != nil)
        }
    }

    @Test("returns exactly the records [from, high watermark) with keys, values and headers")
    func readsRange() async throws {
        let fixture = try await Fixture()
        let group = KafkaTestSupport.uniqueName("g")
        let reader = try KafkaPartitionReader(
            configuration: fixture.configuration(group: group),
            groupID: "\(group).outcome-reader",
            logger: KafkaTestSupport.logger("reader")
        )
        for from: Int64 in [0, 3, 9] {
            let read = try await reader.read(topic: fixture.topic, partition: 0, from: from, timeout: .seconds(20))
            Self.expectSame(read, fixture.expected(partition: 0, from: from))
        }
        let other = try await reader.read(topic: fixture.topic, partition: 1, from: 1, timeout: .seconds(20))
        Self.expectSame(other, fixture.expected(partition: 1, from: 1))
        #expect(other.map(\.offset) == [1, 2])

        // An offset below the low watermark is raised to it.
        let all = try await reader.read(topic: fixture.topic, partition: 1, from: -2, timeout: .seconds(20))
        #expect(all.map(\.offset) == [0, 1, 2])
        await reader.close()
    }

    @Test("a bounded read returns exactly [from, until); watermarks are the first and next offsets")
    func boundedReadAndEndOffset() async throws {
        let fixture = try await Fixture()
        try fixture.cluster.createTopic(fixture.topic + "-empty", partitions: 1)
        let reader = try KafkaPartitionReader(
            configuration: fixture.configuration(), groupID: Fixture.readerGroupID,
            logger: KafkaTestSupport.logger("reader"))
        let zero = try await reader.watermarks(topic: fixture.topic, partition: 0)
        #expect(zero.low == 0 && zero.high == 10)
        #expect(try await reader.watermarks(topic: fixture.topic, partition: 1).high == 3)
        #expect(try await reader.watermarks(topic: fixture.topic + "-empty", partition: 0).high == 0)
        let slice = try await reader.read(
            topic: fixture.topic, partition: 0, from: 2, until: 5, timeout: .seconds(20))
        Self.expectSame(slice, fixture.expected(partition: 0, from: 2).filter { $0.offset < 5 })
        #expect(slice.map(\.offset) == [2, 3, 4])
        // Slices read one after the other give the whole partition; a bound past the end stops at the end.
        var slices: [KafkaMessage] = []
        for start in stride(from: Int64(0), to: 10, by: 4) {
            slices += try await reader.read(
                topic: fixture.topic, partition: 0, from: start, until: start + 4, timeout: .seconds(20))
        }
        Self.expectSame(slices, fixture.expected(partition: 0, from: 0))
        #expect(
            try await reader.read(topic: fixture.topic, partition: 0, from: 4, until: 4, timeout: .seconds(20))
                .isEmpty)
        await reader.close()
        await #expect(throws: KafkaError.self) { _ = try await reader.watermarks(topic: fixture.topic, partition: 0) }
    }

    @Test("is empty when from is at or past the high watermark, or the partition is empty")
    func emptyAtHighWatermark() async throws {
        let fixture = try await Fixture()
        try fixture.cluster.createTopic(fixture.topic + "-empty", partitions: 1)
        let reader = try KafkaPartitionReader(
            configuration: fixture.configuration(),
            groupID: Fixture.readerGroupID,
            logger: KafkaTestSupport.logger("reader")
        )
        #expect(try await reader.read(topic: fixture.topic, partition: 0, from: 10, timeout: .seconds(20)).isEmpty)
        #expect(try await reader.read(topic: fixture.topic, partition: 0, from: 99, timeout: .seconds(20)).isEmpty)
        #expect(
            try await reader.read(topic: fixture.topic + "-empty", partition: 0, from: 0, timeout: .seconds(20)).isEmpty
        )
        // Still usable after empty reads.
        #expect(try await reader.read(topic: fixture.topic, partition: 0, from: 8, timeout: .seconds(20)).count == 2)
    }

    @Test("concurrent reads each get their own range")
    func concurrentReads() async throws {
        let fixture = try await Fixture()
        let reader = try KafkaPartitionReader(
            configuration: fixture.configuration(),
            groupID: Fixture.readerGroupID,
            logger: KafkaTestSupport.logger("reader")
        )
        let requests: [(partition: Int32, from: Int64)] = [(0, 0), (1, 0), (0, 7), (1, 2), (0, 10), (0, 2)]
        let topic = fixture.topic
        let results = try await withThrowingTaskGroup(of: (Int, [KafkaMessage]).self) { group in
            for (index, request) in requests.enumerated() {
                group.addTask {
                    let read = try await reader.read(
                        topic: topic,
                        partition: request.partition,
                        from: request.from,
                        timeout: .seconds(30)
                    )
                    return (index, read)
                }
            }
            var results: [Int: [KafkaMessage]] = [:]
            for try await (index, read) in group { results[index] = read }
            return results
        }
        for (index, request) in requests.enumerated() {
            Self.expectSame(results[index] ?? [], fixture.expected(partition: request.partition, from: request.from))
        }
    }

    @Test("commits nothing: neither the configured group nor the reader's own group gets an offset")
    func commitsNothing() async throws {
        let fixture = try await Fixture()
        let logger = KafkaTestSupport.logger("reader")
        let group = KafkaTestSupport.uniqueName("g")
        // The consumer's own settings, auto-commit on: the reader turns it off rather than refusing.
        var configuration = fixture.configuration(group: group)
        configuration["enable.auto.commit"] = "true"
        configuration["auto.commit.interval.ms"] = "100"
        let reader = try KafkaPartitionReader(
            configuration: configuration, groupID: "\(group).outcome-reader", logger: logger)
        _ = try await reader.read(topic: fixture.topic, partition: 0, from: 0, timeout: .seconds(20))
        _ = try await reader.read(topic: fixture.topic, partition: 1, from: 1, timeout: .seconds(20))
        try await Task.sleep(for: .milliseconds(300))  // Several auto-commit intervals, were it on.
        await reader.close()

        let partitions = [0, 1].map { TopicPartition(topic: fixture.topic, partition: $0) }
        for groupID in [group, "\(group).outcome-reader"] {
            let probe = try KafkaConsumer(
                configuration: fixture.configuration(group: groupID),
                topics: [fixture.topic],
                logger: logger
            )
            let committed = try await probe.committedOffsets(for: partitions)
            #expect(committed.isEmpty, "group \(groupID): \(committed)")
        }
    }

    @Test("committedOffsets sees a commit (so the check above can fail)")
    func committedOffsetsSeesCommits() async throws {
        let fixture = try await Fixture()
        let logger = KafkaTestSupport.logger("reader")
        let group = KafkaTestSupport.uniqueName("g")
        var configuration = fixture.configuration(group: group)
        configuration["enable.auto.commit"] = "false"
        let delegate = RecordingDelegate { $0.partition == 0 && $0.offset < 4 ? $0.offset + 1 : nil }
        let consumer = try KafkaConsumer(configuration: configuration, topics: [fixture.topic], logger: logger)
        let sawAll = try await KafkaTestSupport.withRunningConsumer(consumer, delegate: delegate) {
            try await KafkaTestSupport.waitUntil { delegate.messages.count >= 13 }
        }
        #expect(sawAll)
        let probe = try KafkaConsumer(configuration: configuration, topics: [fixture.topic], logger: logger)
        let committed = try await probe.committedOffsets(
            for: [0, 1].map { TopicPartition(topic: fixture.topic, partition: $0) }
        )
        #expect(committed == [TopicPartition(topic: fixture.topic, partition: 0): 4])
    }

    @Test("a read that cannot finish in time throws _TIMED_OUT")
    func timesOut() async throws {
        let fixture = try await Fixture()
        let reader = try KafkaPartitionReader(
            configuration: fixture.configuration(),
            groupID: Fixture.readerGroupID,
            logger: KafkaTestSupport.logger("reader")
        )
        try fixture.cluster.setBrokerDown(1)
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: KafkaError.self) {
            try await reader.read(topic: fixture.topic, partition: 0, from: 0, timeout: .seconds(1))
        }
        #expect(error?.code == KafkaError.timedOutCode, "\(String(describing: error))")
        #expect(clock.now - started < .seconds(5))
    }

    @Test("reads after close throw _STATE")
    func readAfterClose() async throws {
        let logger = KafkaTestSupport.logger("reader")
        let cluster = try KafkaMockCluster(logger: logger)
        let reader = try KafkaPartitionReader(
            configuration: ["bootstrap.servers": cluster.bootstrapServers],
            groupID: Fixture.readerGroupID,
            logger: logger
        )
        await reader.close()
        await reader.close()
        let error = await #expect(throws: KafkaError.self) {
            try await reader.read(topic: "t", partition: 0, from: 0, timeout: .seconds(5))
        }
        #expect(error?.code == KafkaError.stateCode)
    }
}
