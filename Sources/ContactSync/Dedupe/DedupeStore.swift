import Foundation

/// Durable state of the service, in two parts:
/// - per dedupe key: `pending(owner, since)` → `done(contactId, at)`, or removed when the event was dead-lettered;
///   each row remembers its origin, the input record that claimed it;
/// - per input record, the outcome ledger: `publishing(placement)` → `published`, so a record consumed again after a
///   crash or a lost commit does not get a second outcome.
///
/// Implementations store times as whole milliseconds since 1970 (rounded to the nearest), so every backend returns
/// the same `Date`s.
public protocol DedupeStore: Sendable {
    /// Atomically inserts `pending(owner, now)` with `origin` when no row exists (``ClaimResult/claimed``); otherwise
    /// returns the existing row unchanged. Of many concurrent claims of one key, exactly one gets
    /// ``ClaimResult/claimed``.
    func claim(key: String, owner: String, origin: String?, now: Date) async throws -> ClaimResult
    /// Takes over a pending row (sets owner, origin and since). Used when retrying an ambiguous key. A missing row is
    /// inserted as pending; a `done` row is left unchanged and ``DedupeStoreError/Code/alreadyDone`` is thrown.
    func reclaim(key: String, owner: String, origin: String?, now: Date) async throws
    /// Records the created contact (inserting the row if it is gone).
    func markDone(key: String, contactId: Int64, now: Date) async throws
    /// Removes the row (the event was dead-lettered), so a replay of the DLQ record is processed again.
    func remove(key: String) async throws
    /// Deletes key rows and ledger rows last touched before `cutoff`; returns how many.
    func prune(before cutoff: Date) async throws -> Int
    /// The row of a key.
    func entry(key: String) async throws -> DedupeEntry?

    /// The outcome ledger's mark for an input record, or `nil` when it never got as far as publishing.
    func outcomeMark(for position: RecordPosition) async throws -> OutcomeMark?
    /// Records that the input record's outcome is about to be produced to `placement` (replacing an earlier mark).
    func markPublishing(_ position: RecordPosition, placement: OutcomePlacement, now: Date) async throws
    /// Records that the input record's outcome is durable in Kafka.
    func markPublished(_ position: RecordPosition, now: Date) async throws
}

/// Milliseconds since 1970, the time unit every store keeps.
enum DedupeTime {
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000).rounded())
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1_000)
    }

    /// `date` rounded to the millisecond.
    static func truncate(_ date: Date) -> Date {
        Self.date(milliseconds(date))
    }
}
