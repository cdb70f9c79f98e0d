import Kafka
import SyncTestSupport

extension FuzzRecord {
    var kafkaHeaders: [KafkaHeader] { headers.map(KafkaHeader.init) }
}

extension KafkaHeader {
    init(_ header: BadInputHeader) { self.init(key: header.key, value: header.value) }
}
