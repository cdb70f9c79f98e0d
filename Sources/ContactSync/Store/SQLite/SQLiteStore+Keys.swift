import Foundation
import GRDB

/// The dedupe keys in table `dedupe_entry`. A claim is one `INSERT ... ON CONFLICT DO NOTHING` followed by a `SELECT`, in
/// one write transaction, so two claims of one key can never both succeed.
extension SQLiteStore: DedupeStore {
    public func claim(key: String, owner: String, origin: String?, now: Date) async throws -> ClaimResult {
        let now = StoreTime.milliseconds(now)
        return try await pool.write { db -> ClaimResult in
            try db.execute(
                sql: """
                    INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms, origin)
                    VALUES (?, 'pending', ?, NULL, ?, ?)
                    ON CONFLICT (key) DO NOTHING
                    """,
                arguments: [key, owner, now, origin])
            if db.changesCount == 1 { return .claimed }
            guard let entry = try Self.fetch(key: key, db) else {
                // Unreachable: the conflicting row exists inside this transaction.
                throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "dedupe row vanished during claim")
            }
            switch entry.state {
            case .pending(let owner, let since): return .pending(owner: owner, since: since, origin: entry.origin)
            case .done(let contactId, let at): return .done(contactId: contactId, at: at, origin: entry.origin)
            }
        }
    }

    public func reclaim(key: String, owner: String, origin: String?, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        let wasDone = try await pool.write { db -> Bool in
            try db.execute(
                sql: """
                    INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms, origin)
                    VALUES (?, 'pending', ?, NULL, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET
                        owner = excluded.owner, touched_ms = excluded.touched_ms, origin = excluded.origin
                    WHERE state = 'pending'
                    """,
                arguments: [key, owner, now, origin])
            return db.changesCount == 0
        }
        if wasDone { throw DedupeStoreError(code: .alreadyDone, key: key) }
    }

    public func markDone(key: String, contactId: Int64, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms)
                    VALUES (?, 'done', NULL, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET
                        state = 'done', owner = NULL, contact_id = excluded.contact_id, touched_ms = excluded.touched_ms
                    """,
                arguments: [key, contactId, now])
        }
    }

    public func remove(key: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM dedupe_entry WHERE key = ?", arguments: [key])
        }
    }

    public func entry(key: String) async throws -> DedupeEntry? {
        try await pool.read { db in try Self.fetch(key: key, db) }
    }

    private static func fetch(key: String, _ db: Database) throws -> DedupeEntry? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT state, owner, contact_id, touched_ms, origin FROM dedupe_entry WHERE key = ?",
                arguments: [key])
        else { return nil }
        let state: String = row["state"]
        let touched = StoreTime.date(row["touched_ms"])
        let origin: String? = row["origin"]
        if state == "done" {
            return DedupeEntry(key: key, state: .done(contactId: row["contact_id"], at: touched), origin: origin)
        }
        return DedupeEntry(key: key, state: .pending(owner: row["owner"] ?? "", since: touched), origin: origin)
    }

    public func pruneKeys(before cutoff: Date) async throws -> Int {
        let cutoff = StoreTime.milliseconds(cutoff)
        return try await pool.write { db in
            try db.execute(sql: "DELETE FROM dedupe_entry WHERE touched_ms < ?", arguments: [cutoff])
            return db.changesCount
        }
    }
}
