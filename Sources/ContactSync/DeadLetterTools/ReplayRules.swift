import Kafka

/// The record a replay publishes: the dead letter's key and value byte for byte, to the original topic.
public struct ReplayRecord: Sendable, Equatable {
    public var topic: String
    /// The original partition when the record goes back to its original topic; nil lets the producer's
    /// partitioner choose (the fallback topic).
    public var partition: Int32?
    public var key: [UInt8]?
    public var value: [UInt8]?
    /// The original's headers (the dead letter's without ``DeadLetter/Header/all``), then
    /// `komet-sync.replay-count`.
    public var headers: [KafkaHeader]
    /// The replay count the record carries.
    public var replayCount: Int

    /// `topic/partition`, or the topic alone when the partitioner chooses.
    public var target: String {
        partition.map { "\(topic)/\($0)" } ?? topic
    }
}

/// Why a dead letter that matched the filter is not replayed.
public enum ReplayRefusal: Sendable, Hashable, CustomStringConvertible {
    /// The loop guard: the record was replayed `count` times, `maximum` is `--max-replays`.
    case limitReached(count: Int, maximum: Int)
    /// `komet-sync.replay-count` is not a count.
    case unparsableCount(String)
    /// No `kafka_dlt-original-topic` header, and `topics.input` is not one plain topic.
    case noTargetTopic
    /// The original topic is one of the worker's output topics.
    case outputTopic(String)

    public var description: String {
        switch self {
        case .limitReached(let count, let maximum):
            "replay-count \(count) reached --max-replays \(maximum)"
        case .unparsableCount(let text):
            "replay-count '\(text)' is not a number"
        case .noTargetTopic:
            "no \(DeadLetter.Header.originalTopic) header, and topics.input is not one topic"
        case .outputTopic(let topic):
            "original topic \(topic) is an output topic"
        }
    }

    /// The kind, for the summary's counts (without the record's own values).
    public var kind: String {
        switch self {
        case .limitReached(_, let maximum): "replay-count reached --max-replays \(maximum) (loop guard)"
        case .unparsableCount: "replay-count not a number"
        case .noTargetTopic: "no original topic"
        case .outputTopic: "original topic is an output topic"
        }
    }
}

/// What `dlq replay` does with a dead letter that matched the filter.
public enum ReplayDecision: Sendable, Equatable {
    case replay(ReplayRecord)
    case refuse(ReplayRefusal)
}

/// The loop guard and the rewrite of a dead letter into the record a replay publishes.
public struct ReplayRules: Sendable, Equatable {
    /// The default of `--max-replays`.
    public static let defaultMaxReplays = 3

    /// A record whose replay count reached this is refused.
    public var maxReplays: Int
    /// Where records without `kafka_dlt-original-topic` go: the configured input topic when it is one plain topic.
    public var fallbackTopic: String?
    /// Topics a replay never publishes to (the success and dead-letter topics).
    public var outputTopics: Set<String>

    public init(maxReplays: Int = defaultMaxReplays, fallbackTopic: String?, outputTopics: Set<String>) {
        self.maxReplays = maxReplays
        self.fallbackTopic = fallbackTopic
        self.outputTopics = outputTopics
    }

    /// The rules for a worker configuration: `topics.input` as the fallback when it is one topic and not a pattern
    /// (`^…`), the success and dead-letter topics as output topics.
    public init(maxReplays: Int = defaultMaxReplays, configuration: SyncConfiguration) {
        let inputs = configuration.inputTopics
        let fallback = inputs.count == 1 && !inputs[0].hasPrefix("^") ? inputs[0] : nil
        self.init(
            maxReplays: maxReplays, fallbackTopic: fallback,
            outputTopics: [configuration.successTopic, configuration.deadLetterTopic])
    }

    public func decide(_ entry: DeadLetterEntry) -> ReplayDecision {
        let count: Int
        switch entry.replayCount {
        case .unparsable(let text): return .refuse(.unparsableCount(text))
        case .count(let n): count = n
        }
        if count >= maxReplays { return .refuse(.limitReached(count: count, maximum: maxReplays)) }
        let topic: String
        let partition: Int32?
        if let original = entry.originalTopic {
            topic = original
            partition = entry.originalPartition.flatMap { $0 >= 0 ? $0 : nil }
        } else if let fallbackTopic {
            topic = fallbackTopic
            partition = nil
        } else {
            return .refuse(.noTargetTopic)
        }
        if outputTopics.contains(topic) { return .refuse(.outputTopic(topic)) }
        var headers = entry.message.headers.filter { !DeadLetter.Header.all.contains($0.key) }
        headers.append(KafkaHeader(key: DeadLetter.Header.replayCount, string: String(count + 1)))
        return .replay(
            ReplayRecord(
                topic: topic, partition: partition, key: entry.message.key, value: entry.message.value,
                headers: headers, replayCount: count + 1))
    }
}
