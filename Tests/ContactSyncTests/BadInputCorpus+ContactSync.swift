import Kafka
import SyncTestSupport

@testable import ContactSync

/// The corpus configuration (see ``BadInputCorpus``) in ContactSync's types: the mapping and key order every case is
/// decided under, and the decoder.
extension BadInputCorpus {
    static let mapping = MappingConfiguration(
        contactTypeByTitle: ["Ghost Writer": "Phantom", "Overlong Role": overlongType],
        customerIDMap: Dictionary(uniqueKeysWithValues: (Int64(1)...1_000).map { ($0, $0) })
    )
    static let keyStrategy = DedupeKeyStrategy(order: [.messageKey, .cloudEventID])
    static let decoder = ContactEventDecoder()
}

extension BadInputCase {
    /// The expected reason as a ``DeadLetterReason`` (every case in ``BadInputCorpus/unitCases`` has one).
    var expected: DeadLetterReason { DeadLetterReason(rawValue: reason)! }

    var kafkaHeaders: [KafkaHeader] { headers.map(KafkaHeader.init) }
}

extension FuzzRecord {
    var kafkaHeaders: [KafkaHeader] { headers.map(KafkaHeader.init) }
}

extension KafkaHeader {
    init(_ header: BadInputHeader) { self.init(key: header.key, value: header.value) }
}
