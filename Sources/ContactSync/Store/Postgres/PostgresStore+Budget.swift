import Foundation
import PostgresNIO

/// The call budget in table `call_budget(window_start_ms PRIMARY KEY, window_end_ms, used, last_grant)`. A spend is one
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

    /// One statement: the upsert's `SET` expressions all see the row before it, so `last_grant` records how many of
    /// the `count` fitted under the limit, and `RETURNING` gives it with the new count.
    public func spendCalls(_ count: Int, in window: BudgetWindow, limit: Int) async throws -> [CallSpend] {
        guard count > 0 else { return [] }
        let start = StoreTime.milliseconds(window.start)
        let end = StoreTime.milliseconds(window.end)
        let count = Int64(count)
        let limit = Int64(max(0, limit))
        let rows = try await send(
            """
            INSERT INTO call_budget (window_start_ms, window_end_ms, used, last_grant)
            VALUES (\(start), \(end), LEAST(\(count), \(limit)), LEAST(\(count), \(limit)))
            ON CONFLICT (window_start_ms) DO UPDATE SET
                used = call_budget.used + LEAST(\(count), GREATEST(\(limit) - call_budget.used, 0)),
                last_grant = LEAST(\(count), GREATEST(\(limit) - call_budget.used, 0))
            RETURNING used, last_grant
            """)
        for try await (used, granted) in rows.decode((Int64, Int64).self) {
            return CallSpend.answers(
                count: Int(count), granted: Int(granted), used: Int(used), resetsAt: window.end)
        }
        // Unreachable: an upsert returns its row.
        throw DedupeStoreError(code: .contended, key: "call_budget")
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
