import Foundation
import Kafka

/// Reads an outcome partition back to find out whether an input record's outcome arrived: the success record names
/// its input in `source`, a dead letter in its `kafka_dlt-original-*` headers.
struct KafkaOutcomeLookup: OutcomeLookup {
    var reader: KafkaPartitionReader
    var deadLetterTopic: String
    var timeout: Duration = .seconds(60)

    func contains(outcomeOf position: RecordPosition, in placement: OutcomePlacement) async throws -> Bool {
        let records = try await reader.read(
            topic: placement.topic, partition: placement.partition, from: placement.fromOffset, timeout: timeout)
        return records.contains { Self.source(of: $0, deadLetterTopic: deadLetterTopic) == position }
    }

    /// The input record an outcome record is about, or `nil` when it names none.
    static func source(of record: KafkaMessage, deadLetterTopic: String) -> RecordPosition? {
        if record.topic == deadLetterTopic {
            func header(_ name: String) -> String? { record.headers.last { $0.key == name }?.stringValue }
            guard let topic = header(DeadLetter.Header.originalTopic),
                let partition = header(DeadLetter.Header.originalPartition).flatMap({ Int32($0) }),
                let offset = header(DeadLetter.Header.originalOffset).flatMap({ Int64($0) })
            else { return nil }
            return RecordPosition(topic: topic, partition: partition, offset: offset)
        }
        struct Envelope: Decodable { var source: SourceRef }
        guard let value = record.value, let source = try? JSONDecoder().decode(Envelope.self, from: Data(value)).source
        else { return nil }
        return RecordPosition(topic: source.topic, partition: source.partition, offset: source.offset)
    }
}
