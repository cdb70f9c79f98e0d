import Foundation
import GRDB

/// The dedupe keys in table `dedupe_entry`. A claim is one `INSERT ... ON CONFLICT DO NOTHING` followed by a `SELECT`,
/// and a takeover one `UPDATE ... WHERE epoch = ?`, each in one write transaction, so two claims or two takeovers of
/// one key can never both succeed. A batch of claims shares one transaction.
extension SQLiteStore: DedupeStore {
    public func claim(
        key: String, owner: String, origin: String?, now: Date, leaseUntil: Date
    ) async throws -> ClaimResult {
        try await claim([ClaimRequest(key: key, owner: owner, origin: origin, now: now, leaseUntil: leaseUntil)])[0]
    }

    public func claim(_ requests: [ClaimRequest]) async throws -> [ClaimResult] {
        guard !requests.isEmpty else { return [] }
        return try await write { db -> [ClaimResult] in
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms, origin, epoch, lease_until_ms)
                    VALUES (?, 'pending', ?, NULL, ?, ?, 1, ?)
                    ON CONFLICT (key) DO NOTHING
                    """)
            return try requests.map { request in
                try insert.execute(arguments: [
                    request.key, request.owner, StoreTime.milliseconds(request.now), request.origin,
                    StoreTime.milliseconds(request.leaseUntil),
                ])
                if db.changesCount == 1 { return .claimed(Claim(key: request.key, owner: request.owner, epoch: 1)) }
                guard let entry = try Self.fetch(key: request.key, db) else {
                    // Unreachable: the conflicting row exists inside this transaction.
                    throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "dedupe row vanished during claim")
                }
                return entry.claimResult
            }
        }
    }

    public func renew(_ claim: Claim, until: Date, now: Date) async throws -> Bool {
        let now = StoreTime.milliseconds(now)
        let until = StoreTime.milliseconds(until)
        return try await write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE dedupe_entry SET lease_until_ms = ?, touched_ms = ?
                    WHERE key = ? AND state = 'pending' AND owner = ? AND epoch = ?
                    """
            ).execute(arguments: [until, now, claim.key, claim.owner, claim.epoch])
            return db.changesCount == 1
        }
    }

    public func takeOver(
        key: String, epoch: Int64, owner: String, origin: String?, now: Date, leaseUntil: Date
    ) async throws -> Claim? {
        let now = StoreTime.milliseconds(now)
        let until = StoreTime.milliseconds(leaseUntil)
        let taken = try await write { db in
            try db.execute(
                sql: """
                    UPDATE dedupe_entry
                    SET owner = ?, origin = ?, epoch = epoch + 1, lease_until_ms = ?, touched_ms = ?
                    WHERE key = ? AND state = 'pending' AND epoch = ? AND COALESCE(lease_until_ms, touched_ms) <= ?
                    """,
                arguments: [owner, origin, until, now, key, epoch, now])
            return db.changesCount == 1
        }
        return taken ? Claim(key: key, owner: owner, epoch: epoch + 1) : nil
    }

    public func release(_ claim: Claim) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(
                sql: "DELETE FROM dedupe_entry WHERE key = ? AND state = 'pending' AND owner = ? AND epoch = ?"
            ).execute(arguments: [claim.key, claim.owner, claim.epoch])
            return db.changesCount == 1
        }
    }

    public func markDone(key: String, contact: CreatedContact, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try await write { db in try Self.markDone(key: key, contact: contact, now: now, db) }
    }

    /// Writes the key's row `done` (inside the caller's transaction). The same contact done already keeps the
    /// customer and digest it knew when `contact` leaves them out (every `SET` expression sees the row before it).
    static func markDone(key: String, contact: CreatedContact, now: Int64, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms, customer_id, request_digest)
                VALUES (?, 'done', NULL, ?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET
                    customer_id = CASE WHEN dedupe_entry.state = 'done' AND dedupe_entry.contact_id = excluded.contact_id
                        THEN COALESCE(excluded.customer_id, dedupe_entry.customer_id) ELSE excluded.customer_id END,
                    request_digest = CASE
                        WHEN dedupe_entry.state = 'done' AND dedupe_entry.contact_id = excluded.contact_id
                        THEN COALESCE(excluded.request_digest, dedupe_entry.request_digest)
                        ELSE excluded.request_digest END,
                    state = 'done', owner = NULL, contact_id = excluded.contact_id, touched_ms = excluded.touched_ms,
                    lease_until_ms = NULL
                """
        ).execute(arguments: [key, contact.contactId, now, contact.customerId, contact.requestDigest?.hex])
    }

    public func remove(key: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM dedupe_entry WHERE key = ?", arguments: [key])
        }
    }

    public func entry(key: String) async throws -> DedupeEntry? {
        try await read { db in try Self.fetch(key: key, db) }
    }

    /// The key's row (inside the caller's transaction).
    static func fetch(key: String, _ db: Database) throws -> DedupeEntry? {
        let statement = try db.cachedStatement(
            sql: """
                SELECT state, owner, contact_id, touched_ms, origin, epoch, lease_until_ms, customer_id, request_digest
                FROM dedupe_entry WHERE key = ?
                """)
        guard let row = try Row.fetchOne(statement, arguments: [key]) else { return nil }
        let state: String = row["state"]
        let touchedMs: Int64 = row["touched_ms"]
        let touched = StoreTime.date(touchedMs)
        let origin: String? = row["origin"]
        if state == "done" {
            let digest: String? = row["request_digest"]
            let contact = CreatedContact(
                contactId: row["contact_id"], customerId: row["customer_id"],
                requestDigest: digest.flatMap(RequestDigest.init(hex:)))
            return DedupeEntry(key: key, state: .done(contact, at: touched), origin: origin)
        }
        let leaseUntilMs: Int64? = row["lease_until_ms"]
        let lease = ClaimLease(
            owner: row["owner"] ?? "", epoch: row["epoch"], until: StoreTime.date(leaseUntilMs ?? touchedMs))
        return DedupeEntry(key: key, state: .pending(lease, since: touched), origin: origin)
    }

    public func pruneKeys(before cutoff: Date) async throws -> Int {
        let cutoff = StoreTime.milliseconds(cutoff)
        return try await write { db in
            try db.execute(sql: "DELETE FROM dedupe_entry WHERE touched_ms < ?", arguments: [cutoff])
            return db.changesCount
        }
    }
}
