import Foundation
import Kafka
import Logging

/// Rebuilds the key -> contactId rows from the success topic, the durable log of every created contact (DESIGN.md,
/// "Lost state is never silent"): every partition from its start to its end offset as it is when the read starts,
/// each success record written as a `done` row and its input record (`source`) marked `published` in the outcome
/// ledger (so a replay of that record is skipped, not answered a second time), then the consumer group recorded as
/// served.
///
/// Idempotent: a `done` row is written again with the same contact, so running it twice changes nothing. A key seen in
/// several records keeps the last one's contact. Rows are touched at the record's `processedAt`, so retention counts
/// from when the contact was created, as it would have for the lost rows.
public struct StoreRebuild: Sendable {
    /// What a rebuild did.
    public struct Summary: Sendable, Equatable, CustomStringConvertible {
        public var partitions = 0
        public var recordsRead = 0
        /// Distinct keys written as `done`.
        public var keysWritten = 0
        /// Input records marked `published` in the outcome ledger.
        public var marksWritten = 0
        /// Records skipped, by why.
        public var skipped: [String: Int] = [:]

        public var description: String {
            let skips = skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            return "read \(recordsRead) records from \(partitions) partition(s), wrote \(keysWritten) keys as done and "
                + "\(marksWritten) input records as published, "
                + "skipped \(skipped.values.reduce(0, +))"
                + (skips.isEmpty ? "" : " (\(skips.joined(separator: ", ")))")
        }
    }

    /// The fields of a success record the rebuild needs (see ``SuccessRecord``).
    private struct Row: Decodable {
        struct Komet: Decodable { var contactId: Int64 }
        var dedupeKey: String
        var komet: Komet
        var processedAt: String?
        var source: SourceRef?
    }

    public var keys: any DedupeStore
    public var ledger: any OutcomeLedger
    public var groups: any ServedGroups
    public var reader: KafkaPartitionReader
    public var successTopic: String
    public var groupID: String
    /// How long reading one partition may take.
    public var readTimeout: Duration

    public init(
        keys: any DedupeStore, ledger: any OutcomeLedger, groups: any ServedGroups, reader: KafkaPartitionReader,
        successTopic: String,
        groupID: String, readTimeout: Duration = .seconds(300)
    ) {
        self.keys = keys
        self.ledger = ledger
        self.groups = groups
        self.reader = reader
        self.successTopic = successTopic
        self.groupID = groupID
        self.readTimeout = readTimeout
    }

    /// A reader of the success topic with the consumer's Kafka settings and a group id of its own (the consumer
    /// group's plus `.store-rebuild`; it never joins it or commits).
    public static func reader(configuration: SyncConfiguration, logger: Logger) throws -> KafkaPartitionReader {
        try KafkaPartitionReader(
            configuration: KafkaRoleSettings.consumer(configuration.kafka),
            groupID: "\(configuration.consumerGroupID).store-rebuild", logger: logger)
    }

    public func run() async throws -> Summary {
        var summary = Summary()
        var written: Set<String> = []
        let count = try await reader.partitionCount(topic: successTopic)
        summary.partitions = Int(count)
        for partition in 0..<count {
            let records = try await reader.read(
                topic: successTopic, partition: partition, from: 0, timeout: readTimeout)
            for record in records {
                summary.recordsRead += 1
                guard let value = record.value, !value.isEmpty else {
                    summary.skipped["without a value", default: 0] += 1
                    continue
                }
                guard let row = try? JSONDecoder().decode(Row.self, from: Data(value)), !row.dedupeKey.isEmpty else {
                    summary.skipped["not a success record (no dedupeKey and komet.contactId)", default: 0] += 1
                    continue
                }
                let at = row.processedAt.flatMap(OutcomeTimestamp.parse) ?? Date()
                try await keys.markDone(key: row.dedupeKey, contactId: row.komet.contactId, now: at)
                written.insert(row.dedupeKey)
                if let source = row.source {
                    let position = RecordPosition(
                        topic: source.topic, partition: source.partition, offset: source.offset)
                    try await ledger.markPublished(position, now: at)
                    summary.marksWritten += 1
                }
            }
        }
        summary.keysWritten = written.count
        try await groups.recordServedGroup(groupID, now: Date())
        return summary
    }
}
