/// One Kafka record header of a bad-input record: a name and any bytes, or no value at all. ContactSyncTests turns it
/// into a `KafkaHeader`; EndToEndTests hands it to the producer script.
public struct BadInputHeader: Hashable, Sendable {
    public var key: String
    public var value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// A header whose value is the UTF-8 bytes of `value`.
    public init(key: String, string value: String) {
        self.init(key: key, value: Array(value.utf8))
    }
}
