/// Metadata keys used in this module's log lines, in one place.
enum KafkaLogKey {
    static let client = "kafka.client"
    static let facility = "kafka.facility"
    static let topic = "kafka.topic"
    static let partition = "kafka.partition"
    static let partitions = "kafka.partitions"
    static let error = "kafka.error"
    static let protocolName = "kafka.rebalance.protocol"
    static let assignmentLost = "kafka.assignment.lost"
    static let outputQueueLength = "kafka.outq"
    static let partitionCount = "kafka.partition.count"
    static let offset = "kafka.offset"
    static let count = "kafka.count"
    static let libraryVersion = "kafka.librdkafka.version"
    static let retryDelay = "kafka.retry.delay"
}
