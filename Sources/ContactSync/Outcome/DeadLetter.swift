import Kafka

/// The error headers of a dead letter. The dead-letter record's key and value are the original record's bytes,
/// untouched (the caller passes them through), so replaying it is a plain republish.
public struct DeadLetter: Sendable, Equatable {
    /// Header names. `kafka_dlt-*` follow Spring Kafka's dead-letter convention (as decimal strings).
    public enum Header {
        public static let originalTopic = "kafka_dlt-original-topic"
        public static let originalPartition = "kafka_dlt-original-partition"
        public static let originalOffset = "kafka_dlt-original-offset"
        public static let originalTimestamp = "kafka_dlt-original-timestamp"
        public static let exceptionMessage = "kafka_dlt-exception-message"
        public static let reason = "komet-sync.reason"
        public static let detail = "komet-sync.detail"
        public static let httpStatus = "komet-sync.http-status"
        public static let attempts = "komet-sync.attempts"
        public static let replayCount = "komet-sync.replay-count"

        /// Every header this type writes; original headers with these names are replaced.
        public static let all: Set<String> = [
            originalTopic, originalPartition, originalOffset, originalTimestamp, exceptionMessage, reason, detail,
            httpStatus, attempts, replayCount,
        ]
    }

    /// The longest header text (detail, exception message, reason), in characters; longer text is cut with "…".
    public static let maxHeaderCharacters = 1_000

    public var reason: DeadLetterReason
    /// What exactly was wrong (names the field); no token, no personal data beyond what it needs.
    public var detail: String
    /// Human text for `kafka_dlt-exception-message`.
    public var exceptionMessage: String
    /// The HTTP status of Komet's answer, when there was one.
    public var httpStatus: Int?
    /// Komet calls spent on the event.
    public var attempts: Int

    public init(
        reason: DeadLetterReason, detail: String, exceptionMessage: String? = nil, httpStatus: Int? = nil,
        attempts: Int
    ) {
        self.reason = reason
        self.detail = detail
        self.exceptionMessage = exceptionMessage ?? "\(reason.rawValue): \(detail)"
        self.httpStatus = httpStatus
        self.attempts = attempts
    }

    /// A dead letter for a bad event (no call was made).
    public init(badEvent: BadEvent) {
        self.init(reason: badEvent.reason, detail: badEvent.detail, attempts: 0)
    }

    /// The headers of the dead-letter record for `original`: the original's headers (minus any with the names in
    /// ``Header/all``), then ours. `komet-sync.replay-count` carries the original's value unchanged, or `"0"`.
    public func headers(for original: KafkaMessage) -> [KafkaHeader] {
        var headers = original.headers.filter { !Header.all.contains($0.key) }
        func add(_ key: String, _ value: String) {
            headers.append(KafkaHeader(key: key, string: value))
        }
        add(Header.originalTopic, original.topic)
        add(Header.originalPartition, String(original.partition))
        add(Header.originalOffset, String(original.offset))
        if let timestamp = original.timestampMilliseconds {
            add(Header.originalTimestamp, String(timestamp))
        }
        add(Header.exceptionMessage, Self.bounded(exceptionMessage))
        add(Header.reason, reason.rawValue)
        add(Header.detail, Self.bounded(detail))
        if let httpStatus {
            add(Header.httpStatus, String(httpStatus))
        }
        add(Header.attempts, String(attempts))
        add(Header.replayCount, Self.bounded(original.header(Header.replayCount)?.stringValue ?? "0"))
        return headers
    }

    private static func bounded(_ text: String) -> String {
        TextNormalization.truncate(text, toCharacters: maxHeaderCharacters)
    }
}
