import Foundation
import Kafka
import KometClient
import Logging
import SyncTestSupport
import Testing

@testable import ContactSync

/// The one log line of each outcome (``OutcomeRecorder/report(_:of:duration:logger:)``): numbers stay numbers, and
/// the dedupe key is there whenever the event has one, a bad event's included.
@Suite("the outcome log line")
struct OutcomeLogLineTests {
    let recorder = OutcomeRecorder(
        successTopic: "contacts.komet.succeeded", deadLetterTopic: "contacts.komet.dlq",
        tokens: KometTokenSource(KometToken("t0k3n"), origin: .fixed),
        logPersonalData: false, health: HealthState())

    func preparer(order: [DedupeKeySource] = [.messageKey, .cloudEventID, .requestHash]) -> EventPreparer {
        EventPreparer(
            decoder: ContactEventDecoder(), mapper: ContactMapper(configuration: MappingConfiguration()),
            keyStrategy: DedupeKeyStrategy(order: order))
    }

    func message(key: String?, value: String, headers: [KafkaHeader] = []) -> KafkaMessage {
        KafkaMessage(
            topic: "contacts.created", partition: 2, offset: 41, key: key.map { Array($0.utf8) },
            value: Array(value.utf8), headers: headers, timestampMilliseconds: 1_700_000_000_000)
    }

    /// The metadata of the line `report` writes for `job` with `outcome`.
    func reportedMetadata(_ job: PipelineJob, _ outcome: EventOutcome) -> Logger.Metadata {
        let capture = CapturedLog()
        recorder.report(
            EventProcessor.Result(outcome: outcome, attempts: 1), of: job, duration: .milliseconds(12),
            logger: capture.logger)
        let lines = capture.lines
        #expect(lines.count == 1)
        return lines.first?.metadata ?? [:]
    }

    @Test("a created contact: dedupe key, and partition, offset, attempts, duration and ids as JSON numbers")
    func created() throws {
        let job = preparer().prepare(message(key: "order-17", value: BadInputCorpus.event()))
        let request = try #require(job.readyRequest)
        let metadata = reportedMetadata(job, .success(.created, contactId: 1120, message: "ok", request: request))
        #expect(metadata[SyncLogKey.dedupeKey] == "order-17")
        let line = StructuredLogHandler.line(
            format: .json, time: LogTimestamp(milliseconds: 0), level: .info, label: "l", message: "contact synced",
            metadata: metadata)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object[SyncLogKey.partition] as? Int == 2)
        #expect(object[SyncLogKey.offset] as? Int == 41)
        #expect(object[SyncLogKey.attempts] as? Int == 1)
        #expect(object[SyncLogKey.durationMs] as? Int == 12)
        #expect(object[SyncLogKey.contactId] as? Int == 1120)
        #expect(object[SyncLogKey.customerId] as? Int == 17)
        #expect(object[SyncLogKey.outcome] as? String == "created")
    }

    @Test("a duplicate's line names the first contact's customer, not the duplicate event's")
    func duplicate() throws {
        let job = preparer().prepare(message(key: "order-17", value: BadInputCorpus.event()))
        let request = try #require(job.readyRequest)
        #expect(request.customerId == 17)
        let first = DuplicateOf(customerId: 136, contactId: 1120, createdAt: Date(), requestDiffers: true)
        let metadata = reportedMetadata(
            job,
            .success(.duplicate, contactId: 1120, message: "already created", request: request, duplicateOf: first))
        #expect(metadata[SyncLogKey.customerId].map { "\($0)" } == "136")
        #expect(metadata[SyncLogKey.contactId].map { "\($0)" } == "1120")
        #expect(metadata[SyncLogKey.outcome] == "duplicate")
    }

    @Test("a bad event names the key its record key gives, whatever was wrong with its value")
    func badEventWithRecordKey() {
        for value in ["{not json", BadInputCorpus.event(contact: BadInputCorpus.phones(#"{"Number":"1","Type":9}"#))] {
            let job = preparer().prepare(message(key: "order-18", value: value))
            #expect(job.dedupeKey == nil, "a bad event claims no key")
            let metadata = reportedMetadata(
                job, .deadLetter(reason: .invalidJSON, detail: "value: not JSON", httpStatus: nil))
            #expect(metadata[SyncLogKey.dedupeKey] == "order-18", "\(value)")
        }
    }

    @Test("a bad event names its CloudEvents id when that comes first, and only when the event could be decoded")
    func badEventWithCloudEventID() {
        let ceFirst = preparer(order: [.cloudEventID, .messageKey, .requestHash])
        let headers = [
            KafkaHeader(key: "ce_specversion", string: "1.0"), KafkaHeader(key: "ce_id", string: "ce-77"),
            KafkaHeader(key: "ce_source", string: "/rpm"), KafkaHeader(key: "ce_type", string: "contact.created"),
        ]
        let badPhone = BadInputCorpus.event(contact: BadInputCorpus.phones(#"{"Number":"1","Type":9}"#))
        let mapped = ceFirst.prepare(message(key: "order-19", value: badPhone, headers: headers))
        #expect(mapped.badEventKey == "ce-77")
        // Undecodable: the id that comes first in the order is unknown, so no key is claimed for the line.
        let undecodable = ceFirst.prepare(message(key: "order-19", value: "{not json", headers: headers))
        #expect(undecodable.badEventKey == nil)
    }

    @Test("a bad event has no key in its line when the request hash would have decided it")
    func badEventWithoutKey() {
        let job = preparer().prepare(message(key: nil, value: "{not json"))
        let metadata = reportedMetadata(job, .deadLetter(reason: .invalidJSON, detail: "value", httpStatus: nil))
        #expect(metadata[SyncLogKey.dedupeKey] == nil)
        #expect(metadata[SyncLogKey.outcomeReason] == "invalid_json")
    }
}

extension PipelineJob {
    /// The request of a ready event.
    fileprivate var readyRequest: KometContactRequest? {
        if case .ready(let request) = preparation { request } else { nil }
    }
}
