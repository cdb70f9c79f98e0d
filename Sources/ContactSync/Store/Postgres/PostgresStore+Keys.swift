import Foundation
import PostgresNIO

/// The dedupe keys in table `dedupe_entry`. A claim is one `INSERT ... ON CONFLICT DO NOTHING`: of concurrent claims
/// of one key, from any replica, exactly one inserts the row.
extension PostgresStore: DedupeStore {
    public func claim(key: String, owner: String, origin: String?, now: Date) async throws -> ClaimResult {
        let now = StoreTime.milliseconds(now)
        // The row may be removed between a refused insert and the read (its event was dead-lettered): try again.
        for _ in 0..<10 {
            let inserted = try await client.query(
                """
                INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms, origin)
                VALUES (\(key), 'pending', \(owner), NULL, \(now), \(origin))
                ON CONFLICT (key) DO NOTHING
                RETURNING key
                """, logger: logger)
            if try await inserted.decode(String.self).first(where: { _ in true }) != nil { return .claimed }
            if let entry = try await entry(key: key) {
                switch entry.state {
                case .pending(let owner, let since): return .pending(owner: owner, since: since, origin: entry.origin)
                case .done(let contactId, let at): return .done(contactId: contactId, at: at, origin: entry.origin)
                }
            }
        }
        throw DedupeStoreError(code: .contended, key: key)
    }

    public func reclaim(key: String, owner: String, origin: String?, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        let rows = try await client.query(
            """
            INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms, origin)
            VALUES (\(key), 'pending', \(owner), NULL, \(now), \(origin))
            ON CONFLICT (key) DO UPDATE SET
                owner = excluded.owner, touched_ms = excluded.touched_ms, origin = excluded.origin
            WHERE dedupe_entry.state = 'pending'
            RETURNING key
            """, logger: logger)
        if try await rows.decode(String.self).first(where: { _ in true }) == nil {
            throw DedupeStoreError(code: .alreadyDone, key: key)
        }
    }

    public func markDone(key: String, contactId: Int64, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try await client.query(
            """
            INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms)
            VALUES (\(key), 'done', NULL, \(contactId), \(now))
            ON CONFLICT (key) DO UPDATE SET
                state = 'done', owner = NULL, contact_id = excluded.contact_id, touched_ms = excluded.touched_ms
            """, logger: logger)
    }

    public func remove(key: String) async throws {
        try await client.query("DELETE FROM dedupe_entry WHERE key = \(key)", logger: logger)
    }

    public func entry(key: String) async throws -> DedupeEntry? {
        let rows = try await client.query(
            "SELECT state, owner, contact_id, touched_ms, origin FROM dedupe_entry WHERE key = \(key)",
            logger: logger)
        for try await (state, owner, contactId, touched, origin) in rows.decode(
            (String, String?, Int64?, Int64, String?).self)
        {
            let at = StoreTime.date(touched)
            if state == "done", let contactId {
                return DedupeEntry(key: key, state: .done(contactId: contactId, at: at), origin: origin)
            }
            return DedupeEntry(key: key, state: .pending(owner: owner ?? "", since: at), origin: origin)
        }
        return nil
    }

    public func pruneKeys(before cutoff: Date) async throws -> Int {
        let cutoff = StoreTime.milliseconds(cutoff)
        let rows = try await client.query(
            "DELETE FROM dedupe_entry WHERE touched_ms < \(cutoff) RETURNING 1", logger: logger)
        return try await rows.decode(Int32.self).reduce(0) { count, _ in count + 1 }
    }
}
