import Foundation
import Kafka
import Logging
import Testing

@testable import ContactSync

@Suite("rebuild-store: success records on the topic become done rows")
struct StoreRebuildTests {
    @Test("every success record's key -> contactId is done, other records are skipped, a second run changes nothing")
    func rebuildsFromTheSuccessTopic() async throws {
        var logger = Logger(label: "rebuild-test")
        logger.logLevel = .warning
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = "contacts.synced-\(UUID().uuidString.prefix(8))"
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: ["bootstrap.servers": cluster.bootstrapServers], logger: logger)
        func success(_ key: String, contact: Int64, offset: Int) -> [UInt8] {
            Array(
                """
                {"attempts":1,"dedupeKey":"\(key)","durationMs":4,"komet":{"contactId":\(contact),"customerId":6326},\
                "processedAt":"2026-12-01T10:00:0\(offset % 10).000Z","status":"created",\
                "source":{"offset":\(offset),"partition":0,"topic":"contacts.created"}}
                """.utf8)
        }
        for index in 0..<6 {
            _ = try await producer.send(
                topic: topic, key: Array("k\(index)".utf8),
                value: success("k\(index)", contact: 100 + Int64(index), offset: index),
                partition: Int32(index % 2))
        }
        // A duplicate outcome of k0 (same contact), a foreign record and a tombstone.
        _ = try await producer.send(topic: topic, key: nil, value: success("k0", contact: 100, offset: 9), partition: 1)
        _ = try await producer.send(topic: topic, key: nil, value: Array("not json".utf8), partition: 0)
        _ = try await producer.send(topic: topic, key: Array("k9".utf8), value: nil, partition: 0)
        await producer.shutdown(flushTimeout: .seconds(5))

        let store = InMemoryStore()
        let reader = try KafkaPartitionReader(
            configuration: ["bootstrap.servers": cluster.bootstrapServers], groupID: "g.store-rebuild", logger: logger)
        let rebuild = StoreRebuild(
            keys: store, ledger: store, groups: store, reader: reader, successTopic: topic, groupID: "g")
        let summary = try await rebuild.run()
        #expect(summary.partitions == 2)
        #expect(summary.recordsRead == 9)
        #expect(summary.keysWritten == 6)
        #expect(summary.marksWritten == 7)
        #expect(summary.skipped.values.reduce(0, +) == 2, "\(summary)")
        for index in 0..<6 {
            let entry = try #require(try await store.entry(key: "k\(index)"))
            guard case .done(let contactId, let at) = entry.state else {
                Issue.record("k\(index) is not done: \(entry)")
                continue
            }
            #expect(contactId == 100 + Int64(index))
            // k0's last record is its duplicate outcome, processed at :09.
            #expect(at == OutcomeTimestamp.parse("2026-12-01T10:00:0\(index == 0 ? 9 : index).000Z"))
        }
        for offset in [0, 3, 5, 9] {
            let position = RecordPosition(topic: "contacts.created", partition: 0, offset: Int64(offset))
            #expect(try await store.outcomeMark(for: position) != nil, "no ledger mark for \(position)")
        }
        #expect(
            try await store.outcomeMark(for: RecordPosition(topic: "contacts.created", partition: 0, offset: 6)) == nil)
        #expect(try await store.servesGroup("g"))
        #expect(try await rebuild.run() == summary)
        await reader.close()
    }
}
