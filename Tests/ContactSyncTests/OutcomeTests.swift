import Foundation
import Kafka
import KometClient
import Testing

@testable import ContactSync

@Suite("Outcome records")
struct OutcomeTests {
    let request = KometContactRequest(
        customerId: 6326, name: "Joe Smith", type: "Buyer", phone: "594-123-0982", ext: "345",
        email: "contact@mydomain.com", description: "Buyer; primary contact", emailPOD: false)

    func record(status: SuccessStatus = .created, message: String? = "Contact was successfully saved") -> SuccessRecord
    {
        SuccessRecord(
            status: status,
            dedupeKey: "order-17",
            komet: .init(customerId: 6326, contactId: 4_535_434, message: message),
            request: request,
            source: SourceRef(topic: "contacts.created", partition: 3, offset: 1_234, timestamp: 1_767_225_600_000),
            attempts: 2,
            durationMs: 187,
            processedAt: Date(timeIntervalSince1970: 1_767_225_601.5))
    }

    @Test("the success record round-trips and every field survives")
    func roundTrip() throws {
        let original = record()
        let decoded = try SuccessRecord.decoded(from: original.encoded())
        #expect(decoded == original)
        #expect(decoded.status == .created)
        #expect(decoded.dedupeKey == "order-17")
        #expect(
            decoded.komet == .init(customerId: 6326, contactId: 4_535_434, message: "Contact was successfully saved"))
        #expect(decoded.request == request)
        #expect(
            decoded.source
                == SourceRef(topic: "contacts.created", partition: 3, offset: 1_234, timestamp: 1_767_225_600_000))
        #expect(decoded.attempts == 2)
        #expect(decoded.durationMs == 187)
        #expect(decoded.processedAt == Date(timeIntervalSince1970: 1_767_225_601.5))
    }

    @Test("the JSON shape: sorted keys, nested objects, ISO 8601 UTC with milliseconds, no token")
    func jsonShape() throws {
        let bytes = record().encoded()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains("authenticationToken"))
        #expect(text.hasPrefix(#"{"attempts":2,"dedupeKey":"order-17","durationMs":187,"komet":{"contactId":4535434,"#))
        #expect(text.contains(#""processedAt":"2026-01-01T00:00:01.500Z""#))
        #expect(
            text.contains(
                #""source":{"offset":1234,"partition":3,"timestamp":1767225600000,"topic":"contacts.created"}"#))
        #expect(text.hasSuffix(#""status":"created"}"#))

        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "status", "dedupeKey", "komet", "request", "source", "attempts", "durationMs", "processedAt",
            ])
        let request = try #require(object["request"] as? [String: Any])
        #expect(request["name"] as? String == "Joe Smith")
        #expect(request["customerId"] as? Int == 6326)
        #expect(request["mobile"] == nil)
        #expect(request["authenticationToken"] == nil)
    }

    @Test("the record is written as JSONEncoder with sorted keys writes it: nil fields, escapes, extremes")
    func sameAsJSONEncoder() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(OutcomeTimestamp.format(date))
        }
        var odd = record(status: .duplicate, message: nil)
        odd.dedupeKey = "key \"with\" \\ and /\n\u{1} é"
        odd.request = KometContactRequest(customerId: -1, name: "", type: "A/P", emailPOD: true)
        odd.source = SourceRef(topic: "t", partition: Int32.max, offset: Int64.max, timestamp: nil)
        odd.attempts = 0
        odd.durationMs = Int64.min
        var duplicate = record(status: .duplicate, message: "already created")
        duplicate.duplicateOf = DuplicateOf(
            customerId: 136, contactId: 4_535_434, createdAt: Date(timeIntervalSince1970: 1_764_583_200.25),
            requestDiffers: true)
        var legacy = duplicate
        legacy.duplicateOf = DuplicateOf(
            customerId: nil, contactId: 1, createdAt: Date(timeIntervalSince1970: -0.5), requestDiffers: nil)
        for value in [record(), record(status: .reconciled, message: "found"), odd, duplicate, legacy] {
            #expect(
                String(decoding: value.encoded(), as: UTF8.self)
                    == String(decoding: try encoder.encode(value), as: UTF8.self))
        }
    }

    @Test("a duplicate names its first contact: duplicateOf between dedupeKey and durationMs, keys sorted, round trip")
    func duplicateOf() throws {
        var duplicate = record(status: .duplicate, message: "already created")
        duplicate.komet.customerId = 136
        duplicate.attempts = 0
        duplicate.duplicateOf = DuplicateOf(
            customerId: 136, contactId: 4_535_434, createdAt: Date(timeIntervalSince1970: 1_764_583_200.25),
            requestDiffers: false)
        let text = String(decoding: duplicate.encoded(), as: UTF8.self)
        #expect(
            text.hasPrefix(
                #"{"attempts":0,"dedupeKey":"order-17","duplicateOf":{"contactId":4535434,"#
                    + #""createdAt":"2025-12-01T10:00:00.250Z","customerId":136,"requestDiffers":false},"#
                    + #""durationMs":187,"komet":{"contactId":4535434,"customerId":136,"#), "\(text)")
        #expect(try SuccessRecord.decoded(from: duplicate.encoded()) == duplicate)
        // Unknown (a key recorded before the stores kept it): left out, as every nil field.
        duplicate.duplicateOf?.customerId = nil
        duplicate.duplicateOf?.requestDiffers = nil
        let legacy = String(decoding: duplicate.encoded(), as: UTF8.self)
        #expect(legacy.contains(#""duplicateOf":{"contactId":4535434,"createdAt":"2025-12-01T10:00:00.250Z"},"#))
        #expect(try SuccessRecord.decoded(from: duplicate.encoded()) == duplicate)
        // Other statuses have none.
        #expect(!String(decoding: record().encoded(), as: UTF8.self).contains("duplicateOf"))
    }

    @Test(
        "timestamps: UTC, milliseconds truncated, whole milliseconds kept, before 1970 too",
        arguments: [
            (1_767_225_601.5, "2026-01-01T00:00:01.500Z"), (1_767_225_601.9996, "2026-01-01T00:00:01.999Z"),
            (1_764_655_200.123, "2025-12-02T06:00:00.123Z"), (0, "1970-01-01T00:00:00.000Z"),
            (-0.5, "1969-12-31T23:59:59.500Z"), (951_782_400, "2000-02-29T00:00:00.000Z"),
        ])
    func timestamps(_ seconds: Double, _ text: String) throws {
        #expect(OutcomeTimestamp.format(Date(timeIntervalSince1970: seconds)) == text)
        let parsed = try #require(OutcomeTimestamp.parse(text))
        #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.001)
    }

    @Test("statuses encode as their names", arguments: [SuccessStatus.created, .duplicate, .reconciled])
    func statuses(_ status: SuccessStatus) throws {
        let text = String(decoding: record(status: status, message: nil).encoded(), as: UTF8.self)
        #expect(text.contains(#""status":"\#(status.rawValue)""#))
        #expect(try SuccessRecord.decoded(from: Array(text.utf8)).komet.message == nil)
    }

    // MARK: dead letters

    let original = KafkaMessage(
        topic: "contacts.created", partition: 2, offset: 99, key: Array("order-17".utf8), value: Array("{}".utf8),
        headers: [
            KafkaHeader(key: "traceparent", string: "00-abc-def-01"),
            KafkaHeader(key: "komet-sync.reason", string: "stale"),
            KafkaHeader(key: "kafka_dlt-original-offset", string: "1"),
            KafkaHeader(key: "komet-sync.replay-count", string: "2"),
        ],
        timestampMilliseconds: 1_767_225_600_000)

    func value(_ headers: [KafkaHeader], _ key: String) -> String? {
        let matching = headers.filter { $0.key == key }
        #expect(matching.count <= 1, "header \(key) appears \(matching.count) times")
        return matching.first?.stringValue
    }

    @Test("dead-letter headers: original coordinates, reason, detail, status, attempts, replay count")
    func deadLetterHeaders() {
        let letter = DeadLetter(
            reason: .kometRejected, detail: "Customer not found", exceptionMessage: "Komet refused the contact",
            httpStatus: 200, attempts: 1)
        let headers = letter.headers(for: original)
        #expect(value(headers, "kafka_dlt-original-topic") == "contacts.created")
        #expect(value(headers, "kafka_dlt-original-partition") == "2")
        #expect(value(headers, "kafka_dlt-original-offset") == "99")
        #expect(value(headers, "kafka_dlt-original-timestamp") == "1767225600000")
        #expect(value(headers, "kafka_dlt-exception-message") == "Komet refused the contact")
        #expect(value(headers, "komet-sync.reason") == "komet_rejected")
        #expect(value(headers, "komet-sync.detail") == "Customer not found")
        #expect(value(headers, "komet-sync.http-status") == "200")
        #expect(value(headers, "komet-sync.attempts") == "1")
        #expect(value(headers, "komet-sync.replay-count") == "2")
        // Other original headers are kept, first and unchanged.
        #expect(headers.first == KafkaHeader(key: "traceparent", string: "00-abc-def-01"))
    }

    @Test("a bad event's dead letter: no http-status header, replay count 0, no timestamp when absent")
    func badEventDeadLetter() {
        let bad = BadEvent(.invalidPhoneType, "Contact.PhoneNumbers[2].Type: unrecognized phone type 9")
        var message = original
        message.headers = []
        message.timestampMilliseconds = nil
        let headers = DeadLetter(badEvent: bad).headers(for: message)
        #expect(value(headers, "komet-sync.reason") == "invalid_phone_type")
        #expect(value(headers, "komet-sync.detail") == "Contact.PhoneNumbers[2].Type: unrecognized phone type 9")
        #expect(value(headers, "komet-sync.http-status") == nil)
        #expect(value(headers, "komet-sync.attempts") == "0")
        #expect(value(headers, "komet-sync.replay-count") == "0")
        #expect(value(headers, "kafka_dlt-original-timestamp") == nil)
        #expect(value(headers, "kafka_dlt-exception-message")?.contains("invalid_phone_type") == true)
    }

    @Test("header texts are bounded to 1,000 characters")
    func bounded() throws {
        let letter = DeadLetter(
            reason: .internalError, detail: String(repeating: "d", count: 5_000),
            exceptionMessage: String(repeating: "e", count: 5_000), attempts: 3)
        let headers = letter.headers(for: original)
        let detail = try #require(value(headers, "komet-sync.detail"))
        #expect(detail.count == 1_000)
        #expect(detail.hasSuffix("…"))
        #expect(try #require(value(headers, "kafka_dlt-exception-message")).count == 1_000)
        #expect(
            BadEvent(.invalidJSON, String(repeating: "x", count: 2_000)).detail.count == BadEvent.maxDetailCharacters)
    }

    @Test("BadEvent describes itself as reason: detail")
    func badEventDescription() {
        #expect(String(describing: BadEvent(.emptyName, "name: all empty")) == "empty_name: name: all empty")
    }
}

@Suite("Reason codes")
struct ReasonCodeTests {
    @Test("codes are stable snake_case and unique")
    func codes() {
        let codes = DeadLetterReason.badEventReasons.map(\.rawValue)
        #expect(Set(codes).count == codes.count)
        #expect(codes.allSatisfy { $0.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" } })
        #expect(DeadLetterReason.invalidCloudEvent.rawValue == "invalid_cloudevent")
        #expect(DeadLetterReason.badEventReasons.count == 26)
    }
}
