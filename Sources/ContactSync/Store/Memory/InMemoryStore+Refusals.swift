import Foundation

/// Customer refusals in process memory: shared by every processor of this process that uses the same store.
extension InMemoryStore: CustomerRefusals {
    public func recordRefusal(customerId: Int64, message: String, until: Date) async throws {
        refusalRows.withLock { $0[customerId] = (message, StoreTime.truncate(until)) }
    }

    public func refusal(customerId: Int64, now: Date) async throws -> String? {
        refusalRows.withLock { rows in
            guard let row = rows[customerId], row.until > StoreTime.truncate(now) else { return nil }
            return row.message
        }
    }

    public func pruneRefusals(before cutoff: Date) async throws -> Int {
        let cutoff = StoreTime.truncate(cutoff)
        return refusalRows.withLock { rows in
            let before = rows.count
            rows = rows.filter { $0.value.until >= cutoff }
            return before - rows.count
        }
    }
}
