import Foundation

/// Writes the outcome ledger's `published` marks, many records' in one transaction (a ``GroupCommit``): every caller
/// returns once its own mark is durable.
struct PublishedMarks: Sendable {
    private let commit: GroupCommit<RecordPosition, Void>

    init(ledger: any OutcomeLedger) {
        commit = GroupCommit { positions in
            try await ledger.markPublished(positions, now: Date())
            return Array(repeating: (), count: positions.count)
        }
    }

    /// Records that the input record's outcome is durable in Kafka; returns once the mark is written.
    func mark(_ position: RecordPosition) async throws {
        try await commit.submit(position)
    }
}
