/// Where the input record of an outcome came from.
public struct SourceRef: Codable, Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// The record timestamp in milliseconds since 1970, when the broker gave one.
    public var timestamp: Int64?

    public init(topic: String, partition: Int32, offset: Int64, timestamp: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
    }
}
