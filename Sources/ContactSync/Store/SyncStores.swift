import Foundation

/// The service's durable state, one protocol per concern: the dedupe keys, the outcome ledger, the call budget and the
/// served groups. Every backend (``InMemoryStore``, ``SQLiteStore``, ``PostgresStore``) implements all of them, so one
/// backend object usually fills every field.
public struct SyncStores: Sendable {
    public var keys: any DedupeStore
    public var ledger: any OutcomeLedger
    /// The Komet calls spent per budget window, shared by every replica on the same backend.
    public var budget: any CallBudget
    /// What runs, prepares and watches the backend behind them.
    public var lifecycle: any StoreLifecycle
    /// The consumer groups the backend has served (the start-up check's marker).
    public var groups: any ServedGroups
    /// Customers Komet said it does not know, shared by every replica on the backend.
    public var refusals: any CustomerRefusals

    public init(
        keys: any DedupeStore, ledger: any OutcomeLedger, budget: any CallBudget, lifecycle: any StoreLifecycle,
        groups: any ServedGroups, refusals: any CustomerRefusals
    ) {
        self.keys = keys
        self.ledger = ledger
        self.budget = budget
        self.lifecycle = lifecycle
        self.groups = groups
        self.refusals = refusals
    }

    /// Every concern kept by one backend.
    public init(_ backend: some StoreBackend) {
        self.init(
            keys: backend, ledger: backend, budget: backend, lifecycle: backend, groups: backend,
            refusals: backend)
    }

    /// Deletes key rows and ledger marks last touched before `cutoff`, and budget windows that ended before it;
    /// returns how many.
    public func prune(before cutoff: Date) async throws -> Int {
        try await keys.pruneKeys(before: cutoff) + ledger.pruneMarks(before: cutoff)
            + budget.pruneBudget(before: cutoff) + refusals.pruneRefusals(before: cutoff)
    }
}
