/// Receives a `KafkaConsumer`'s records and rebalance events.
///
/// Every method runs on the consumer's poll thread (never on the Swift cooperative pool), one at a time.
public protocol KafkaConsumerDelegate: AnyObject, Sendable {
    /// A record arrived. Must return quickly (no blocking I/O): the poll thread serves nothing else meanwhile.
    func consumer(_ consumer: KafkaConsumer, didReceive message: KafkaMessage)
    /// Partitions were (incrementally) assigned. Called after the incremental assign.
    func consumer(_ consumer: KafkaConsumer, didAssign partitions: [TopicPartition])
    /// Partitions are about to be revoked (rebalance or close). The delegate may block here (bounded) to
    /// finish in-flight work and store offsets; when it returns, the consumer commits the stored offsets
    /// synchronously and then incrementally unassigns the partitions.
    ///
    /// `lost` is true when the group has already taken them away (the session timed out, or the member was fenced):
    /// nothing can be committed for them any more, so the delegate should let them go at once instead of waiting.
    /// Every moment spent here also counts against `max.poll.interval.ms`.
    func consumer(_ consumer: KafkaConsumer, willRevoke partitions: [TopicPartition], lost: Bool)
}
