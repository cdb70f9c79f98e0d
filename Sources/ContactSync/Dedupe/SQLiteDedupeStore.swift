import Foundation
import GRDB

/// A ``DedupeStore`` in an SQLite file (GRDB `DatabasePool`, WAL mode): the embedded default for one replica.
///
/// Schema: table `dedupe_entry(key TEXT PRIMARY KEY, state TEXT 'pending'|'done', owner TEXT, contact_id INTEGER,
/// touched_ms INTEGER, origin TEXT)` and the outcome ledger `outcome_ledger(topic, partition, offset, state
/// 'publishing'|'published', out_topic, out_partition, out_from_offset, touched_ms)`, each with an index on
/// `touched_ms` for pruning (migrations `v1`, `v2`). Times are milliseconds since 1970. A claim is one `INSERT ... ON CONFLICT DO NOTHING` followed by a `SELECT`, in one write transaction, so
/// two claims of one key can never both succeed. Several processes may share the file (busy timeout 5 s), but
/// replicas on different machines need a shared database server instead.
public final class SQLiteDedupeStore: DedupeStore {
    private let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.label = "dedupe-store"
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE dedupe_entry (
                        key TEXT PRIMARY KEY NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
                        owner TEXT,
                        contact_id INTEGER,
                        touched_ms INTEGER NOT NULL
                    );
                    CREATE INDEX dedupe_entry_touched ON dedupe_entry(touched_ms);
                    """)
        }
        migrator.registerMigration("v2-origin-and-outcome-ledger") { db in
            try db.execute(
                sql: """
                    ALTER TABLE dedupe_entry ADD COLUMN origin TEXT;
                    CREATE TABLE outcome_ledger (
                        topic TEXT NOT NULL,
                        partition INTEGER NOT NULL,
                        "offset" INTEGER NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('publishing', 'published')),
                        out_topic TEXT,
                        out_partition INTEGER,
                        out_from_offset INTEGER,
                        touched_ms INTEGER NOT NULL,
                        PRIMARY KEY (topic, partition, "offset")
                    ) WITHOUT ROWID;
                    CREATE INDEX outcome_ledger_touched ON outcome_ledger(touched_ms);
                    """)
        }
        return migrator
    }

    public func claim(key: String, owner: String, origin: String?, now: Date) async throws -> ClaimResult {
        let now = DedupeTime.milliseconds(now)
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
        let now = DedupeTime.milliseconds(now)
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
        let now = DedupeTime.milliseconds(now)
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

    public func prune(before cutoff: Date) async throws -> Int {
        let cutoff = DedupeTime.milliseconds(cutoff)
        return try await pool.write { db in
            try db.execute(sql: "DELETE FROM dedupe_entry WHERE touched_ms < ?", arguments: [cutoff])
            let keys = db.changesCount
            try db.execute(sql: "DELETE FROM outcome_ledger WHERE touched_ms < ?", arguments: [cutoff])
            return keys + db.changesCount
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
        let touched = DedupeTime.date(row["touched_ms"])
        let origin: String? = row["origin"]
        if state == "done" {
            return DedupeEntry(key: key, state: .done(contactId: row["contact_id"], at: touched), origin: origin)
        }
        return DedupeEntry(key: key, state: .pending(owner: row["owner"] ?? "", since: touched), origin: origin)
    }

    public func outcomeMark(for position: RecordPosition) async throws -> OutcomeMark? {
        try await pool.read { db -> OutcomeMark? in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT state, out_topic, out_partition, out_from_offset, touched_ms FROM outcome_ledger
                        WHERE topic = ? AND partition = ? AND "offset" = ?
                        """,
                    arguments: [position.topic, position.partition, position.offset])
            else { return nil }
            let touched = DedupeTime.date(row["touched_ms"])
            let state: String = row["state"]
            guard state == "publishing" else { return .published(at: touched) }
            let placement = OutcomePlacement(
                topic: row["out_topic"] ?? "", partition: row["out_partition"] ?? 0,
                fromOffset: row["out_from_offset"] ?? 0)
            return .publishing(placement, since: touched)
        }
    }

    public func markPublishing(_ position: RecordPosition, placement: OutcomePlacement, now: Date) async throws {
        let now = DedupeTime.milliseconds(now)
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO outcome_ledger
                        (topic, partition, "offset", state, out_topic, out_partition, out_from_offset, touched_ms)
                    VALUES (?, ?, ?, 'publishing', ?, ?, ?, ?)
                    """,
                arguments: [
                    position.topic, position.partition, position.offset, placement.topic, placement.partition,
                    placement.fromOffset, now,
                ])
        }
    }

    public func markPublished(_ position: RecordPosition, now: Date) async throws {
        let now = DedupeTime.milliseconds(now)
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO outcome_ledger (topic, partition, "offset", state, touched_ms)
                    VALUES (?, ?, ?, 'published', ?)
                    """,
                arguments: [position.topic, position.partition, position.offset, now])
        }
    }
}
