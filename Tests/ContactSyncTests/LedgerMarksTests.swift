import Foundation
import Synchronization
import Testing

@testable import ContactSync

@Suite("ledger marks, written together")
struct LedgerMarksTests {
    /// A ledger that records each `markPublished` write and can hold or fail them.
    final class RecordingLedger: OutcomeLedger {
        let inner = InMemoryStore()
        let writes = Mutex<[[RecordPosition]]>([])
        let failNext = Mutex(false)
        let delay: Duration

        init(delay: Duration = .milliseconds(20)) { self.delay = delay }

        struct Failure: Error {}

        func outcomeMark(for position: RecordPosition) async throws -> OutcomeMark? {
            try await inner.outcomeMark(for: position)
        }
        func recordStates(_ requests: [RecordStateRequest]) async throws -> [RecordState] {
            try await inner.recordStates(requests)
        }
        func markPublishing(_ marks: [PublishingMark], now: Date) async throws {
            try await inner.markPublishing(marks, now: now)
        }
        func markPublished(_ positions: [RecordPosition], now: Date) async throws {
            writes.withLock { $0.append(positions) }
            try await Task.sleep(for: delay)
            if failNext.withLock({ fail in
                defer { fail = false }; return fail
            }) {
                throw Failure()
            }
            try await inner.markPublished(positions, now: now)
        }
        func pruneMarks(before cutoff: Date) async throws -> Int { try await inner.pruneMarks(before: cutoff) }
    }

    static func position(_ offset: Int) -> RecordPosition {
        RecordPosition(topic: "contacts.created", partition: 0, offset: Int64(offset))
    }

    @Test("one mark alone is written at once, by itself")
    func alone() async throws {
        let ledger = RecordingLedger(delay: .zero)
        let marks = LedgerMarks(ledger: ledger)
        try await marks.published(Self.position(1))
        #expect(ledger.writes.withLock { $0 } == [[Self.position(1)]])
        #expect(try await ledger.outcomeMark(for: Self.position(1)) != nil)
    }

    @Test("marks that arrive during a write go together in the next one; every caller returns once its mark is durable")
    func grouped() async throws {
        let ledger = RecordingLedger()
        let marks = LedgerMarks(ledger: ledger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await marks.published(Self.position(0)) }
            // Let the first write start, then send 20 more while it runs.
            while ledger.writes.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(1)) }
            for offset in 1...20 {
                group.addTask {
                    try await marks.published(Self.position(offset))
                    // Returned: the mark must be in the ledger already.
                    #expect(try await ledger.outcomeMark(for: Self.position(offset)) != nil)
                }
            }
            try await group.waitForAll()
        }
        let writes = ledger.writes.withLock { $0 }
        #expect(writes.first == [Self.position(0)])
        #expect(Set(writes.joined()) == Set((0...20).map(Self.position)))
        #expect(writes.joined().count == 21, "each mark written once")
        #expect(writes.count <= 4, "21 marks took \(writes.count) writes")
    }

    @Test("a failed write fails every caller it carried, and the next write goes on")
    func failure() async throws {
        let ledger = RecordingLedger()
        let marks = LedgerMarks(ledger: ledger)
        ledger.failNext.withLock { $0 = true }
        let failures = await withTaskGroup(of: Bool.self) { group -> Int in
            group.addTask { (try? await marks.published(Self.position(0))) == nil }
            while ledger.writes.withLock({ $0.isEmpty }) { try? await Task.sleep(for: .milliseconds(1)) }
            for offset in 1...5 {
                group.addTask { (try? await marks.published(Self.position(offset))) == nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 1, "only the failed write's caller fails")
        #expect(try await ledger.outcomeMark(for: Self.position(0)) == nil)
        for offset in 1...5 {
            #expect(try await ledger.outcomeMark(for: Self.position(offset)) != nil)
        }
        // Afterwards a lone mark is written at once again.
        try await marks.published(Self.position(9))
        #expect(try await ledger.outcomeMark(for: Self.position(9)) != nil)
    }
}

@Suite("group commit")
struct GroupCommitTests {
    struct Refused: Error {}

    @Test("each caller gets its own output; an item the store refuses fails its own caller only")
    func outputsAndRefusals() async throws {
        let batches = Mutex<[[Int]]>([])
        let commit = GroupCommit<Int, Int> { items in
            batches.withLock { $0.append(items) }
            try await Task.sleep(for: .milliseconds(10))
            if items.contains(13) { throw Refused() }
            return items.map { $0 * 2 }
        }
        let results = await withTaskGroup(of: (Int, Int?).self) { group in
            for item in 0..<30 {
                group.addTask { (item, try? await commit.submit(item)) }
            }
            var results: [Int: Int?] = [:]
            for await (item, output) in group { results[item] = output }
            return results
        }
        #expect(results.count == 30)
        for item in 0..<30 {
            #expect(results[item] == (item == 13 ? .some(nil) : .some(item * 2)), "item \(item)")
        }
        let written = batches.withLock { $0 }
        #expect(written.contains { $0.count > 1 }, "30 concurrent items were never written together: \(written)")
    }
}
