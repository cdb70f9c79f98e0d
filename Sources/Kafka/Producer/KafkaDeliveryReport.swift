/// Where a produced record landed. Only `KafkaProducer.send` makes one (with the internal memberwise initializer).
public struct KafkaDeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
}
