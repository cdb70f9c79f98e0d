import Foundation
import Testing

@testable import ContactSync

private let t0 = Date(timeIntervalSince1970: 1_767_225_600.123)
private func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

@Suite("OutcomeLedger conformance")
struct OutcomeLedgerConformanceTests {
    let position = RecordPosition(topic: "contacts.created", partition: 3, offset: 1_234)

    @Test("ledger marks: none, publishing with its placement, published", arguments: StoreFactory.all)
    func ledgerMarks(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            #expect(try await store.outcomeMark(for: position) == nil)
            let placement = OutcomePlacement(topic: "contacts.komet.dlq", partition: 2, fromOffset: 99)
            try await store.markPublishing(position, placement: placement, now: t0)
            #expect(try await store.outcomeMark(for: position) == .publishing(placement, since: t0))
            let later = OutcomePlacement(topic: "contacts.komet.succeeded", partition: 1, fromOffset: 5)
            try await store.markPublishing(position, placement: later, now: at(1))
            #expect(try await store.outcomeMark(for: position) == .publishing(later, since: at(1)))
            try await store.markPublished(position, now: at(2))
            #expect(try await store.outcomeMark(for: position) == .published(at: at(2)))
            let neighbour = RecordPosition(topic: position.topic, partition: position.partition, offset: 1_235)
            #expect(try await store.outcomeMark(for: neighbour) == nil)
        }
    }

    @Test("prune removes old ledger rows with old keys", arguments: StoreFactory.all)
    func pruneLedger(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            let recent = RecordPosition(topic: "t", partition: 0, offset: 2)
            try await store.markPublished(position, now: at(0))
            try await store.markPublished(recent, now: at(20))
            _ = try await store.claim(key: "old", owner: "a", origin: nil, now: at(0))
            #expect(try await SyncStores(store).prune(before: at(10)) == 2)
            #expect(try await store.outcomeMark(for: position) == nil)
            #expect(try await store.outcomeMark(for: recent) == .published(at: at(20)))
        }
    }
}
