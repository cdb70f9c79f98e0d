import Foundation
import GRDB

/// The outcome ledger in table `outcome_ledger`, keyed by input topic, partition and offset.
extension SQLiteStore: OutcomeLedger {
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
            let touched = StoreTime.date(row["touched_ms"])
            let state: String = row["state"]
            guard state == "publishing" else { return .published(at: touched) }
            let placement = OutcomePlacement(
                topic: row["out_topic"] ?? "", partition: row["out_partition"] ?? 0,
                fromOffset: row["out_from_offset"] ?? 0)
            return .publishing(placement, since: touched)
        }
    }

    public func markPublishing(_ position: RecordPosition, placement: OutcomePlacement, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
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
        let now = StoreTime.milliseconds(now)
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO outcome_ledger (topic, partition, "offset", state, touched_ms)
                    VALUES (?, ?, ?, 'published', ?)
                    """,
                arguments: [position.topic, position.partition, position.offset, now])
        }
    }

    public func pruneMarks(before cutoff: Date) async throws -> Int {
        let cutoff = StoreTime.milliseconds(cutoff)
        return try await pool.write { db in
            try db.execute(sql: "DELETE FROM outcome_ledger WHERE touched_ms < ?", arguments: [cutoff])
            return db.changesCount
        }
    }
}
