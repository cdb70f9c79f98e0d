import Foundation
import PostgresNIO

/// The outcome ledger in table `outcome_ledger`, keyed by input topic, partition and offset.
extension PostgresStore: OutcomeLedger {
    public func outcomeMark(for position: RecordPosition) async throws -> OutcomeMark? {
        let rows = try await client.query(
            """
            SELECT state, out_topic, out_partition, out_from_offset, touched_ms FROM outcome_ledger
            WHERE topic = \(position.topic) AND partition = \(position.partition) AND "offset" = \(position.offset)
            """, logger: logger)
        for try await (state, topic, partition, fromOffset, touched) in rows.decode(
            (String, String?, Int32?, Int64?, Int64).self)
        {
            let at = StoreTime.date(touched)
            guard state == "publishing" else { return .published(at: at) }
            let placement = OutcomePlacement(
                topic: topic ?? "", partition: partition ?? 0, fromOffset: fromOffset ?? 0)
            return .publishing(placement, since: at)
        }
        return nil
    }

    public func markPublishing(_ position: RecordPosition, placement: OutcomePlacement, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try await client.query(
            """
            INSERT INTO outcome_ledger
                (topic, partition, "offset", state, out_topic, out_partition, out_from_offset, touched_ms)
            VALUES (
                \(position.topic), \(position.partition), \(position.offset), 'publishing', \(placement.topic),
                \(placement.partition), \(placement.fromOffset), \(now))
            ON CONFLICT (topic, partition, "offset") DO UPDATE SET
                state = 'publishing', out_topic = excluded.out_topic, out_partition = excluded.out_partition,
                out_from_offset = excluded.out_from_offset, touched_ms = excluded.touched_ms
            """, logger: logger)
    }

    public func markPublished(_ position: RecordPosition, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try await client.query(
            """
            INSERT INTO outcome_ledger (topic, partition, "offset", state, touched_ms)
            VALUES (\(position.topic), \(position.partition), \(position.offset), 'published', \(now))
            ON CONFLICT (topic, partition, "offset") DO UPDATE SET
                state = 'published', out_topic = NULL, out_partition = NULL, out_from_offset = NULL,
                touched_ms = excluded.touched_ms
            """, logger: logger)
    }

    public func pruneMarks(before cutoff: Date) async throws -> Int {
        let cutoff = StoreTime.milliseconds(cutoff)
        let rows = try await client.query(
            "DELETE FROM outcome_ledger WHERE touched_ms < \(cutoff) RETURNING 1", logger: logger)
        return try await rows.decode(Int32.self).reduce(0) { count, _ in count + 1 }
    }
}
