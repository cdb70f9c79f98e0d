import Foundation
import Kafka
import KometClient
import Logging

/// Rebuilds the key -> contactId rows from the success topic, the durable log of every created contact (DESIGN.md,
/// "Lost state is never silent"): every partition from its start to its end offset as it is when the read starts,
/// each success record written as a `done` row and its input record (`source`) marked `published` in the outcome
/// ledger (so a replay of that record is skipped, not answered a second time), then the consumer group recorded as
/// served.
///
/// A `created` or `reconciled` record gives the row its contact, `komet.customerId` and the ``RequestDigest`` of its
/// `request` (the request that created the contact; a `reconciled` one's may have come from another record with the
/// same key, as the worker itself assumes only when it made that call). A `duplicate` record names the first contact,
/// not the request that created it: it writes the row only when no creating record of the key came before it in this
/// run (that one's was pruned from the topic), with `duplicateOf.customerId` (unknown in records from before that
/// field) and no digest, so later duplicates of the key report `requestDiffers` as unknown.
///
/// Idempotent: a `done` row is written again with the same contact, so running it twice changes nothing. A key seen in
/// several creating records keeps the last one's contact. Rows are touched at the record's `processedAt`, so retention
/// counts from when the contact was created, as it would have for the lost rows.
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
        struct Komet: Decodable {
            var contactId: Int64
            var customerId: Int64?
        }
        struct First: Decodable { var customerId: Int64? }
        var dedupeKey: String
        var status: String?
        var komet: Komet
        var duplicateOf: First?
        /// `nil` when absent or not a request (then the digest is unknown).
        var request: KometContactRequest?
        var processedAt: String?
        var source: SourceRef?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            dedupeKey = try container.decode(String.self, forKey: .dedupeKey)
            status = try container.decodeIfPresent(String.self, forKey: .status)
            komet = try container.decode(Komet.self, forKey: .komet)
            duplicateOf = try? container.decodeIfPresent(First.self, forKey: .duplicateOf)
            request = try? container.decodeIfPresent(KometContactRequest.self, forKey: .request)
            processedAt = try container.decodeIfPresent(String.self, forKey: .processedAt)
            source = try container.decodeIfPresent(SourceRef.self, forKey: .source)
        }

        private enum CodingKeys: String, CodingKey {
            case dedupeKey, status, komet, duplicateOf, request, processedAt, source
        }

        /// The contact a creating record names, or `nil` for a duplicate (whose request did not create it).
        var createdContact: CreatedContact? {
            guard status != SuccessStatus.duplicate.rawValue else { return nil }
            return CreatedContact(
                contactId: komet.contactId, customerId: komet.customerId,
                requestDigest: request.map(RequestDigest.init(of:)))
        }

        /// The first contact a duplicate names: its customer only from `duplicateOf` (an older duplicate's
        /// `komet.customerId` was the duplicate event's), no digest.
        var firstContact: CreatedContact {
            CreatedContact(contactId: komet.contactId, customerId: duplicateOf?.customerId, requestDigest: nil)
        }
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
        try KafkaRoleSettings.reader(configuration, purpose: "store-rebuild", logger: logger)
    }

    public func run() async throws -> Summary {
        var summary = Summary()
        var written: Set<String> = []
        // Keys written from a creating record in this run: a later duplicate of one of them leaves its row alone.
        var created: Set<String> = []
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
                if let contact = row.createdContact {
                    try await keys.markDone(key: row.dedupeKey, contact: contact, now: at)
                    created.insert(row.dedupeKey)
                } else if !created.contains(row.dedupeKey) {
                    try await keys.markDone(key: row.dedupeKey, contact: row.firstContact, now: at)
                }
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
