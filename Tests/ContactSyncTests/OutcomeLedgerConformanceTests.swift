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

    @Test("a record's state: its mark and its key's row in one read", arguments: StoreFactory.all)
    func recordState(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            #expect(try await store.recordState(for: position, key: "k") == RecordState(mark: nil, entry: nil))
            #expect(try await store.recordState(for: position, key: nil) == RecordState(mark: nil, entry: nil))
            _ = try await store.claim(key: "k", owner: "a", origin: "contacts.created/3@1234", now: t0)
            let placement = OutcomePlacement(topic: "contacts.komet.dlq", partition: 2, fromOffset: 99)
            try await store.markPublishing(position, placement: placement, now: at(1))
            let state = try await store.recordState(for: position, key: "k")
            #expect(state.mark == .publishing(placement, since: at(1)))
            #expect(state.entry == (try await store.entry(key: "k")))
            guard case .pending(let lease, _)? = state.entry?.state else {
                Issue.record("expected the pending row, got \(String(describing: state.entry))")
                return
            }
            #expect(lease.owner == "a")
            #expect(state.entry?.origin == "contacts.created/3@1234")
            // No key asked for: no row, even when the record's key has one.
            #expect(try await store.recordState(for: position, key: nil).entry == nil)
            try await store.markDone(key: "k", contact: .sample(77), now: at(2))
            try await store.markPublished(position, now: at(3))
            let done = try await store.recordState(for: position, key: "k")
            #expect(done.mark == .published(at: at(3)))
            #expect(done.entry?.state == .done(.sample(77), at: at(2)))
            // A mark without a row, and a row without a mark.
            let other = RecordPosition(topic: position.topic, partition: 0, offset: 1)
            #expect(try await store.recordState(for: other, key: "k").mark == nil)
            #expect(try await store.recordState(for: position, key: "unknown").entry == nil)
        }
    }

    @Test("states of many records in one read: one per request, in order", arguments: StoreFactory.all)
    func recordStatesBatch(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            let positions = (0..<6).map { RecordPosition(topic: "t", partition: 1, offset: Int64($0)) }
            try await store.markPublished(positions[1], now: at(1))
            try await store.markDone(key: "done", contact: .sample(5), now: at(2))
            let requests = [
                RecordStateRequest(position: positions[0], key: "done"),
                RecordStateRequest(position: positions[1], key: nil),
                RecordStateRequest(position: positions[2], key: "absent"),
                RecordStateRequest(position: positions[1], key: "done"),
                RecordStateRequest(position: positions[3], key: ""),
            ]
            let states = try await store.recordStates(requests)
            let done = DedupeEntry(key: "done", state: .done(.sample(5), at: at(2)))
            #expect(
                states == [
                    RecordState(mark: nil, entry: done),
                    RecordState(mark: .published(at: at(1)), entry: nil),
                    RecordState(mark: nil, entry: nil),
                    RecordState(mark: .published(at: at(1)), entry: done),
                    RecordState(mark: nil, entry: nil),
                ])
            #expect(try await store.recordStates([]).isEmpty)
        }
    }

    @Test("a publishing mark records the created contact's key done in the same write", arguments: StoreFactory.all)
    func publishingWithKeyDone(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            guard case .claimed = try await store.claim(key: "k", owner: "a", origin: "o", now: t0) else {
                Issue.record("claim refused")
                return
            }
            let placement = OutcomePlacement(topic: "contacts.komet.succeeded", partition: 1, fromOffset: 5)
            try await store.markPublishing(
                position, placement: placement, keyDone: KeyDone(key: "k", contact: .sample(4_535_434)), now: at(1))
            #expect(try await store.outcomeMark(for: position) == .publishing(placement, since: at(1)))
            let entry = try await store.entry(key: "k")
            #expect(entry?.state == .done(.sample(4_535_434), at: at(1)))
            #expect(entry?.origin == "o", "the row keeps the origin of the record that claimed it")
            // Written again (a retried publish): the same rows.
            try await store.markPublishing(
                position, placement: placement, keyDone: KeyDone(key: "k", contact: .sample(4_535_434)), now: at(2))
            #expect(try await store.entry(key: "k")?.state == .done(.sample(4_535_434), at: at(2)))
            // A key without a row gets one.
            let other = RecordPosition(topic: position.topic, partition: 0, offset: 7)
            try await store.markPublishing(
                other, placement: placement, keyDone: KeyDone(key: "fresh", contact: .sample(9)), now: at(3))
            #expect(try await store.entry(key: "fresh")?.state == .done(.sample(9), at: at(3)))
            // A mark that knows less of the same contact keeps what the row knew; one of another contact replaces it;
            // one without a customer or digest writes them unknown.
            let bare = CreatedContact(contactId: 9, customerId: nil, requestDigest: nil)
            try await store.markPublishing(
                other, placement: placement, keyDone: KeyDone(key: "fresh", contact: bare), now: at(4))
            #expect(try await store.entry(key: "fresh")?.state == .done(.sample(9), at: at(4)))
            try await store.markPublishing(
                [
                    PublishingMark(
                        position: position, placement: placement,
                        keyDone: KeyDone(key: "k", contact: .sample(11, customer: 136))),
                    PublishingMark(position: other, placement: placement, keyDone: KeyDone(key: "new", contact: bare)),
                ], now: at(5))
            #expect(try await store.entry(key: "k")?.state == .done(.sample(11, customer: 136), at: at(5)))
            #expect(try await store.entry(key: "new")?.state == .done(bare, at: at(5)))
        }
    }

    @Test("publishing marks of many records in one write, with their keys done", arguments: StoreFactory.all)
    func publishingBatch(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            let placement = OutcomePlacement(topic: "contacts.komet.succeeded", partition: 1, fromOffset: 5)
            let marks = (0..<20).map { index in
                PublishingMark(
                    position: RecordPosition(topic: "t", partition: 0, offset: Int64(index)),
                    placement: OutcomePlacement(topic: placement.topic, partition: 1, fromOffset: Int64(index)),
                    keyDone: index.isMultiple(of: 2)
                        ? KeyDone(key: "k\(index)", contact: .sample(Int64(1000 + index))) : nil)
            }
            try await store.markPublishing(marks + [marks[3]], now: at(1))
            for (index, mark) in marks.enumerated() {
                #expect(try await store.outcomeMark(for: mark.position) == .publishing(mark.placement, since: at(1)))
                let entry = try await store.entry(key: "k\(index)")
                #expect(
                    entry?.state == (index.isMultiple(of: 2) ? .done(.sample(Int64(1000 + index)), at: at(1)) : nil))
            }
            try await store.markPublishing([], now: at(2))
        }
    }

    @Test("published marks of many records in one write, the same record twice included", arguments: StoreFactory.all)
    func publishedBatch(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            let positions = (0..<50).map { RecordPosition(topic: "t", partition: Int32($0 % 3), offset: Int64($0)) }
            let placement = OutcomePlacement(topic: "contacts.komet.succeeded", partition: 1, fromOffset: 5)
            try await store.markPublishing(positions[0], placement: placement, now: t0)
            try await store.markPublished(positions + [positions[7]], now: at(1))
            for position in positions {
                #expect(try await store.outcomeMark(for: position) == .published(at: at(1)))
            }
            try await store.markPublished([], now: at(2))
            #expect(try await store.outcomeMark(for: positions[0]) == .published(at: at(1)))
        }
    }
}
