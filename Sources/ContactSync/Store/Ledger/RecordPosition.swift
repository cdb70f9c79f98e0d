import Kafka

/// Where an input record sits: topic, partition, offset. Identifies an event across restarts and replicas.
public struct RecordPosition: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    /// `topic/partition@offset`, the form stored as a dedupe row's origin.
    public var description: String { "\(topic)/\(partition)@\(offset)" }
}

extension RecordPosition {
    init(_ message: KafkaMessage) {
        self.init(topic: message.topic, partition: message.partition, offset: message.offset)
    }
}
