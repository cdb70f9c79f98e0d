import Foundation
import PostgresNIO

/// Customer refusals in table `customer_refusal(customer_id PRIMARY KEY, message, until_ms)` (migration 5).
extension PostgresStore: CustomerRefusals {
    public func recordRefusal(customerId: Int64, message: String, until: Date) async throws {
        let until = StoreTime.milliseconds(until)
        try await send(
            """
            INSERT INTO customer_refusal (customer_id, message, until_ms) VALUES (\(customerId), \(message), \(until))
            ON CONFLICT (customer_id) DO UPDATE SET message = excluded.message, until_ms = excluded.until_ms
            """)
    }

    public func refusal(customerId: Int64, now: Date) async throws -> String? {
        let now = StoreTime.milliseconds(now)
        let rows = try await send(
            "SELECT message FROM customer_refusal WHERE customer_id = \(customerId) AND until_ms > \(now)")
        return try await rows.decode(String.self).first(where: { _ in true })
    }

    public func pruneRefusals(before cutoff: Date) async throws -> Int {
        let cutoff = StoreTime.milliseconds(cutoff)
        let rows = try await send(
            "DELETE FROM customer_refusal WHERE until_ms < \(cutoff) RETURNING 1")
        return try await rows.decode(Int32.self).reduce(0) { count, _ in count + 1 }
    }
}
