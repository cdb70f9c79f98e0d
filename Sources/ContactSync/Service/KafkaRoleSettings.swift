import Kafka
import Logging

/// Splits the `kafka.*` settings between the consumer and the producer.
///
/// Operators write one set of librdkafka settings (brokers, SASL, SSL, …). Properties that librdkafka documents as
/// consumer-only (C) or producer-only (P) are given only to that client, so neither logs a warning about the other's.
enum KafkaRoleSettings {
    static let consumerOnly: Set<String> = [
        "group.id", "group.instance.id", "partition.assignment.strategy", "session.timeout.ms",
        "heartbeat.interval.ms", "group.protocol.type", "coordinator.query.interval.ms", "max.poll.interval.ms",
        "enable.auto.commit", "auto.commit.interval.ms", "enable.auto.offset.store", "queued.min.messages",
        "queued.max.messages.kbytes", "fetch.wait.max.ms", "fetch.message.max.bytes", "max.partition.fetch.bytes",
        "fetch.max.bytes", "fetch.min.bytes", "fetch.error.backoff.ms", "isolation.level", "enable.partition.eof",
        "check.crcs", "auto.offset.reset", "consume.callback.max.messages", "allow.auto.create.topics",
        "client.rack",
    ]

    static let producerOnly: Set<String> = [
        "transactional.id", "transaction.timeout.ms", "enable.idempotence", "enable.gapless.guarantee",
        "queue.buffering.max.messages", "queue.buffering.max.kbytes", "queue.buffering.max.ms", "linger.ms",
        "message.send.max.retries", "retries", "retry.backoff.ms", "queue.buffering.backpressure.threshold",
        "compression.codec", "compression.type", "batch.num.messages", "batch.size", "delivery.report.only.error",
        "sticky.partitioning.linger.ms", "acks", "request.required.acks", "request.timeout.ms", "message.timeout.ms",
        "delivery.timeout.ms", "partitioner", "compression.level",
    ]

    static func consumer(_ settings: [String: String]) -> [String: String] {
        settings.filter { !producerOnly.contains($0.key) }
    }

    /// The producer's default `message.max.bytes`: large enough for a dead letter of any record a broker with
    /// default limits accepts (the dead letter keeps the original value), including oversized ones.
    static let producerMessageMaxBytes = "16777216"

    static func producer(_ settings: [String: String]) -> [String: String] {
        var settings = settings.filter { !consumerOnly.contains($0.key) }
        if settings["message.max.bytes"] == nil { settings["message.max.bytes"] = producerMessageMaxBytes }
        return settings
    }

    /// A partition reader with the consumer's settings, in a group of its own that it never joins or commits: the
    /// consumer group's id plus `.purpose` (`outcome-reader`, `store-rebuild`, `dlq-tools`), so its offset queries
    /// never touch the workers' group.
    static func reader(
        _ configuration: SyncConfiguration, purpose: String, logger: Logger
    ) throws -> KafkaPartitionReader {
        try KafkaPartitionReader(
            configuration: consumer(configuration.kafka), groupID: "\(configuration.consumerGroupID).\(purpose)",
            logger: logger)
    }
}
