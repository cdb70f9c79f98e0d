import Foundation
import PostgresNIO

/// The served consumer groups in table `served_group(group_id PRIMARY KEY, since_ms)` (migration 2).
extension PostgresStore: ServedGroups {
    public func servesGroup(_ groupID: String) async throws -> Bool {
        let rows = try await send(
            "SELECT 1 FROM served_group WHERE group_id = \(groupID)")
        for try await _ in rows.decode(Int32.self) { return true }
        return false
    }

    public func recordServedGroup(_ groupID: String, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try await send(
            """
            INSERT INTO served_group (group_id, since_ms) VALUES (\(groupID), \(now))
            ON CONFLICT (group_id) DO NOTHING
            """)
    }

    /// The server and database (the user and password are left out).
    public var storeName: String { "PostgreSQL database \(location)" }
}
