import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// Every store concern in one PostgreSQL database: the backend that replicas on several hosts share.
///
/// Schema (migrations 1-2): `dedupe_entry(key PRIMARY KEY, state 'pending'|'done', owner, contact_id, touched_ms,
/// origin, epoch, lease_until_ms)` and `outcome_ledger(topic, partition, offset PRIMARY KEY, state 'publishing'|'published', out_topic,
/// out_partition, out_from_offset, touched_ms)`, each with an index on `touched_ms` for pruning; the same tables as
/// ``SQLiteStore``; migration 2 adds the claim leases, 3 the call budget `call_budget(window_start_ms PRIMARY KEY,
/// window_end_ms, used)`, 4 `served_group(group_id PRIMARY KEY, since_ms)`, 5 `customer_refusal(customer_id PRIMARY KEY,
/// message, until_ms)`, 6 `call_budget.last_grant`, 7 `dedupe_entry(customer_id, request_digest)` (a done key's first
/// contact's customer and request digest). Applied versions are kept in
/// `komet_sync_schema`; ``prepare()`` applies the missing ones under a
/// transaction-scoped advisory lock, so replicas that start at once apply each migration exactly once.
///
/// The connection pool runs in ``run()``; queries wait for it. Errors from PostgresNIO describe themselves without
/// the connection's details, and the password is a ``PostgresPassword``, so neither reaches a log line.
public final class PostgresStore: StoreLifecycle {
    let client: PostgresClient
    /// One per statement sent (see ``send(_:)``).
    let trips = StoreTripCounter()
    let logger: Logger
    /// Host, port and database, for operators' messages (see ``storeName``).
    let location: String

    public init(settings: PostgresSettings, password: PostgresPassword?, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: password?.value,
            database: settings.database, tls: Self.tls(settings.tls))
        configuration.options.maximumConnections = settings.poolSize
        configuration.options.connectTimeout = settings.connectTimeout
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        location = "\(settings.host):\(settings.port)/\(settings.database)"
    }

    public func run() async {
        await client.run()
    }

    public var tripCounter: StoreTripCounter? { trips }
    public var metricsName: String { "postgres" }

    /// Sends one statement (with its parameters) and counts the round trip.
    @discardableResult
    func send(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await trips.trip { try await client.query(query, logger: logger) }
    }

    public func prepare() async throws {
        let applied = try await client.withTransaction(logger: logger) { connection -> [Int] in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS komet_sync_schema (
                    version integer PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, logger: logger)
            let rows = try await connection.query("SELECT version FROM komet_sync_schema", logger: logger)
            var done: Set<Int32> = []
            for try await version in rows.decode(Int32.self) { done.insert(version) }
            var applied: [Int] = []
            for (version, statements) in Self.migrations.enumerated() where !done.contains(Int32(version + 1)) {
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO komet_sync_schema (version) VALUES (\(Int32(version + 1)))", logger: logger)
                applied.append(version + 1)
            }
            return applied
        }
        if !applied.isEmpty {
            logger.info("store schema migrated", metadata: [SyncLogKey.schemaVersions: "\(applied)"])
        }
    }

    /// The advisory lock that serialises migrations (an arbitrary constant of this application).
    static let migrationLock: Int64 = 0x4B4F_4D45_5453_594E

    /// Migration `n + 1` is `migrations[n]`. Append new ones; never change an applied one.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE dedupe_entry (
                key text PRIMARY KEY,
                state text NOT NULL CHECK (state IN ('pending', 'done')),
                owner text,
                contact_id bigint,
                touched_ms bigint NOT NULL,
                origin text
            )
            """,
            "CREATE INDEX dedupe_entry_touched ON dedupe_entry (touched_ms)",
            """
            CREATE TABLE outcome_ledger (
                topic text NOT NULL,
                partition integer NOT NULL,
                "offset" bigint NOT NULL,
                state text NOT NULL CHECK (state IN ('publishing', 'published')),
                out_topic text,
                out_partition integer,
                out_from_offset bigint,
                touched_ms bigint NOT NULL,
                PRIMARY KEY (topic, partition, "offset")
            )
            """,
            "CREATE INDEX outcome_ledger_touched ON outcome_ledger (touched_ms)",
        ],
        // 2: claim leases and epochs (rows pending before get epoch 1 and a lease that ended when written).
        [
            "ALTER TABLE dedupe_entry ADD COLUMN epoch bigint NOT NULL DEFAULT 1",
            "ALTER TABLE dedupe_entry ADD COLUMN lease_until_ms bigint",
            "UPDATE dedupe_entry SET lease_until_ms = touched_ms WHERE state = 'pending'",
        ],
        // 3: the call budget, one row per quota window.
        [
            """
            CREATE TABLE call_budget (
                window_start_ms bigint PRIMARY KEY,
                window_end_ms bigint NOT NULL,
                used bigint NOT NULL
            )
            """,
            "CREATE INDEX call_budget_end ON call_budget (window_end_ms)",
        ],
        // 4: the consumer groups this database has served (never pruned; see ``ServedGroups``).
        [
            """
            CREATE TABLE served_group (
                group_id text PRIMARY KEY,
                since_ms bigint NOT NULL
            )
            """
        ],
        // 5: customers Komet said it does not know, shared by every replica.
        [
            """
            CREATE TABLE customer_refusal (
                customer_id bigint PRIMARY KEY,
                message text NOT NULL,
                until_ms bigint NOT NULL
            )
            """
        ],
        // 6: how many calls the last batched spend of a window granted (see ``spendCalls(_:in:limit:)``).
        ["ALTER TABLE call_budget ADD COLUMN last_grant bigint NOT NULL DEFAULT 0"],
        // 7: a done key's first contact: its customer and the hex SHA-256 of the request that created it
        // (``RequestDigest``). Rows done before keep NULL: a `duplicate` outcome reports them as unknown.
        [
            "ALTER TABLE dedupe_entry ADD COLUMN customer_id bigint",
            "ALTER TABLE dedupe_entry ADD COLUMN request_digest text",
        ],
    ]

    private static func tls(_ mode: PostgresSettings.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }
}
