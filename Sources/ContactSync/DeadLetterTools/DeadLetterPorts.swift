import Kafka
import Logging

/// Where the `dlq` commands read the dead-letter topic from (a ``KafkaPartitionReader`` in production).
public protocol DeadLetterSource: Sendable {
    func partitionCount(topic: String) async throws -> Int32
    /// The partition's first offset and the offset its next record will get.
    func watermarks(topic: String, partition: Int32) async throws -> (low: Int64, high: Int64)
    /// The records of the partition in `[offset, until)`.
    func read(topic: String, partition: Int32, from offset: Int64, until: Int64) async throws -> [KafkaMessage]
}

/// How the `dlq` commands read a partition: in slices of ``offsets`` offsets, so memory stays bounded however many
/// dead letters it holds.
public enum DeadLetterSourceSlices {
    public static let offsets: Int64 = 5_000
}

extension DeadLetterSource {
    /// The end offset of every partition of `topic`, asked before any is read.
    public func endOffsets(topic: String) async throws -> [(partition: Int32, range: Range<Int64>)] {
        var ranges: [(partition: Int32, range: Range<Int64>)] = []
        for partition in 0..<(try await partitionCount(topic: topic)) {
            let marks = try await watermarks(topic: topic, partition: partition)
            ranges.append((partition, marks.low..<max(marks.low, marks.high)))
        }
        return ranges
    }

    /// Calls `body` with each slice of `range` of `partition`.
    public func scan(
        topic: String, partition: Int32, range: Range<Int64>, _ body: ([KafkaMessage]) async throws -> Void
    ) async throws {
        var next = range.lowerBound
        while next < range.upperBound {
            let sliceEnd = min(range.upperBound, next + DeadLetterSourceSlices.offsets)
            try await body(try await read(topic: topic, partition: partition, from: next, until: sliceEnd))
            next = sliceEnd
        }
    }
}

/// Where `dlq replay` publishes (a ``KafkaProducer`` in production). Returns when the record is delivered, with
/// where it landed.
public protocol ReplaySink: Sendable {
    func publish(_ record: ReplayRecord) async throws -> ReplayDelivery
}

/// Where a replayed record landed.
public struct ReplayDelivery: Sendable, Equatable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    /// `topic/partition@offset`
    public var description: String { "\(topic)/\(partition)@\(offset)" }
}

/// A partition reader with a deadline per slice read.
public struct KafkaDeadLetterSource: DeadLetterSource {
    public var reader: KafkaPartitionReader
    public var readTimeout: Duration

    public init(reader: KafkaPartitionReader, readTimeout: Duration) {
        self.reader = reader
        self.readTimeout = readTimeout
    }

    /// A reader with the consumer's Kafka settings and a group id of its own (the consumer group's plus
    /// `.dlq-tools`; it never joins it or commits).
    public static func reader(configuration: SyncConfiguration, logger: Logger) throws -> KafkaPartitionReader {
        try KafkaRoleSettings.reader(configuration, purpose: "dlq-tools", logger: logger)
    }

    public func partitionCount(topic: String) async throws -> Int32 {
        try await reader.partitionCount(topic: topic)
    }

    public func watermarks(topic: String, partition: Int32) async throws -> (low: Int64, high: Int64) {
        try await reader.watermarks(topic: topic, partition: partition, timeout: readTimeout)
    }

    public func read(topic: String, partition: Int32, from offset: Int64, until: Int64) async throws
        -> [KafkaMessage]
    {
        try await reader.read(topic: topic, partition: partition, from: offset, until: until, timeout: readTimeout)
    }
}

/// The idempotent producer (acks=all) with the worker's producer settings.
public struct KafkaReplaySink: ReplaySink {
    public var producer: KafkaProducer

    public init(producer: KafkaProducer) {
        self.producer = producer
    }

    public static func producer(configuration: SyncConfiguration, logger: Logger) throws -> KafkaProducer {
        try KafkaProducer(configuration: KafkaRoleSettings.producer(configuration.kafka), logger: logger)
    }

    public func publish(_ record: ReplayRecord) async throws -> ReplayDelivery {
        let report = try await producer.send(
            topic: record.topic, key: record.key, value: record.value, headers: record.headers,
            partition: record.partition)
        return ReplayDelivery(topic: report.topic, partition: report.partition, offset: report.offset)
    }
}
