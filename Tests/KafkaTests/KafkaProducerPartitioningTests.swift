import Kafka
import Testing

@Suite("Producer: choosing partitions and predicting offsets")
struct KafkaProducerPartitioningTests {
    @Test("partition(topic:key:) predicts where librdkafka's default partitioner puts 50 keyed records")
    func partitionMatchesLibrdkafka() async throws {
        let logger = KafkaTestSupport.logger("partitioning")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("partitioning")
        try cluster.createTopic(topic, partitions: 7)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producerConfiguration(cluster), logger: logger)

        var used: Set<Int32> = []
        for index in 0..<50 {
            let key = Array("contact-\(index)-\(index * 7919)".utf8)
            let predicted = try await producer.partition(topic: topic, key: key)
            #expect((0..<7).contains(predicted))
            let report = try await producer.send(topic: topic, key: key, value: [UInt8(index)])
            #expect(report.partition == predicted, "key \(index)")
            used.insert(report.partition)
        }
        #expect(used.count >= 5, "50 keys should spread over most of 7 partitions, got \(used.sorted())")

        // A nil key is partitioned at random: any valid partition.
        for _ in 0..<10 {
            #expect((0..<7).contains(try await producer.partition(topic: topic, key: nil)))
            #expect((0..<7).contains(try await producer.partition(topic: topic, key: [])))
        }
        await producer.shutdown(flushTimeout: .seconds(5))
    }

    @Test("a configured partitioner (murmur2_random) is predicted too")
    func configuredPartitioner() async throws {
        let logger = KafkaTestSupport.logger("partitioning")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("murmur2")
        try cluster.createTopic(topic, partitions: 5)
        let producer = try KafkaProducer(
            configuration: KafkaTestSupport.producerConfiguration(cluster, extra: ["partitioner": "murmur2_random"]),
            logger: logger
        )
        for index in 0..<20 {
            let key = Array("k\(index)".utf8)
            let predicted = try await producer.partition(topic: topic, key: key)
            let report = try await producer.send(topic: topic, key: key, value: nil)
            #expect(report.partition == predicted, "key \(index)")
        }
        await producer.shutdown(flushTimeout: .seconds(5))
    }

    @Test("an unknown partitioner name is a configuration error naming the setting")
    func unknownPartitioner() throws {
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(
                configuration: ["bootstrap.servers": "127.0.0.1:1", "partitioner": "round_robin"],
                logger: KafkaTestSupport.logger("partitioning")
            )
        }
        #expect(error?.setting == "partitioner")
    }

    @Test("send(partition:) puts the record in that partition, whatever the key hashes to")
    func explicitPartitionIsHonoured() async throws {
        let logger = KafkaTestSupport.logger("partitioning")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("explicit")
        try cluster.createTopic(topic, partitions: 4)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producerConfiguration(cluster), logger: logger)

        var offsets: [Int32: Int64] = [:]
        for index in 0..<12 {
            let key = Array("key-\(index)".utf8)
            let natural = try await producer.partition(topic: topic, key: key)
            let target = (natural + 1 + Int32(index % 3)) % 4
            #expect(target != natural)
            let report = try await producer.send(
                topic: topic,
                key: key,
                value: [UInt8(index)],
                headers: [KafkaHeader(key: "h", string: "\(index)")],
                partition: target
            )
            #expect(report.partition == target)
            #expect(report.offset == offsets[target, default: 0])
            offsets[target, default: 0] += 1
        }

        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(topic: topic, key: [1], value: [1], partition: 9)
        }
        #expect(error?.code == KafkaError.unknownPartitionCode, "\(String(describing: error))")
        await producer.shutdown(flushTimeout: .seconds(5))
    }

    @Test("nextOffsetLowerBound is the next offset when only this producer writes, and a lower bound otherwise")
    func nextOffsetLowerBound() async throws {
        let logger = KafkaTestSupport.logger("partitioning")
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = KafkaTestSupport.uniqueName("lower-bound")
        try cluster.createTopic(topic, partitions: 2)
        let configuration = KafkaTestSupport.producerConfiguration(cluster)
        let other = try KafkaProducer(configuration: configuration, logger: logger)
        for index in 0..<5 {
            _ = try await other.send(topic: topic, key: nil, value: [UInt8(index)], partition: 1)
        }

        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        #expect(try await producer.nextOffsetLowerBound(topic: topic, partition: 0) == 0)
        #expect(try await producer.nextOffsetLowerBound(topic: topic, partition: 1) == 5, "the high watermark")

        // Only this producer writes: the bound is exact, before every send.
        for _ in 0..<3 {
            let bound = try await producer.nextOffsetLowerBound(topic: topic, partition: 1)
            let report = try await producer.send(topic: topic, key: [1], value: [1], partition: 1)
            #expect(report.offset == bound)
        }
        #expect(try await producer.nextOffsetLowerBound(topic: topic, partition: 0) == 0, "partition 0 untouched")

        // Another producer writes meanwhile: the cached bound stays below the real offset, never above.
        for _ in 0..<4 {
            _ = try await other.send(topic: topic, key: nil, value: [9], partition: 1)
        }
        let stale = try await producer.nextOffsetLowerBound(topic: topic, partition: 1)
        #expect(stale == 8)
        let report = try await producer.send(topic: topic, key: [2], value: [2], partition: 1)
        #expect(report.offset == 12)
        #expect(stale <= report.offset)
        #expect(try await producer.nextOffsetLowerBound(topic: topic, partition: 1) == 13)

        await other.shutdown(flushTimeout: .seconds(5))
        await producer.shutdown(flushTimeout: .seconds(5))
    }
}
