import Foundation
import GRDB

/// The outcome ledger in table `outcome_ledger`, keyed by input topic, partition and offset. Its statements are
/// prepared once per connection (GRDB's statement cache).
extension SQLiteStore: OutcomeLedger {
    public func outcomeMark(for position: RecordPosition) async throws -> OutcomeMark? {
        try await read { db in try Self.mark(for: position, db) }
    }

    public func recordStates(_ requests: [RecordStateRequest]) async throws -> [RecordState] {
        guard !requests.isEmpty else { return [] }
        return try await read { db in
            try requests.map { request in
                RecordState(
                    mark: try Self.mark(for: request.position, db),
                    entry: try request.key.flatMap { try Self.fetch(key: $0, db) })
            }
        }
    }

    public func markPublishing(_ marks: [PublishingMark], now: Date) async throws {
        guard !marks.isEmpty else { return }
        let now = StoreTime.milliseconds(now)
        try await write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO outcome_ledger
                        (topic, partition, "offset", state, out_topic, out_partition, out_from_offset, touched_ms)
                    VALUES (?, ?, ?, 'publishing', ?, ?, ?, ?)
                    """)
            for mark in marks {
                if let done = mark.keyDone { try Self.markDone(key: done.key, contact: done.contact, now: now, db) }
                let (position, placement) = (mark.position, mark.placement)
                try statement.execute(arguments: [
                    position.topic, position.partition, position.offset, placement.topic, placement.partition,
                    placement.fromOffset, now,
                ])
            }
        }
    }

    public func markPublished(_ positions: [RecordPosition], now: Date) async throws {
        guard !positions.isEmpty else { return }
        let now = StoreTime.milliseconds(now)
        try await write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO outcome_ledger (topic, partition, "offset", state, touched_ms)
                    VALUES (?, ?, ?, 'published', ?)
                    """)
            for position in positions {
                try statement.execute(arguments: [position.topic, position.partition, position.offset, now])
            }
        }
    }

    public func pruneMarks(before cutoff: Date) async throws -> Int {
        let cutoff = StoreTime.milliseconds(cutoff)
        return try await write { db in
            try db.execute(sql: "DELETE FROM outcome_ledger WHERE touched_ms < ?", arguments: [cutoff])
            return db.changesCount
        }
    }

    /// The record's mark (inside the caller's transaction).
    private static func mark(for position: RecordPosition, _ db: Database) throws -> OutcomeMark? {
        let statement = try db.cachedStatement(
            sql: """
                SELECT state, out_topic, out_partition, out_from_offset, touched_ms FROM outcome_ledger
                WHERE topic = ? AND partition = ? AND "offset" = ?
                """)
        guard let row = try Row.fetchOne(statement, arguments: [position.topic, position.partition, position.offset])
        else { return nil }
        let touched = StoreTime.date(row["touched_ms"])
        let state: String = row["state"]
        guard state == "publishing" else { return .published(at: touched) }
        let placement = OutcomePlacement(
            topic: row["out_topic"] ?? "", partition: row["out_partition"] ?? 0, fromOffset: row["out_from_offset"] ?? 0
        )
        return .publishing(placement, since: touched)
    }
}
