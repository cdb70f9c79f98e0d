import Foundation
import GRDB
import KometClient
import PostgresNIO
import SyncTestSupport
import Testing

@testable import ContactSync

/// Stores written by the previous version (no first contact's customer or request digest on `done` rows) open and
/// migrate: old rows read back with both unknown, and new writes keep them.
@Suite("store migrations: the first contact's customer and request digest")
struct StoreMigrationTests {
    private let recordedAt = Date(timeIntervalSince1970: 1_764_583_200.5)
    private let request = KometContactRequestFixture.ada

    /// The SQLite schema as the previous version left it: its migrations, by their identifiers, with their SQL.
    private static func previousSchema() -> DatabaseMigrator {
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
                        topic TEXT NOT NULL, partition INTEGER NOT NULL, "offset" INTEGER NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('publishing', 'published')),
                        out_topic TEXT, out_partition INTEGER, out_from_offset INTEGER, touched_ms INTEGER NOT NULL,
                        PRIMARY KEY (topic, partition, "offset")
                    ) WITHOUT ROWID;
                    CREATE INDEX outcome_ledger_touched ON outcome_ledger(touched_ms);
                    """)
        }
        migrator.registerMigration("v3-claim-leases") { db in
            try db.execute(
                sql: """
                    ALTER TABLE dedupe_entry ADD COLUMN epoch INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE dedupe_entry ADD COLUMN lease_until_ms INTEGER;
                    """)
        }
        migrator.registerMigration("v3-call-budget") { db in
            try db.execute(
                sql: """
                    CREATE TABLE call_budget (
                        window_start_ms INTEGER PRIMARY KEY NOT NULL, window_end_ms INTEGER NOT NULL,
                        used INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v3-served-group") { db in
            try db.execute(
                sql: "CREATE TABLE served_group (group_id TEXT PRIMARY KEY NOT NULL, since_ms INTEGER NOT NULL)")
        }
        migrator.registerMigration("v4-customer-refusals") { db in
            try db.execute(
                sql: """
                    CREATE TABLE customer_refusal (
                        customer_id INTEGER PRIMARY KEY NOT NULL, message TEXT NOT NULL, until_ms INTEGER NOT NULL
                    );
                    """)
        }
        return migrator
    }

    @Test("an SQLite file of the previous schema migrates: its done row has no customer nor digest, new writes have")
    func sqliteFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("dedupe.sqlite")
        let milliseconds = StoreTime.milliseconds(recordedAt)
        do {
            let old = try DatabaseQueue(path: path)
            try Self.previousSchema().migrate(old)
            try await old.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms, origin)
                        VALUES ('old', 'done', NULL, 1120, ?, 'contacts.created/0@7');
                        INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms, epoch, lease_until_ms)
                        VALUES ('held', 'pending', 'r1', NULL, ?, 3, ?);
                        """,
                    arguments: [milliseconds, milliseconds, milliseconds + 60_000])
            }
            try old.close()
        }
        let store = try SQLiteStore(path: path)
        let applied = try await store.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(applied.contains("v5-first-contact"))
        let unknown = CreatedContact(contactId: 1_120, customerId: nil, requestDigest: nil)
        #expect(
            try await store.entry(key: "old")
                == DedupeEntry(key: "old", state: .done(unknown, at: recordedAt), origin: "contacts.created/0@7"))
        #expect(
            try await store.entry(key: "held")?.state
                == .pending(
                    ClaimLease(owner: "r1", epoch: 3, until: recordedAt.addingTimeInterval(60)), since: recordedAt))
        // Learning the old row's contact with its customer and request fills them in; new rows keep them.
        let known = CreatedContact(contactId: 1_120, createdBy: request)
        try await store.markDone(key: "old", contact: known, now: recordedAt)
        #expect(try await store.entry(key: "old")?.state == .done(known, at: recordedAt))
        try await store.markDone(key: "new", contact: known, now: recordedAt)
        #expect(try await store.entry(key: "new")?.state == .done(known, at: recordedAt))
        // Opening the migrated file again changes nothing.
        let again = try SQLiteStore(path: path)
        #expect(try await again.entry(key: "new")?.state == .done(known, at: recordedAt))
    }

    @Test("a PostgreSQL database at migration 6 migrates: its done row has no customer nor digest, new writes have")
    func postgresDatabase() async throws {
        let store = try await PostgresStore.forTests(database: try await TestPostgres.shared().createDatabase())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            // The previous version's schema: migrations 1 to 6, recorded as applied.
            try await store.client.query(
                "CREATE TABLE komet_sync_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            for (index, statements) in PostgresStore.migrations.prefix(6).enumerated() {
                for statement in statements { try await store.client.query(PostgresQuery(unsafeSQL: statement)) }
                try await store.client.query("INSERT INTO komet_sync_schema (version) VALUES (\(Int32(index + 1)))")
            }
            let milliseconds = StoreTime.milliseconds(recordedAt)
            try await store.client.query(
                """
                INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms, origin)
                VALUES ('old', 'done', NULL, 1120, \(milliseconds), 'contacts.created/0@7')
                """)
            try await store.prepare()
            let rows = try await store.client.query("SELECT max(version) FROM komet_sync_schema")
            for try await version in rows.decode(Int32.self) { #expect(version == 7) }
            let unknown = CreatedContact(contactId: 1_120, customerId: nil, requestDigest: nil)
            #expect(
                try await store.entry(key: "old")
                    == DedupeEntry(key: "old", state: .done(unknown, at: recordedAt), origin: "contacts.created/0@7"))
            let known = CreatedContact(contactId: 1_120, createdBy: request)
            try await store.markDone(key: "old", contact: known, now: recordedAt)
            #expect(try await store.entry(key: "old")?.state == .done(known, at: recordedAt))
            group.cancelAll()
        }
    }
}

/// The request of the tests' first contact.
private enum KometContactRequestFixture {
    static let ada = KometContactRequest(customerId: 136, name: "Ada Lovelace", type: "Buyer", email: "ada@example.com")
}
