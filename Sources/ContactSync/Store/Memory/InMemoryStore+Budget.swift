import Foundation

/// The call budget in process memory: shared by every processor of this process that uses the same store.
extension InMemoryStore: CallBudget {
    public func spendCall(in window: BudgetWindow, limit: Int) async throws -> CallSpend {
        let start = StoreTime.milliseconds(window.start)
        return budgetRows.withLock { rows in
            var row = rows[start] ?? BudgetRow(endMilliseconds: StoreTime.milliseconds(window.end), used: 0)
            guard row.used < limit else { return .spent(used: row.used, resetsAt: window.end) }
            row.used += 1
            rows[start] = row
            return .granted(used: row.used)
        }
    }

    public func callsUsed(windowStart: Date) async throws -> Int {
        let start = StoreTime.milliseconds(windowStart)
        return budgetRows.withLock { $0[start]?.used ?? 0 }
    }

    public func pruneBudget(before cutoff: Date) async throws -> Int {
        let cutoff = StoreTime.milliseconds(cutoff)
        return budgetRows.withLock { rows in
            let before = rows.count
            rows = rows.filter { $0.value.endMilliseconds >= cutoff }
            return before - rows.count
        }
    }
}
