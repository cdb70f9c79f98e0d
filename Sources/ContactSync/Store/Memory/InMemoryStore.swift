import Foundation
import Synchronization

/// Every store concern in process memory, for tests and single-run demos. Nothing survives the process.
public final class InMemoryStore: Sendable {
    private struct Rows {
        var keys: [String: DedupeEntry] = [:]
        var ledger: [RecordPosition: OutcomeMark] = [:]
    }

    private let rows = Mutex(Rows())
    /// The served consumer groups and since when (``ServedGroups``).
    private let groups = Mutex<[String: Date]>([:])

    public init() {}

    /// Removes the rows last touched before `cutoff` (to the millisecond, like every store); returns how many.
    private static func prune<Key: Hashable, Row>(
        _ rows: inout [Key: Row], before cutoff: Date, touchedAt: (Row) -> Date
    ) -> Int {
        let cutoff = StoreTime.truncate(cutoff)
        let before = rows.count
        rows = rows.filter { touchedAt($0.value) >= cutoff }
        return before - rows.count
    }
}

extension InMemoryStore: DedupeStore {
    public func claim(key: String, owner: String, origin: String?, now: Date) async throws -> ClaimResult {
        rows.withLock { rows in
            guard let entry = rows.keys[key] else {
                rows.keys[key] = DedupeEntry(
                    key: key, state: .pending(owner: owner, since: StoreTime.truncate(now)), origin: origin)
                return .claimed
            }
            switch entry.state {
            case .pending(let owner, let since): return .pending(owner: owner, since: since, origin: entry.origin)
            case .done(let contactId, let at): return .done(contactId: contactId, at: at, origin: entry.origin)
            }
        }
    }

    public func reclaim(key: String, owner: String, origin: String?, now: Date) async throws {
        let wasDone = rows.withLock { rows -> Bool in
            if case .done = rows.keys[key]?.state { return true }
            rows.keys[key] = DedupeEntry(
                key: key, state: .pending(owner: owner, since: StoreTime.truncate(now)), origin: origin)
            return false
        }
        if wasDone { throw DedupeStoreError(code: .alreadyDone, key: key) }
    }

    public func markDone(key: String, contactId: Int64, now: Date) async throws {
        rows.withLock { rows in
            rows.keys[key] = DedupeEntry(
                key: key, state: .done(contactId: contactId, at: StoreTime.truncate(now)),
                origin: rows.keys[key]?.origin)
        }
    }

    public func remove(key: String) async throws {
        _ = rows.withLock { $0.keys.removeValue(forKey: key) }
    }

    public func entry(key: String) async throws -> DedupeEntry? {
        rows.withLock { $0.keys[key] }
    }

    public func pruneKeys(before cutoff: Date) async throws -> Int {
        rows.withLock { Self.prune(&$0.keys, before: cutoff, touchedAt: \.touchedAt) }
    }
}

extension InMemoryStore: OutcomeLedger {
    public func outcomeMark(for position: RecordPosition) async throws -> OutcomeMark? {
        rows.withLock { $0.ledger[position] }
    }

    public func markPublishing(_ position: RecordPosition, placement: OutcomePlacement, now: Date) async throws {
        rows.withLock { $0.ledger[position] = .publishing(placement, since: StoreTime.truncate(now)) }
    }

    public func markPublished(_ position: RecordPosition, now: Date) async throws {
        rows.withLock { $0.ledger[position] = .published(at: StoreTime.truncate(now)) }
    }

    public func pruneMarks(before cutoff: Date) async throws -> Int {
        rows.withLock { Self.prune(&$0.ledger, before: cutoff, touchedAt: \.touchedAt) }
    }
}

extension InMemoryStore: ServedGroups {
    public func servesGroup(_ groupID: String) async throws -> Bool {
        groups.withLock { $0[groupID] != nil }
    }

    public func recordServedGroup(_ groupID: String, now: Date) async throws {
        groups.withLock { groups in
            if groups[groupID] == nil { groups[groupID] = StoreTime.truncate(now) }
        }
    }

    public var storeName: String { "in-memory store" }
}
