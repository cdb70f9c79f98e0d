import Foundation
import GRDB

/// The call budget in table `call_budget(window_start_ms PRIMARY KEY, window_end_ms, used)`. A spend is one write
/// transaction (SQLite serialises writers, across processes too), so replicas sharing the file never exceed the limit.
extension SQLiteStore: CallBudget {
    public func spendCall(in window: BudgetWindow, limit: Int) async throws -> CallSpend {
        let start = StoreTime.milliseconds(window.start)
        let end = StoreTime.milliseconds(window.end)
        return try await write { db -> CallSpend in
            try db.execute(
                sql: """
                    INSERT INTO call_budget (window_start_ms, window_end_ms, used) VALUES (?, ?, 1)
                    ON CONFLICT (window_start_ms) DO UPDATE SET used = used + 1 WHERE used < ?
                    """,
                arguments: [start, end, limit])
            let granted = db.changesCount > 0 && limit > 0
            let used =
                try Int.fetchOne(db, sql: "SELECT used FROM call_budget WHERE window_start_ms = ?", arguments: [start])
                ?? 0
            return granted ? .granted(used: used) : .spent(used: used, resetsAt: window.end)
        }
    }

    public func spendCalls(_ count: Int, in window: BudgetWindow, limit: Int) async throws -> [CallSpend] {
        guard count > 0 else { return [] }
        let start = StoreTime.milliseconds(window.start)
        let end = StoreTime.milliseconds(window.end)
        return try await write { db -> [CallSpend] in
            let before =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT used FROM call_budget WHERE window_start_ms = ?"),
                    arguments: [start]) ?? 0
            let granted = min(count, max(0, limit - before))
            if granted > 0 {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO call_budget (window_start_ms, window_end_ms, used) VALUES (?, ?, ?)
                        ON CONFLICT (window_start_ms) DO UPDATE SET used = used + excluded.used
                        """
                ).execute(arguments: [start, end, granted])
            }
            return CallSpend.answers(count: count, granted: granted, used: before + granted, resetsAt: window.end)
        }
    }

    public func callsUsed(windowStart: Date) async throws -> Int {
        let start = StoreTime.milliseconds(windowStart)
        return try await read { db in
            try Int.fetchOne(db, sql: "SELECT used FROM call_budget WHERE window_start_ms = ?", arguments: [start]) ?? 0
        }
    }

    public func pruneBudget(before cutoff: Date) async throws -> Int {
        let cutoff = StoreTime.milliseconds(cutoff)
        return try await write { db in
            try db.execute(sql: "DELETE FROM call_budget WHERE window_end_ms < ?", arguments: [cutoff])
            return db.changesCount
        }
    }
}
