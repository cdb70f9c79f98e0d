import Foundation
import NIOConcurrencyHelpers

/// A ``DedupeStore`` in process memory, for tests and single-run demos. Nothing survives the process.
public final class InMemoryDedupeStore: DedupeStore {
    private struct Rows {
        var keys: [String: DedupeEntry] = [:]
        var ledger: [RecordPosition: OutcomeMark] = [:]
    }

    private let rows = NIOLockedValueBox(Rows())

    public init() {}

    public func claim(key: String, owner: String, origin: String?, now: Date) async throws -> ClaimResult {
        rows.withLockedValue { rows in
            guard let entry = rows.keys[key] else {
                rows.keys[key] = DedupeEntry(
                    key: key, state: .pending(owner: owner, since: DedupeTime.truncate(now)), origin: origin)
                return .claimed
            }
            switch entry.state {
            case .pending(let owner, let since): return .pending(owner: owner, since: since, origin: entry.origin)
            case .done(let contactId, let at): return .done(contactId: contactId, at: at, origin: entry.origin)
            }
        }
    }

    public func reclaim(key: String, owner: String, origin: String?, now: Date) async throws {
        let wasDone = rows.withLockedValue { rows -> Bool in
            if case .done = rows.keys[key]?.state { return true }
            rows.keys[key] = DedupeEntry(
                key: key, state: .pending(owner: owner, since: DedupeTime.truncate(now)), origin: origin)
            return false
        }
        if wasDone { throw DedupeStoreError(code: .alreadyDone, key: key) }
    }

    public func markDone(key: String, contactId: Int64, now: Date) async throws {
        rows.withLockedValue { rows in
            rows.keys[key] = DedupeEntry(
                key: key, state: .done(contactId: contactId, at: DedupeTime.truncate(now)),
                origin: rows.keys[key]?.origin)
        }
    }

    public func remove(key: String) async throws {
        _ = rows.withLockedValue { $0.keys.removeValue(forKey: key) }
    }

    public func prune(before cutoff: Date) async throws -> Int {
        let cutoff = DedupeTime.truncate(cutoff)
        return rows.withLockedValue { rows in
            let before = rows.keys.count + rows.ledger.count
            rows.keys = rows.keys.filter { $0.value.touchedAt >= cutoff }
            rows.ledger = rows.ledger.filter { Self.touched($0.value) >= cutoff }
            return before - rows.keys.count - rows.ledger.count
        }
    }

    public func entry(key: String) async throws -> DedupeEntry? {
        rows.withLockedValue { $0.keys[key] }
    }

    public func outcomeMark(for position: RecordPosition) async throws -> OutcomeMark? {
        rows.withLockedValue { $0.ledger[position] }
    }

    public func markPublishing(_ position: RecordPosition, placement: OutcomePlacement, now: Date) async throws {
        rows.withLockedValue { $0.ledger[position] = .publishing(placement, since: DedupeTime.truncate(now)) }
    }

    public func markPublished(_ position: RecordPosition, now: Date) async throws {
        rows.withLockedValue { $0.ledger[position] = .published(at: DedupeTime.truncate(now)) }
    }

    private static func touched(_ mark: OutcomeMark) -> Date {
        switch mark {
        case .publishing(_, let since): since
        case .published(let at): at
        }
    }
}
