import Foundation
import PostgresNIO

/// The call budget in table `call_budget(window_start_ms PRIMARY KEY, window_end_ms, used)`. A spend is one
/// `INSERT ... ON CONFLICT DO UPDATE ... WHERE used < limit` statement: the row lock serialises replicas, so together
/// they never exceed the limit.
extension PostgresStore: CallBudget {
    public func spendCall(in window: BudgetWindow, limit: Int) async throws -> CallSpend {
        let start = StoreTime.milliseconds(window.start)
        let end = StoreTime.milliseconds(window.end)
        let limit = Int64(limit)
        if limit > 0 {
            let rows = try await send(
                """
                INSERT INTO call_budget (window_start_ms, window_end_ms, used) VALUES (\(start), \(end), 1)
                ON CONFLICT (window_start_ms) DO UPDATE SET used = call_budget.used + 1
                WHERE call_budget.used < \(limit)
                RETURNING used
                """)
            for try await used in rows.decode(Int64.self) { return .granted(used: Int(used)) }
        }
        return .spent(used: try await callsUsed(windowStart: window.start), resetsAt: window.end)
    }

    public func callsUsed(windowStart: Date) async throws -> Int {
        let start = StoreTime.milliseconds(windowStart)
        let rows = try await send(
            "SELECT used FROM call_budget WHERE window_start_ms = \(start)")
        for try await used in rows.decode(Int64.self) { return Int(used) }
        return 0
    }

    public func pruneBudget(before cutoff: Date) async throws -> Int {
        let cutoff = StoreTime.milliseconds(cutoff)
        let rows = try await send(
            "DELETE FROM call_budget WHERE window_end_ms < \(cutoff) RETURNING 1")
        return try await rows.decode(Int32.self).reduce(0) { count, _ in count + 1 }
    }
}
