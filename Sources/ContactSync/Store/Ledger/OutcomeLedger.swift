import Foundation

/// The outcome ledger: per input record `publishing(placement)` → `published`, so a record consumed again (after a
/// crash, a lost commit or a rebalance) never gets a second outcome.
///
/// Times are whole milliseconds (see ``StoreTime``), so every backend returns the same `Date`s.
public protocol OutcomeLedger: Sendable {
    /// The mark of an input record, or `nil` when its outcome never got as far as publishing.
    func outcomeMark(for position: RecordPosition) async throws -> OutcomeMark?
    /// Records that the input record's outcome is about to be produced to `placement` (replacing an earlier mark).
    func markPublishing(_ position: RecordPosition, placement: OutcomePlacement, now: Date) async throws
    /// Records that the input record's outcome is durable in Kafka.
    func markPublished(_ position: RecordPosition, now: Date) async throws
    /// Deletes marks last touched before `cutoff`; returns how many.
    func pruneMarks(before cutoff: Date) async throws -> Int
}
