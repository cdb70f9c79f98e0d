import Foundation

/// Reads and writes the outcome ledger's marks of concurrent events together (``GroupCommit``): the states read as
/// events start, the `publishing` marks (with their keys' `done`) and the `published` marks of all events that reach
/// them while one trip runs go in the next trip. Every caller returns once its own mark is durable, so a record is produced only after its
/// `publishing` mark is written, as before.
struct LedgerMarks: Sendable {
    private let states: GroupCommit<RecordStateRequest, RecordState>
    private let publishingMarks: GroupCommit<PublishingMark, Void>
    private let publishedMarks: GroupCommit<RecordPosition, Void>

    init(ledger: any OutcomeLedger) {
        states = GroupCommit { requests in try await ledger.recordStates(requests) }
        publishingMarks = GroupCommit { marks in
            try await ledger.markPublishing(marks, now: Date())
            return Array(repeating: (), count: marks.count)
        }
        publishedMarks = GroupCommit { positions in
            try await ledger.markPublished(positions, now: Date())
            return Array(repeating: (), count: positions.count)
        }
    }

    /// The record's mark and its key's row (read with those of other events that start meanwhile).
    func state(of request: RecordStateRequest) async throws -> RecordState {
        try await states.submit(request)
    }

    /// Records that the record's outcome is about to be produced (and its created contact's key `done`); returns
    /// once the mark is written.
    func publishing(_ mark: PublishingMark) async throws {
        try await publishingMarks.submit(mark)
    }

    /// Records that the input record's outcome is durable in Kafka; returns once the mark is written.
    func published(_ position: RecordPosition) async throws {
        try await publishedMarks.submit(position)
    }
}
