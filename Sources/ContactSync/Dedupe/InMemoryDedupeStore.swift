import Foundation
import NIOConcurrencyHelpers

/// A ``DedupeStore`` in process memory, for tests and single-run demos. Nothing survives the process.
public final class InMemoryDedupeStore: DedupeStore {
    private let rows = NIOLockedValueBox<[String: DedupeEntry.State]>([:])

    public init() {}

    public func claim(key: String, owner: String, now: Date) async throws -> ClaimResult {
        rows.withLockedValue { rows in
            switch rows[key] {
            case nil:
                rows[key] = .pending(owner: owner, since: DedupeTime.truncate(now))
                return .claimed
            case .pending(let owner, let since):
                return .pending(owner: owner, since: since)
            case .done(let contactId, let at):
                return .done(contactId: contactId, at: at)
            }
        }
    }

    public func reclaim(key: String, owner: String, now: Date) async throws {
        let wasDone = rows.withLockedValue { rows -> Bool in
            if case .done = rows[key] { return true }
            rows[key] = .pending(owner: owner, since: DedupeTime.truncate(now))
            return false
        }
        if wasDone { throw DedupeStoreError(code: .alreadyDone, key: key) }
    }

    public func markDone(key: String, contactId: Int64, now: Date) async throws {
        rows.withLockedValue { $0[key] = .done(contactId: contactId, at: DedupeTime.truncate(now)) }
    }

    public func remove(key: String) async throws {
        _ = rows.withLockedValue { $0.removeValue(forKey: key) }
    }

    public func prune(before cutoff: Date) async throws -> Int {
        let cutoff = DedupeTime.truncate(cutoff)
        return rows.withLockedValue { rows in
            let before = rows.count
            rows = rows.filter { DedupeEntry(key: $0.key, state: $0.value).touchedAt >= cutoff }
            return before - rows.count
        }
    }

    public func entry(key: String) async throws -> DedupeEntry? {
        rows.withLockedValue { rows in rows[key].map { DedupeEntry(key: key, state: $0) } }
    }
}
