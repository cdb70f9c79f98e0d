import ContactSync
import Kafka

/// Dead-letter records as the worker writes them, for the `dlq` tool tests.
enum DeadLetterFixture {
    static let input = "contacts.created"
    static let dlq = "contacts.komet.dlq"
    static let success = "contacts.komet.succeeded"

    /// A dead letter at `partition@offset` of the DLQ for an original at `originalPartition@originalOffset`, written
    /// at `timestamp` (ms), with `extra` input headers before the dead-letter ones.
    static func record(
        partition: Int32 = 0, offset: Int64, key: String? = "k", value: String = #"{"Contact":{}}"#,
        reason: String? = DeadLetterReason.kometRejected.rawValue, replayCount: String? = "0",
        originalTopic: String? = input, originalPartition: Int32 = 2, originalOffset: Int64 = 40,
        timestamp: Int64? = 1_000_000, extra: [KafkaHeader] = [KafkaHeader(key: "trace-id", string: "t-1")]
    ) -> KafkaMessage {
        var headers = extra
        if let originalTopic {
            headers.append(KafkaHeader(key: DeadLetter.Header.originalTopic, string: originalTopic))
        }
        headers.append(KafkaHeader(key: DeadLetter.Header.originalPartition, string: String(originalPartition)))
        headers.append(KafkaHeader(key: DeadLetter.Header.originalOffset, string: String(originalOffset)))
        headers.append(KafkaHeader(key: DeadLetter.Header.originalTimestamp, string: "999000"))
        headers.append(KafkaHeader(key: DeadLetter.Header.exceptionMessage, string: "komet_rejected: no"))
        if let reason { headers.append(KafkaHeader(key: DeadLetter.Header.reason, string: reason)) }
        headers.append(KafkaHeader(key: DeadLetter.Header.detail, string: "The contact type is not registered"))
        headers.append(KafkaHeader(key: DeadLetter.Header.attempts, string: "1"))
        if let replayCount { headers.append(KafkaHeader(key: DeadLetter.Header.replayCount, string: replayCount)) }
        return KafkaMessage(
            topic: dlq, partition: partition, offset: offset, key: key.map { Array($0.utf8) },
            value: Array(value.utf8), headers: headers, timestampMilliseconds: timestamp)
    }

    static let rules = ReplayRules(maxReplays: 3, fallbackTopic: input, outputTopics: [dlq, success])
}
