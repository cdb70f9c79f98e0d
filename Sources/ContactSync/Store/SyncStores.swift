import Foundation

/// The service's durable state, one protocol per concern: the dedupe keys and the outcome ledger. Every backend
/// (``InMemoryStore``, ``SQLiteStore``) implements all of them, so one backend object usually fills every field.
public struct SyncStores: Sendable {
    public var keys: any DedupeStore
    public var ledger: any OutcomeLedger

    public init(keys: any DedupeStore, ledger: any OutcomeLedger) {
        self.keys = keys
        self.ledger = ledger
    }

    /// Every concern kept by one backend.
    public init(_ backend: some DedupeStore & OutcomeLedger) {
        self.init(keys: backend, ledger: backend)
    }

    /// Deletes key rows and ledger marks last touched before `cutoff`; returns how many.
    public func prune(before cutoff: Date) async throws -> Int {
        try await keys.pruneKeys(before: cutoff) + ledger.pruneMarks(before: cutoff)
    }
}
