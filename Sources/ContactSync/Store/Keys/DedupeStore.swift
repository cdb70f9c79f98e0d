import Foundation

/// The dedupe keys: per key `pending(owner, epoch, lease)` → `done(contactId, at)`, or removed when the event was
/// dead-lettered; each row remembers its origin, the input record that claimed it.
///
/// Of many concurrent claims of one key, exactly one gets ``ClaimResult/claimed(_:)``, and of many takeovers of one
/// pending epoch exactly one succeeds: that is the guarantee that keeps two events (or two replicas) from both calling
/// Komet for one key. Times are whole milliseconds (see ``StoreTime``), so every backend returns the same `Date`s.
public protocol DedupeStore: Sendable {
    /// Atomically inserts a pending row (epoch 1, leased until `leaseUntil`) with `origin` when no row exists
    /// (``ClaimResult/claimed(_:)``); otherwise returns the existing row unchanged.
    func claim(key: String, owner: String, origin: String?, now: Date, leaseUntil: Date) async throws -> ClaimResult
    /// Extends the lease of a claim that is still this holder's (same owner and epoch, still pending). Returns false,
    /// changing nothing, when the claim was taken over, finished or removed: the holder must then not call.
    func renew(_ claim: Claim, until: Date, now: Date) async throws -> Bool
    /// Takes over the pending row at `epoch` whose lease ended (at or before `now`): one atomic compare-and-set that
    /// bumps the epoch and makes `owner` the holder. Returns nil when the row is no longer that epoch's (another
    /// takeover won, it was finished or removed) or its lease still runs.
    func takeOver(
        key: String, epoch: Int64, owner: String, origin: String?, now: Date, leaseUntil: Date
    ) async throws -> Claim?
    /// Removes the row when it is still this claim's pending row. Returns whether it did.
    func release(_ claim: Claim) async throws -> Bool
    /// Records the created contact (inserting the row if it is gone). Unfenced: a created contact is a fact,
    /// whoever learns it.
    func markDone(key: String, contactId: Int64, now: Date) async throws
    /// Removes the row whatever its state.
    func remove(key: String) async throws
    /// The row of a key.
    func entry(key: String) async throws -> DedupeEntry?
    /// Deletes key rows last touched before `cutoff`; returns how many.
    func pruneKeys(before cutoff: Date) async throws -> Int
}
