import Foundation
import GRDB

/// The served consumer groups in table `served_group(group_id PRIMARY KEY, since_ms)` (migration `v3`).
extension SQLiteStore: ServedGroups {
    public func servesGroup(_ groupID: String) async throws -> Bool {
        try await read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM served_group WHERE group_id = ?)", arguments: [groupID])
                ?? false
        }
    }

    public func recordServedGroup(_ groupID: String, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try await write { db in
            try db.execute(
                sql: "INSERT INTO served_group (group_id, since_ms) VALUES (?, ?) ON CONFLICT (group_id) DO NOTHING",
                arguments: [groupID, now])
        }
    }

    public var storeName: String { "SQLite file \(path)" }
}
