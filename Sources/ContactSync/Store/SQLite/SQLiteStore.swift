import Foundation
import GRDB

/// Every store concern in an SQLite file (GRDB `DatabasePool`, WAL mode): the embedded default for one replica.
///
/// Schema: table `dedupe_entry(key TEXT PRIMARY KEY, state TEXT 'pending'|'done', owner TEXT, contact_id INTEGER,
/// touched_ms INTEGER, origin TEXT, epoch INTEGER, lease_until_ms INTEGER, customer_id INTEGER, request_digest TEXT)`
/// (a done key's first contact: its customer and the hex SHA-256 of the request that created it, ``RequestDigest``;
/// both NULL on rows written before migration `v5-first-contact`, which a `duplicate` outcome reports as unknown), the outcome ledger `outcome_ledger(topic,
/// partition, offset, state 'publishing'|'published', out_topic, out_partition, out_from_offset, touched_ms)`, each with
/// an index on `touched_ms` for pruning, the call budget `call_budget(window_start_ms PRIMARY KEY, window_end_ms,
/// used)`, and `served_group(group_id, since_ms)`, the consumer groups the store has served (never pruned)
/// and `customer_refusal(customer_id, message, until_ms)` (migrations `v1`, `v2`, `v3-claim-leases`,
/// `v3-call-budget`, `v3-served-group`, `v4-customer-refusals`, `v5-first-contact`). Times are milliseconds since
/// 1970. Several processes may share the file (busy timeout 5 s), but replicas on different machines need a shared
/// database server instead.
public final class SQLiteStore: Sendable {
    let pool: DatabasePool
    /// The file the pool opened.
    public let path: String
    /// Notices when that file is deleted, moved or replaced (see ``watch()``).
    let watcher: SQLiteFileWatcher
    /// One per ``read(_:)`` or ``write(_:)``: a transaction on the database's queues.
    let trips = StoreTripCounter()

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(path: String) throws {
        // A write-ahead log left beside a file that is gone belongs to the lost file: replayed into a new one it would
        // corrupt it.
        if !FileManager.default.fileExists(atPath: path) {
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.label = "dedupe-store"
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
        self.path = path
        watcher = SQLiteFileWatcher(path: path)
    }

    /// Runs `body` in a read transaction (a snapshot), counted as one round trip.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try await trips.trip { try await pool.read(body) }
    }

    /// Runs `body` in a write transaction, counted as one round trip.
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try await trips.trip { try await pool.write(body) }
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
        migrator.registerMigration("v3-claim-leases") { db in
            // Rows pending before leases existed get epoch 1 and a lease that ended when they were written.
            try db.execute(
                sql: """
                    ALTER TABLE dedupe_entry ADD COLUMN epoch INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE dedupe_entry ADD COLUMN lease_until_ms INTEGER;
                    UPDATE dedupe_entry SET lease_until_ms = touched_ms WHERE state = 'pending';
                    """)
        }
        migrator.registerMigration("v3-call-budget") { db in
            try db.execute(
                sql: """
                    CREATE TABLE call_budget (
                        window_start_ms INTEGER PRIMARY KEY NOT NULL,
                        window_end_ms INTEGER NOT NULL,
                        used INTEGER NOT NULL
                    );
                    CREATE INDEX call_budget_end ON call_budget(window_end_ms);
                    """)
        }
        migrator.registerMigration("v3-served-group") { db in
            try db.execute(
                sql: """
                    CREATE TABLE served_group (
                        group_id TEXT PRIMARY KEY NOT NULL,
                        since_ms INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v4-customer-refusals") { db in
            try db.execute(
                sql: """
                    CREATE TABLE customer_refusal (
                        customer_id INTEGER PRIMARY KEY NOT NULL,
                        message TEXT NOT NULL,
                        until_ms INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v5-first-contact") { db in
            // Rows done before keep NULL: their first contact's customer and request are unknown.
            try db.execute(
                sql: """
                    ALTER TABLE dedupe_entry ADD COLUMN customer_id INTEGER;
                    ALTER TABLE dedupe_entry ADD COLUMN request_digest TEXT;
                    """)
        }
        return migrator
    }
}
