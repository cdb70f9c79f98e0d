import Kafka
import KometClient

/// One received event on its way through the pipeline.
struct PipelineJob: Sendable {
    enum Preparation: Sendable {
        /// Decoded and mapped: ready to be claimed and sent.
        case ready(KometContactRequest)
        /// Refused before any call (undecodable, invalid, over a Komet limit).
        case bad(BadEvent)
    }

    var message: KafkaMessage
    /// The key that orders events: events of one key are processed one at a time. For a ready event it is the dedupe
    /// key; a bad event has no trustworthy key and gets one of its own (``ownKey(of:)``), so it waits for nothing.
    var key: String
    var preparation: Preparation
    /// A bad event's dedupe key when it is known without a request (its record key or CloudEvents id comes first in
    /// `dedupe.keyOrder`), for its log line; it orders nothing and claims nothing.
    var badEventKey: String? = nil

    /// The dedupe key, or `nil` for a bad event.
    var dedupeKey: String? {
        if case .ready = preparation { key } else { nil }
    }

    /// The key the event's outcome line names: the dedupe key, or a bad event's ``badEventKey``.
    var reportedKey: String? { dedupeKey ?? badEventKey }

    /// Where the input record sits.
    var position: RecordPosition { RecordPosition(message) }

    /// A key no dedupe key can equal (dedupe keys never start with NUL), unique to the record.
    static func ownKey(of message: KafkaMessage) -> String {
        "\u{0}\(message.topic)/\(message.partition)/\(message.offset)"
    }
}
