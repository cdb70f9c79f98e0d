import Kafka

/// Where the pipeline publishes outcome records. ``KafkaProducer`` is the production implementation (see Adapters/).
public protocol OutcomeSink: Sendable {
    /// Chooses the partition of a record (as the producer's partitioner would) and an offset at or below the one the
    /// record will get there. The pipeline writes this into its outcome ledger before it publishes.
    func placement(topic: String, key: [UInt8]?) async throws -> OutcomePlacement
    /// Publishes one record to `partition` and returns once it is durable (its delivery report arrived).
    func publish(topic: String, partition: Int32, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) async throws
}

/// Finds out whether an outcome record reached Kafka: the check behind the outcome ledger's `publishing` marks,
/// which are only ever found after a crash or a lost partition.
public protocol OutcomeLookup: Sendable {
    /// Whether the outcome record of the input record at `position` is in `placement`'s partition, at or after its
    /// offset.
    func contains(outcomeOf position: RecordPosition, in placement: OutcomePlacement) async throws -> Bool
}

/// The consumer operations the pipeline drives. ``KafkaConsumer`` is the production implementation (see Adapters/).
public protocol ConsumerControl: AnyObject, Sendable {
    func storeOffset(_ partition: TopicPartition, nextOffset: Int64) throws
    func pause(_ partitions: [TopicPartition]) throws
    func resume(_ partitions: [TopicPartition]) throws
}
