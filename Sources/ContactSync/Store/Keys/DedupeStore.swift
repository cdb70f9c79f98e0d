import Foundation

/// The dedupe keys: per key `pending(owner, since)` → `done(contactId, at)`, or removed when the event was
/// dead-lettered; each row remembers its origin, the input record that claimed it.
///
/// Of many concurrent claims of one key, exactly one gets ``ClaimResult/claimed``: that is the guarantee that keeps
/// two events (or two replicas) from both calling Komet for one key. Times are whole milliseconds (see
/// ``StoreTime``), so every backend returns the same `Date`s.
public protocol DedupeStore: Sendable {
    /// Atomically inserts `pending(owner, now)` with `origin` when no row exists (``ClaimResult/claimed``); otherwise
    /// returns the existing row unchanged.
    func claim(key: String, owner: String, origin: String?, now: Date) async throws -> ClaimResult
    /// Takes over a pending row (sets owner, origin and since). Used when retrying an ambiguous key. A missing row is
    /// inserted as pending; a `done` row is left unchanged and ``DedupeStoreError/Code/alreadyDone`` is thrown.
    func reclaim(key: String, owner: String, origin: String?, now: Date) async throws
    /// Records the created contact (inserting the row if it is gone).
    func markDone(key: String, contactId: Int64, now: Date) async throws
    /// Removes the row (the event was dead-lettered), so a replay of the DLQ record is processed again.
    func remove(key: String) async throws
    /// The row of a key.
    func entry(key: String) async throws -> DedupeEntry?
    /// Deletes key rows last touched before `cutoff`; returns how many.
    func pruneKeys(before cutoff: Date) async throws -> Int
}
