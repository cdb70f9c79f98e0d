import Foundation

/// The dedupe keys: per key `pending(owner, epoch, lease)` → `done(contactId, customerId, requestDigest, at)`, or
/// removed when the event was dead-lettered; each row remembers its origin, the input record that claimed it.
///
/// Of many concurrent claims of one key, exactly one gets ``ClaimResult/claimed(_:)``, and of many takeovers of one
/// pending epoch exactly one succeeds: that is the guarantee that keeps two events (or two replicas) from both calling
/// Komet for one key. Times are whole milliseconds (see ``StoreTime``), so every backend returns the same `Date`s.
public protocol DedupeStore: Sendable {
    /// Atomically inserts a pending row (epoch 1, leased until `leaseUntil`) with `origin` when no row exists
    /// (``ClaimResult/claimed(_:)``); otherwise returns the existing row unchanged.
    func claim(key: String, owner: String, origin: String?, now: Date, leaseUntil: Date) async throws -> ClaimResult
    /// Claims of several keys at once, each exactly as ``claim(key:owner:origin:now:leaseUntil:)`` would make it,
    /// with one result per request, in order. Backends write them in one transaction (or statement); the keys are
    /// distinct.
    func claim(_ requests: [ClaimRequest]) async throws -> [ClaimResult]
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
    /// whoever learns it. A row already `done` with the same contact keeps the customer and request digest it knew
    /// when `contact` leaves them out (``CreatedContact/merged(with:)``); another contact replaces it whole.
    func markDone(key: String, contact: CreatedContact, now: Date) async throws
    /// Removes the row whatever its state.
    func remove(key: String) async throws
    /// The row of a key.
    func entry(key: String) async throws -> DedupeEntry?
    /// Deletes key rows last touched before `cutoff`; returns how many.
    func pruneKeys(before cutoff: Date) async throws -> Int
}

/// One claim of a batch (``DedupeStore/claim(_:)``).
public struct ClaimRequest: Sendable, Equatable {
    public var key: String
    public var owner: String
    public var origin: String?
    public var now: Date
    public var leaseUntil: Date

    public init(key: String, owner: String, origin: String?, now: Date, leaseUntil: Date) {
        self.key = key
        self.owner = owner
        self.origin = origin
        self.now = now
        self.leaseUntil = leaseUntil
    }
}

extension DedupeStore {
    /// One claim after another: for stores with nothing better (test doubles).
    public func claim(_ requests: [ClaimRequest]) async throws -> [ClaimResult] {
        var results: [ClaimResult] = []
        for request in requests {
            results.append(
                try await claim(
                    key: request.key, owner: request.owner, origin: request.origin, now: request.now,
                    leaseUntil: request.leaseUntil))
        }
        return results
    }
}
