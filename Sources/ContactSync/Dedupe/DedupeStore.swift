import Foundation

/// Durable dedupe state per key: `pending(owner, since)` → `done(contactId, at)`, or removed when the event was
/// dead-lettered. Implementations store times as whole milliseconds since 1970 (rounded to the nearest), so every
/// backend returns the same `Date`s.
public protocol DedupeStore: Sendable {
    /// Atomically inserts `pending(owner, now)` when no row exists (``ClaimResult/claimed``); otherwise returns the
    /// existing row unchanged. Of many concurrent claims of one key, exactly one gets ``ClaimResult/claimed``.
    func claim(key: String, owner: String, now: Date) async throws -> ClaimResult
    /// Takes over a pending row (sets owner and since). Used when retrying an ambiguous key. A missing row is
    /// inserted as pending; a `done` row is left unchanged and ``DedupeStoreError/Code/alreadyDone`` is thrown.
    func reclaim(key: String, owner: String, now: Date) async throws
    /// Records the created contact (inserting the row if it is gone).
    func markDone(key: String, contactId: Int64, now: Date) async throws
    /// Removes the row (the event was dead-lettered), so a replay of the DLQ record is processed again.
    func remove(key: String) async throws
    /// Deletes rows last touched before `cutoff`; returns how many.
    func prune(before cutoff: Date) async throws -> Int
    /// For tests and the demo: the row of a key.
    func entry(key: String) async throws -> DedupeEntry?
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
