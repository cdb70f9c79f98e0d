import Kafka

/// One record of the dead-letter topic, with its headers read (see ``DeadLetter/Header``). The key, value and other
/// headers stay in ``message`` as they are.
public struct DeadLetterEntry: Sendable {
    /// The replay count a dead letter carries.
    public enum ReplayCount: Sendable, Equatable, CustomStringConvertible {
        /// A count (0 when the header is absent).
        case count(Int)
        /// A header that is not a non-negative decimal integer, as it was.
        case unparsable(String)

        public var description: String {
            switch self {
            case .count(let count): String(count)
            case .unparsable(let text): "'\(text)'"
            }
        }
    }

    /// The dead-letter record.
    public var message: KafkaMessage

    public init(_ message: KafkaMessage) {
        self.message = message
    }

    /// `komet-sync.reason` as written, or nil when absent.
    public var reasonCode: String? { message.header(DeadLetter.Header.reason)?.stringValue }

    /// The reason, when the code is one this build knows.
    public var reason: DeadLetterReason? { reasonCode.flatMap(DeadLetterReason.init(rawValue:)) }

    /// The reason code, `(unknown: CODE)` for a code this build does not know, `(none)` without the header: the label
    /// the summaries count by.
    public var reasonLabel: String {
        guard let code = reasonCode else { return Self.noReasonLabel }
        return reason == nil ? "(unknown: \(code))" : code
    }

    public static let noReasonLabel = "(none)"

    /// `komet-sync.replay-count`: 0 when absent (a record the worker did not write), `unparsable` when it is not a
    /// non-negative decimal integer.
    public var replayCount: ReplayCount {
        guard let header = message.header(DeadLetter.Header.replayCount) else { return .count(0) }
        guard let text = header.stringValue else { return .unparsable(header.value.map { "\($0)" } ?? "") }
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let count = Int(text)
        else { return .unparsable(text) }
        return .count(count)
    }

    /// `kafka_dlt-original-topic`, when present and not empty.
    public var originalTopic: String? {
        message.header(DeadLetter.Header.originalTopic)?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `kafka_dlt-original-partition`, when present and a number.
    public var originalPartition: Int32? {
        message.header(DeadLetter.Header.originalPartition)?.stringValue.flatMap { Int32($0) }
    }

    /// `kafka_dlt-original-offset`, when present and a number.
    public var originalOffset: Int64? {
        message.header(DeadLetter.Header.originalOffset)?.stringValue.flatMap { Int64($0) }
    }

    /// When the dead letter was written: the dead-letter record's timestamp (milliseconds since 1970).
    public var deadLetteredAt: Int64? { message.timestampMilliseconds }

    /// The key for display: the UTF-8 text when it has no control characters, `hex:…` otherwise, `-` without a key,
    /// `""` when empty.
    public var displayKey: String {
        guard let key = message.key else { return "-" }
        if let text = String(validating: key, as: UTF8.self),
            !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        {
            return text.isEmpty ? "\"\"" : text
        }
        return "hex:"
            + key.map { byte in
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined()
    }
}
