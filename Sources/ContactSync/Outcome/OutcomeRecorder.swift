import DurationConversions
import Foundation
import Kafka
import KometClient
import Logging

/// Turns an event's result into the record to publish, and into its one log line and its count.
struct OutcomeRecorder: Sendable {
    /// A record ready for the producer.
    struct Record: Sendable {
        var topic: String
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: [KafkaHeader]
    }

    var successTopic: String
    var deadLetterTopic: String
    /// Redacts every token the worker has held from dead-letter details.
    var tokens: KometTokenSource
    var logPersonalData: Bool
    var health: HealthState

    func record(for result: EventProcessor.Result, of job: PipelineJob, duration: Duration) -> Record {
        let message = job.message
        switch result.outcome {
        case .success(let status, let contactId, let text, let request, let duplicateOf):
            let customerId = EventOutcome.customerId(request: request, duplicateOf: duplicateOf)
            let value = SuccessRecord(
                status: status,
                dedupeKey: job.key,
                duplicateOf: duplicateOf,
                komet: .init(customerId: customerId, contactId: contactId, message: text),
                request: request,
                source: SourceRef(
                    topic: message.topic, partition: message.partition, offset: message.offset,
                    timestamp: message.timestampMilliseconds),
                attempts: result.attempts,
                durationMs: duration.wholeMilliseconds,
                processedAt: Date()
            )
            return Record(topic: successTopic, key: Array(job.key.utf8), value: value.encoded(), headers: [])
        case .deadLetter(let reason, let detail, let httpStatus):
            // Komet's messages could, in theory, echo the request: make sure the token is never in a header.
            let deadLetter = DeadLetter(
                reason: reason, detail: tokens.redact(detail), httpStatus: httpStatus, attempts: result.attempts)
            // Key and value stay byte for byte what was consumed, so a replay is a plain republish.
            return Record(
                topic: deadLetterTopic, key: message.key, value: message.value,
                headers: deadLetter.headers(for: message))
        }
    }

    /// The dead letter without the original value, for a dead-letter topic that refuses its size; the detail header
    /// says what was left out. `nil` for anything else (success records are small; a valueless record cannot shrink).
    func withoutValue(_ record: Record) -> Record? {
        guard record.topic == deadLetterTopic, let value = record.value else { return nil }
        var headers = record.headers.filter { $0.key != DeadLetter.Header.detail }
        let detail = record.headers.last { $0.key == DeadLetter.Header.detail }?.stringValue ?? ""
        headers.append(
            KafkaHeader(
                key: DeadLetter.Header.detail,
                string: detail
                    + " (the original value, \(value.count) bytes, was too large for this topic and is left out)"
            ))
        return Record(topic: record.topic, key: record.key, value: nil, headers: headers)
    }

    /// Counts the published outcome and writes its one structured log line. Names, emails and phones are left out
    /// unless personal data logging is on.
    func report(_ result: EventProcessor.Result, of job: PipelineJob, duration: Duration, logger: Logger) {
        health.recordOutcome(result.outcome.label)
        var metadata: Logger.Metadata = [
            SyncLogKey.outcome: .string(result.outcome.label),
            SyncLogKey.topic: .string(job.message.topic),
            SyncLogKey.partition: .stringConvertible(job.message.partition),
            SyncLogKey.offset: .stringConvertible(job.message.offset),
            SyncLogKey.attempts: .stringConvertible(result.attempts),
            SyncLogKey.durationMs: .stringConvertible(duration.wholeMilliseconds),
        ]
        if let key = job.reportedKey { metadata[SyncLogKey.dedupeKey] = .string(key) }
        switch result.outcome {
        case .success(_, let contactId, _, let request, let duplicateOf):
            metadata[SyncLogKey.contactId] = .stringConvertible(contactId)
            metadata[SyncLogKey.customerId] = .stringConvertible(
                EventOutcome.customerId(request: request, duplicateOf: duplicateOf))
            if logPersonalData {
                metadata[SyncLogKey.contactName] = .string(request.name)
                metadata[SyncLogKey.contactEmail] = .string(request.email ?? "")
            }
            logger.info("contact synced", metadata: metadata)
        case .deadLetter(let reason, let detail, let httpStatus):
            metadata[SyncLogKey.outcomeReason] = .string(reason.rawValue)
            if let httpStatus { metadata[SyncLogKey.httpStatus] = .stringConvertible(httpStatus) }
            // A bad event's detail names the field and may quote its value: only logged when personal data is allowed.
            metadata[SyncLogKey.outcomeDetail] = .string(
                logPersonalData ? tokens.redact(detail) : Self.fieldOnly(detail))
            logger.warning("event dead-lettered", metadata: metadata)
        }
    }

    /// The part of a detail before the first colon (the field name), without the value it may quote.
    static func fieldOnly(_ detail: String) -> String {
        guard let colon = detail.firstIndex(of: ":") else { return detail }
        return String(detail[..<colon]) + ": <redacted>"
    }
}
