/// One Kafka record header. A `nil` value is a header without a value.
public struct KafkaHeader: Hashable, Sendable {
    public var key: String
    public var value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// A header whose value is the UTF-8 bytes of `value`.
    public init(key: String, string value: String) {
        self.key = key
        self.value = Array(value.utf8)
    }

    /// The value decoded as UTF-8, or `nil` when there is no value or it is not valid UTF-8.
    public var stringValue: String? {
        value.flatMap { String(validating: $0, as: UTF8.self) }
    }
}
