import CRdKafka

/// librdkafka's built-in partitioners (the `partitioner` setting), reproduced to pick a record's partition up front.
///
/// Hashing goes through librdkafka's own exported partitioner functions, so a keyed record lands exactly where
/// librdkafka itself would put it. Where librdkafka picks at random, so does this (uniformly, over all partitions).
enum KafkaPartitioner: String, Sendable, CaseIterable {
    /// librdkafka's default: CRC32 of the key; random for a nil or empty key.
    case consistentRandom = "consistent_random"
    /// CRC32 of the key (nil and empty keys hash alike).
    case consistent
    /// Random.
    case random
    /// Java-compatible murmur2 of the key (nil and empty keys hash alike).
    case murmur2
    /// Java-compatible murmur2 of the key; random for a nil key.
    case murmur2Random = "murmur2_random"
    /// FNV-1a of the key (nil and empty keys hash alike).
    case fnv1a
    /// FNV-1a of the key; random for a nil key.
    case fnv1aRandom = "fnv1a_random"

    /// The partitioner that `configuration` selects (librdkafka's `partitioner`, default `consistent_random`).
    init(configuration: [String: String]) throws(KafkaError) {
        guard let name = configuration["partitioner"] else {
            self = .consistentRandom
            return
        }
        guard let partitioner = KafkaPartitioner(rawValue: name) else {
            throw .configuration(
                "partitioner",
                "Configuration property \"partitioner\" must be one of "
                    + "\(Self.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(name)\""
            )
        }
        self = partitioner
    }

    /// The partition in `0..<partitionCount` for `key`. `partitionCount` must be positive.
    func partition(key: [UInt8]?, partitionCount: Int32) -> Int32 {
        precondition(partitionCount > 0, "partitionCount must be positive")
        switch self {
        case .random:
            return Int32.random(in: 0..<partitionCount)
        case .consistentRandom where key?.isEmpty ?? true,
            .murmur2Random where key == nil,
            .fnv1aRandom where key == nil:
            return Int32.random(in: 0..<partitionCount)
        case .consistent, .consistentRandom:
            return Self.hash(key, partitionCount, rd_kafka_msg_partitioner_consistent)
        case .murmur2, .murmur2Random:
            return Self.hash(key, partitionCount, rd_kafka_msg_partitioner_murmur2)
        case .fnv1a, .fnv1aRandom:
            return Self.hash(key, partitionCount, rd_kafka_msg_partitioner_fnv1a)
        }
    }

    private typealias HashFunction =
        @convention(c) (
            OpaquePointer?, UnsafeRawPointer?, Int, Int32, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?
        ) -> Int32

    /// Calls a deterministic librdkafka partitioner; these never touch the topic handle, so none is passed.
    private static func hash(_ key: [UInt8]?, _ partitionCount: Int32, _ function: HashFunction) -> Int32 {
        guard let key else { return function(nil, nil, 0, partitionCount, nil, nil) }
        return key.withUnsafeBytes { buffer in
            function(nil, buffer.baseAddress, buffer.count, partitionCount, nil, nil)
        }
    }
}
