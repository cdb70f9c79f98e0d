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

    /// Receive order, unique per process.
    var sequence: UInt64
    var message: KafkaMessage
    /// The dedupe key, and the key that orders events: events of one key are processed one at a time.
    var key: String
    var preparation: Preparation
}

/// The terminal result of one event.
enum EventOutcome: Sendable {
    case success(SuccessStatus, contactId: Int64, message: String, request: KometContactRequest)
    case deadLetter(reason: String, detail: String, httpStatus: Int?)

    var label: String {
        switch self {
        case .success(let status, _, _, _): status.rawValue
        case .deadLetter(let reason, _, _): reason
        }
    }
}

/// Reason codes of dead letters that are not bad-event reasons.
enum PipelineReason {
    static let kometRejected = "komet_rejected"
    static let retriesExhausted = "retries_exhausted"
    static let ambiguousOutcome = "ambiguous_outcome"
    static let internalError = "internal_error"
}
