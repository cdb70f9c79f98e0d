import Testing

@testable import Kafka

@Suite("Partitioning and reader settings (no broker)")
struct KafkaPartitioningUnitTests {
    @Test("consistent_random hashes a key with CRC32 (librdkafka's), modulo the partition count")
    func crc32OfKey() {
        // CRC-32 (IEEE) of "123456789" is 0xCBF43926 = 3421780262.
        let key = Array("123456789".utf8)
        for count: Int32 in [1, 3, 7, 64, 1000] {
            let expected = Int32(3_421_780_262 % UInt32(count))
            #expect(KafkaPartitioner.consistentRandom.partition(key: key, partitionCount: count) == expected)
            #expect(KafkaPartitioner.consistent.partition(key: key, partitionCount: count) == expected)
        }
    }

    @Test("a nil or empty key goes to a random partition under consistent_random, and covers them all")
    func randomForEmptyKeys() {
        var seen: Set<Int32> = []
        for index in 0..<400 {
            let partition = KafkaPartitioner.consistentRandom.partition(
                key: index % 2 == 0 ? nil : [], partitionCount: 4)
            #expect((0..<4).contains(partition))
            seen.insert(partition)
        }
        #expect(seen == [0, 1, 2, 3])
    }

    @Test("the partitioner setting selects the partitioner; consistent_random is the default")
    func partitionerSetting() throws {
        #expect(try KafkaPartitioner(configuration: [:]) == .consistentRandom)
        #expect(try KafkaPartitioner(configuration: ["partitioner": "murmur2_random"]) == .murmur2Random)
        #expect(throws: KafkaError.self) { try KafkaPartitioner(configuration: ["partitioner": "sticky"]) }
    }

    @Test("a cached partition count expires after its lifetime")
    func partitionCountLifetime() {
        let state = KafkaProducerPartitionState(partitionCountLifetime: .seconds(60))
        let start = ContinuousClock.now
        #expect(state.partitionCount("t", now: start) == nil)
        state.setPartitionCount(6, for: "t", now: start)
        #expect(state.partitionCount("t", now: start.advanced(by: .seconds(59))) == 6)
        #expect(state.partitionCount("t", now: start.advanced(by: .seconds(61))) == nil)
    }

    @Test("the lower bound is max(high watermark, highest delivered + 1) and never goes down")
    func lowerBound() {
        let state = KafkaProducerPartitionState(partitionCountLifetime: .seconds(60))
        let partition = TopicPartition(topic: "t", partition: 2)
        state.delivered(partition, offset: 3)
        #expect(state.nextOffsetLowerBound(partition) == nil, "no watermark queried yet")
        state.setHighWatermark(partition, 2)
        #expect(state.nextOffsetLowerBound(partition) == 4)
        state.delivered(partition, offset: 1)
        state.delivered(partition, offset: -1)
        #expect(state.nextOffsetLowerBound(partition) == 4)
        state.setHighWatermark(partition, 10)
        state.setHighWatermark(partition, 5)
        #expect(state.nextOffsetLowerBound(partition) == 10)
    }

    @Test("the reader gets its own group and never auto-commits, whatever the consumer settings say")
    func readerSettings() {
        let given = [
            "bootstrap.servers": "b:9092", "group.id": "sync", "enable.auto.commit": "true",
            "enable.auto.offset.store": "true", "sasl.mechanism": "PLAIN", "group.instance.id": "replica-1",
        ]
        let settings = KafkaPartitionReader.readerConfiguration(given, groupID: "sync.outcome-reader")
        #expect(settings["group.id"] == "sync.outcome-reader")
        #expect(settings["enable.auto.commit"] == "false")
        #expect(settings["enable.auto.offset.store"] == "false")
        #expect(settings["group.instance.id"] == nil)
        #expect(settings["bootstrap.servers"] == "b:9092")
        #expect(settings["sasl.mechanism"] == "PLAIN")
        #expect(KafkaPartitionReader.readerConfiguration([:], groupID: "reader")["group.id"] == "reader")
    }
}
