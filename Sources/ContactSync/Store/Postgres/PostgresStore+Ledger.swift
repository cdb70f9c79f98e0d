import Foundation
import PostgresNIO

/// The outcome ledger in table `outcome_ledger`, keyed by input topic, partition and offset. Each operation is one
/// statement, so one round trip: a record's state reads both tables in one query, `publishing` marks write their keys'
/// `done` in a data-modifying `WITH` of the same statement, and batches of marks go in one `INSERT ... unnest`.
extension PostgresStore: OutcomeLedger {
    public func outcomeMark(for position: RecordPosition) async throws -> OutcomeMark? {
        try await recordState(for: position, key: nil).mark
    }

    public func recordStates(_ requests: [RecordStateRequest]) async throws -> [RecordState] {
        guard !requests.isEmpty else { return [] }
        // Keys travel as text with a flag: `has_key` false is no key (whose row is not wanted).
        let rows = try await send(
            """
            SELECT asked.i, l.state, l.out_topic, l.out_partition, l.out_from_offset, l.touched_ms,
                d.state, d.owner, d.contact_id, d.touched_ms, d.origin, d.epoch, d.lease_until_ms, d.customer_id,
                d.request_digest
            FROM unnest(
                \(requests.map(\.position.topic))::text[], \(requests.map(\.position.partition))::integer[],
                \(requests.map(\.position.offset))::bigint[], \(requests.map { $0.key ?? "" })::text[],
                \(requests.map { $0.key != nil })::boolean[]
            ) WITH ORDINALITY AS asked(topic, partition, "offset", key, has_key, i)
            LEFT JOIN outcome_ledger l
                ON l.topic = asked.topic AND l.partition = asked.partition AND l."offset" = asked."offset"
            LEFT JOIN dedupe_entry d ON asked.has_key AND d.key = asked.key
            """)
        var states = Array(repeating: RecordState(mark: nil, entry: nil), count: requests.count)
        for try await columns in rows.decode(
            (
                Int64, String?, String?, Int32?, Int64?, Int64?, String?, String?, Int64?, Int64?, String?, Int64?,
                Int64?, Int64?, String?
            ).self)
        {
            let index = Int(columns.0) - 1
            guard states.indices.contains(index) else { continue }
            var mark: OutcomeMark?
            if let state = columns.1, let touched = columns.5 {
                let at = StoreTime.date(touched)
                if state == "publishing" {
                    let placement = OutcomePlacement(
                        topic: columns.2 ?? "", partition: columns.3 ?? 0, fromOffset: columns.4 ?? 0)
                    mark = .publishing(placement, since: at)
                } else {
                    mark = .published(at: at)
                }
            }
            var entry: DedupeEntry?
            if let key = requests[index].key, let state = columns.6, let touched = columns.9, let epoch = columns.11 {
                entry = Self.entry(
                    key: key,
                    (state, columns.7, columns.8, touched, columns.10, epoch, columns.12, columns.13, columns.14))
            }
            states[index] = RecordState(mark: mark, entry: entry)
        }
        return states
    }

    public func markPublishing(_ marks: [PublishingMark], now: Date) async throws {
        // One row per record and per key: ON CONFLICT cannot touch a row twice in one statement (the last mark wins).
        var byPosition: [RecordPosition: PublishingMark] = [:]
        var doneByKey: [String: CreatedContact] = [:]
        for mark in marks {
            byPosition[mark.position] = mark
            if let done = mark.keyDone { doneByKey[done.key] = done.contact }
        }
        // Customers travel with a flag (`has_customer` false is NULL), digests as text with '' for NULL.
        let done = Array(doneByKey)
        guard !byPosition.isEmpty else { return }
        let ledger = Array(byPosition.values)
        let now = StoreTime.milliseconds(now)
        // A data-modifying WITH runs to completion whether or not the main statement reads it: one statement, one
        // implicit transaction, every row or none.
        try await send(
            """
            WITH done AS (
                INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms, customer_id, request_digest)
                SELECT key, 'done', NULL, contact_id, \(now), CASE WHEN has_customer THEN customer_id END,
                    NULLIF(request_digest, '')
                FROM unnest(
                    \(done.map(\.key))::text[], \(done.map(\.value.contactId))::bigint[],
                    \(done.map { $0.value.customerId ?? 0 })::bigint[], \(done.map { $0.value.customerId != nil })::boolean[],
                    \(done.map { $0.value.requestDigest?.hex ?? "" })::text[]
                ) AS created(key, contact_id, customer_id, has_customer, request_digest)
                ON CONFLICT (key) DO UPDATE SET \(unescaped: Self.doneUpdate)
            )
            INSERT INTO outcome_ledger
                (topic, partition, "offset", state, out_topic, out_partition, out_from_offset, touched_ms)
            SELECT topic, partition, "offset", 'publishing', out_topic, out_partition, out_from_offset, \(now)
            FROM unnest(
                \(ledger.map(\.position.topic))::text[], \(ledger.map(\.position.partition))::integer[],
                \(ledger.map(\.position.offset))::bigint[], \(ledger.map(\.placement.topic))::text[],
                \(ledger.map(\.placement.partition))::integer[], \(ledger.map(\.placement.fromOffset))::bigint[]
            ) AS marked(topic, partition, "offset", out_topic, out_partition, out_from_offset)
            ON CONFLICT (topic, partition, "offset") DO UPDATE SET
                state = 'publishing', out_topic = excluded.out_topic, out_partition = excluded.out_partition,
                out_from_offset = excluded.out_from_offset, touched_ms = excluded.touched_ms
            """)
    }

    public func markPublished(_ positions: [RecordPosition], now: Date) async throws {
        // One row per record: ON CONFLICT cannot touch a row twice in one statement.
        let unique = Array(Set(positions))
        guard !unique.isEmpty else { return }
        let now = StoreTime.milliseconds(now)
        try await send(
            """
            INSERT INTO outcome_ledger (topic, partition, "offset", state, touched_ms)
            SELECT topic, partition, "offset", 'published', \(now)
            FROM unnest(\(unique.map(\.topic))::text[], \(unique.map(\.partition))::integer[],
                \(unique.map(\.offset))::bigint[]) AS marked(topic, partition, "offset")
            ON CONFLICT (topic, partition, "offset") DO UPDATE SET
                state = 'published', out_topic = NULL, out_partition = NULL, out_from_offset = NULL,
                touched_ms = excluded.touched_ms
            """)
    }

    public func pruneMarks(before cutoff: Date) async throws -> Int {
        let cutoff = StoreTime.milliseconds(cutoff)
        let rows = try await send("DELETE FROM outcome_ledger WHERE touched_ms < \(cutoff) RETURNING 1")
        return try await rows.decode(Int32.self).reduce(0) { count, _ in count + 1 }
    }
}
