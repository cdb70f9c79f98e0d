import Foundation
import Kafka
import SyncTestSupport
import Testing

@testable import ContactSync

/// Runs bad-input records through the real ``Pipeline`` over fakes (``PipelineHarness``: fake consumer, producer and
/// Komet, in-memory store, default mapping and key order), and through the same decoder, mapper and key strategy
/// directly (``prepare(key:value:headers:decoder:mapper:keyStrategy:)``, what `Pipeline.prepare` does).
enum BadInputPipeline {
    static let topic = PipelineHarness.topic
    static let deadLetterTopic = "contacts.komet.dlq"

    /// Feeds `messages` to a fresh harness over `partitions`, waits for one outcome each (bounded by `timeout`) and
    /// returns the harness (its sink holds the records, its Komet the calls).
    static func run(_ messages: [KafkaMessage], partitions: [Int32], maxInFlight: Int = 16, timeout: Duration)
        async throws -> PipelineHarness
    {
        let harness = PipelineHarness(maxInFlight: maxInFlight, maxBuffered: messages.count + 1)
        try await harness.run(messages, partitions: partitions, expecting: messages.count, timeout: timeout)
        return harness
    }

    static func message(partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader])
        -> KafkaMessage
    {
        KafkaMessage(
            topic: topic, partition: partition, offset: offset, key: key, value: value, headers: headers,
            timestampMilliseconds: 1_700_000_000_000)
    }

    /// What `Pipeline.prepare` decides for one record: the same decoder, mapper and key strategy, in its order.
    static func prepare(
        key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader],
        decoder: ContactEventDecoder = BadInputCorpus.decoder,
        mapper: ContactMapper = ContactMapper(configuration: BadInputCorpus.mapping),
        keyStrategy: DedupeKeyStrategy = BadInputCorpus.keyStrategy
    ) -> Result<String, BadEvent> {
        do throws(BadEvent) {
            let decoded = try decoder.decode(value: value, headers: headers)
            let request = try mapper.map(decoded.payload)
            return .success(
                try keyStrategy.key(messageKey: key, cloudEventID: decoded.cloudEventID, request: request))
        } catch {
            return .failure(error)
        }
    }
}

/// One published outcome, matched back to its input position.
struct BadInputOutcome: Equatable {
    enum Kind: Equatable {
        case success(status: String)
        case deadLetter(reason: String)
    }

    var partition: Int32
    var offset: Int64
    var kind: Kind
    var key: [UInt8]?
    var value: [UInt8]?

    /// Parses a published record; `nil` when it carries no recognisable source position.
    init?(_ record: FakeSink.Published) {
        key = record.key
        value = record.value
        if record.topic == BadInputPipeline.deadLetterTopic {
            guard let partition = record.header(DeadLetter.Header.originalPartition).flatMap({ Int32($0) }),
                let offset = record.header(DeadLetter.Header.originalOffset).flatMap({ Int64($0) }),
                let reason = record.header(DeadLetter.Header.reason)
            else { return nil }
            self.partition = partition
            self.offset = offset
            kind = .deadLetter(reason: reason)
        } else {
            guard let value = record.value,
                let json = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any],
                let source = json["source"] as? [String: Any],
                let partition = (source["partition"] as? NSNumber)?.int32Value,
                let offset = (source["offset"] as? NSNumber)?.int64Value,
                let status = json["status"] as? String
            else { return nil }
            self.partition = partition
            self.offset = offset
            kind = .success(status: status)
        }
    }

    /// `partition@offset`.
    var position: String { "\(partition)@\(offset)" }
}
