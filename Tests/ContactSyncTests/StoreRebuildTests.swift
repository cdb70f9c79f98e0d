import Foundation
import Kafka
import KometClient
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
            guard case .done(let contact, let at) = entry.state else {
                Issue.record("k\(index) is not done: \(entry)")
                continue
            }
            // These records carry no request: the digest is unknown, the customer is `komet.customerId`.
            #expect(contact == CreatedContact(contactId: 100 + Int64(index), customerId: 6326, requestDigest: nil))
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

    @Test(
        "creating records give customer and digest; a later duplicate leaves the row; a lone duplicate gives its customer"
    )
    func rebuildsTheFirstContact() async throws {
        var logger = Logger(label: "rebuild-test")
        logger.logLevel = .warning
        let cluster = try KafkaMockCluster(logger: logger)
        let topic = "contacts.synced-\(UUID().uuidString.prefix(8))"
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: ["bootstrap.servers": cluster.bootstrapServers], logger: logger)
        let first = KometContactRequest(customerId: 136, name: "Ada Lovelace", type: "Buyer", email: "ada@example.com")
        let reused = KometContactRequest(customerId: 5000, name: "Grace Hopper", type: "Buyer")
        func record(
            _ status: SuccessStatus, key: String, contact: Int64, request: KometContactRequest, offset: Int64,
            duplicateOf: DuplicateOf? = nil
        ) -> [UInt8] {
            SuccessRecord(
                status: status, dedupeKey: key, duplicateOf: duplicateOf,
                komet: .init(
                    customerId: duplicateOf?.customerId ?? request.customerId, contactId: contact, message: nil),
                request: request, source: SourceRef(topic: "contacts.created", partition: 0, offset: offset),
                attempts: status == .duplicate ? 0 : 1, durationMs: 3,
                processedAt: Date(timeIntervalSince1970: 1_764_583_200 + Double(offset))
            ).encoded()
        }
        let createdAt = Date(timeIntervalSince1970: 1_764_583_200)
        let values = [
            record(.created, key: "a", contact: 1_120, request: first, offset: 0),
            // Another customer's event reused key a.
            record(
                .duplicate, key: "a", contact: 1_120, request: reused, offset: 1,
                duplicateOf: DuplicateOf(customerId: 136, contactId: 1_120, createdAt: createdAt, requestDiffers: true)),
            // Key b's creating record is gone (pruned): only a duplicate names its first contact.
            record(
                .duplicate, key: "b", contact: 2_240, request: reused, offset: 2,
                duplicateOf: DuplicateOf(customerId: 136, contactId: 2_240, createdAt: createdAt, requestDiffers: nil)),
            record(.reconciled, key: "c", contact: 3_360, request: first, offset: 3),
        ]
        for value in values { _ = try await producer.send(topic: topic, key: nil, value: value, partition: 0) }
        await producer.shutdown(flushTimeout: .seconds(5))

        let store = InMemoryStore()
        let reader = try KafkaPartitionReader(
            configuration: ["bootstrap.servers": cluster.bootstrapServers], groupID: "g.store-rebuild", logger: logger)
        let summary = try await StoreRebuild(
            keys: store, ledger: store, groups: store, reader: reader, successTopic: topic, groupID: "g"
        ).run()
        await reader.close()
        #expect(summary.keysWritten == 3 && summary.marksWritten == 4, "\(summary)")
        let a = try await store.entry(key: "a")
        #expect(
            a?.state == .done(CreatedContact(contactId: 1_120, createdBy: first), at: createdAt),
            "the duplicate must leave the created row (its customer, digest and time) alone")
        #expect(
            try await store.entry(key: "b")?.state
                == .done(
                    CreatedContact(contactId: 2_240, customerId: 136, requestDigest: nil),
                    at: createdAt.addingTimeInterval(2)))
        #expect(
            try await store.entry(key: "c")?.state
                == .done(CreatedContact(contactId: 3_360, createdBy: first), at: createdAt.addingTimeInterval(3)))
        // An older duplicate record (no duplicateOf) names the duplicate event's customer in komet: not trusted.
        let old = Array(
            #"{"dedupeKey":"d","komet":{"contactId":9,"customerId":5000},"status":"duplicate","attempts":0}"#.utf8)
        let oldCluster = try KafkaMockCluster(logger: logger)
        try oldCluster.createTopic(topic, partitions: 1)
        let oldProducer = try KafkaProducer(
            configuration: ["bootstrap.servers": oldCluster.bootstrapServers], logger: logger)
        _ = try await oldProducer.send(topic: topic, key: nil, value: old, partition: 0)
        await oldProducer.shutdown(flushTimeout: .seconds(5))
        let oldReader = try KafkaPartitionReader(
            configuration: ["bootstrap.servers": oldCluster.bootstrapServers], groupID: "g.store-rebuild",
            logger: logger)
        _ = try await StoreRebuild(
            keys: store, ledger: store, groups: store, reader: oldReader, successTopic: topic, groupID: "g"
        ).run()
        await oldReader.close()
        guard case .done(let d, _)? = try await store.entry(key: "d")?.state else {
            Issue.record("d is not done")
            return
        }
        #expect(d == CreatedContact(contactId: 9, customerId: nil, requestDigest: nil))
    }
}
