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

    /// One budget window's row: when it ends, and the calls spent in it.
    struct BudgetRow {
        var endMilliseconds: Int64
        var used: Int
    }

    /// The call budget's rows by window start (milliseconds), see ``CallBudget``.
    let budgetRows = Mutex<[Int64: BudgetRow]>([:])
    /// Customer refusals by customer id.
    let refusalRows = Mutex<[Int64: (message: String, until: Date)]>([:])

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
    public func claim(
        key: String, owner: String, origin: String?, now: Date, leaseUntil: Date
    ) async throws -> ClaimResult {
        rows.withLock { rows in
            if let entry = rows.keys[key] { return entry.claimResult }
            let lease = ClaimLease(owner: owner, epoch: 1, until: StoreTime.truncate(leaseUntil))
            rows.keys[key] = DedupeEntry(
                key: key, state: .pending(lease, since: StoreTime.truncate(now)), origin: origin)
            return .claimed(Claim(key: key, owner: owner, epoch: 1))
        }
    }

    public func renew(_ claim: Claim, until: Date, now: Date) async throws -> Bool {
        rows.withLock { rows in
            guard let entry = rows.keys[claim.key], case .pending(var lease, _) = entry.state,
                lease.owner == claim.owner, lease.epoch == claim.epoch
            else { return false }
            lease.until = StoreTime.truncate(until)
            rows.keys[claim.key]?.state = .pending(lease, since: StoreTime.truncate(now))
            return true
        }
    }

    public func takeOver(
        key: String, epoch: Int64, owner: String, origin: String?, now: Date, leaseUntil: Date
    ) async throws -> Claim? {
        rows.withLock { rows in
            guard case .pending(let lease, _)? = rows.keys[key]?.state, lease.epoch == epoch,
                lease.until <= StoreTime.truncate(now)
            else { return nil }
            let taken = ClaimLease(owner: owner, epoch: epoch + 1, until: StoreTime.truncate(leaseUntil))
            rows.keys[key] = DedupeEntry(
                key: key, state: .pending(taken, since: StoreTime.truncate(now)), origin: origin)
            return Claim(key: key, owner: owner, epoch: epoch + 1)
        }
    }

    public func release(_ claim: Claim) async throws -> Bool {
        rows.withLock { rows in
            guard case .pending(let lease, _)? = rows.keys[claim.key]?.state, lease.owner == claim.owner,
                lease.epoch == claim.epoch
            else { return false }
            rows.keys[claim.key] = nil
            return true
        }
    }

    public func markDone(key: String, contact: CreatedContact, now: Date) async throws {
        rows.withLock { Self.markDone(key, contact: contact, now: now, in: &$0) }
    }

    private static func markDone(_ key: String, contact: CreatedContact, now: Date, in rows: inout Rows) {
        var known = contact
        if case .done(let before, _)? = rows.keys[key]?.state { known = before.merged(with: contact) }
        rows.keys[key] = DedupeEntry(
            key: key, state: .done(known, at: StoreTime.truncate(now)), origin: rows.keys[key]?.origin)
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

    public func recordStates(_ requests: [RecordStateRequest]) async throws -> [RecordState] {
        rows.withLock { rows in
            requests.map { RecordState(mark: rows.ledger[$0.position], entry: $0.key.flatMap { rows.keys[$0] }) }
        }
    }

    public func markPublishing(_ marks: [PublishingMark], now: Date) async throws {
        rows.withLock { rows in
            for mark in marks {
                if let done = mark.keyDone { Self.markDone(done.key, contact: done.contact, now: now, in: &rows) }
                rows.ledger[mark.position] = .publishing(mark.placement, since: StoreTime.truncate(now))
            }
        }
    }

    public func markPublished(_ positions: [RecordPosition], now: Date) async throws {
        rows.withLock { rows in
            for position in positions { rows.ledger[position] = .published(at: StoreTime.truncate(now)) }
        }
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
