import Foundation
import GRDB

/// Customer refusals in table `customer_refusal(customer_id PRIMARY KEY, message, until_ms)` (migration
/// `v4-customer-refusals`).
extension SQLiteStore: CustomerRefusals {
    public func recordRefusal(customerId: Int64, message: String, until: Date) async throws {
        let until = StoreTime.milliseconds(until)
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO customer_refusal (customer_id, message, until_ms) VALUES (?, ?, ?)
                    ON CONFLICT (customer_id) DO UPDATE SET message = excluded.message, until_ms = excluded.until_ms
                    """,
                arguments: [customerId, message, until])
        }
    }

    public func refusal(customerId: Int64, now: Date) async throws -> String? {
        let now = StoreTime.milliseconds(now)
        return try await read { db in
            try String.fetchOne(
                db, sql: "SELECT message FROM customer_refusal WHERE customer_id = ? AND until_ms > ?",
                arguments: [customerId, now])
        }
    }

    public func pruneRefusals(before cutoff: Date) async throws -> Int {
        let cutoff = StoreTime.milliseconds(cutoff)
        return try await write { db in
            try db.execute(sql: "DELETE FROM customer_refusal WHERE until_ms < ?", arguments: [cutoff])
            return db.changesCount
        }
    }
}
