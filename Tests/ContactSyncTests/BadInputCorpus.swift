import Foundation
import Kafka
import Testing

@testable import ContactSync

/// One hand-written bad event and the reason it must be dead-lettered with.
struct BadInputCase: Sendable, CustomTestStringConvertible {
    var name: String
    var key: [UInt8]?
    var value: [UInt8]?
    var headers: [KafkaHeader]
    var expected: DeadLetterReason

    var testDescription: String { "\(name) → \(expected.rawValue)" }

    /// Whether the case is bad only under ``BadInputCorpus/mapping`` and ``BadInputCorpus/keyStrategy`` (under the
    /// default mapping and key order it is a valid event).
    var needsCorpusConfiguration: Bool {
        [.unknownCustomer, .unregisteredContactType, .typeTooLong, .missingKey].contains(expected)
    }
}

/// The bad-input corpus (issue 3): every way an event can be malformed, each with its expected ``DeadLetterReason``.
///
/// The corpus runs under ``mapping`` and ``keyStrategy``, which switch on the configuration-dependent checks so that
/// input alone can reach them: a customer id map (`unknown_customer`), a title mapped to an unregistered type
/// (`unregistered_contact_type`; the worker's configuration validation refuses such a map, so in the worker this
/// reason is unreachable), a title mapped to a 201-character type (`type_too_long`), and a key order without
/// `requestHash` (`missing_key`). Every ``DeadLetterReason`` is reachable this way; the pipeline's own codes
/// (`komet_rejected`, `retries_exhausted`, `ambiguous_outcome`, `internal_error`) come from Komet or the pipeline,
/// not from input, and are not part of the corpus.
enum BadInputCorpus {
    static let overlongType = String(repeating: "T", count: 201)

    static let mapping = MappingConfiguration(
        contactTypeByTitle: ["Ghost Writer": "Phantom", "Overlong Role": overlongType],
        customerIDMap: Dictionary(uniqueKeysWithValues: (Int64(1)...1_000).map { ($0, $0) })
    )
    static let keyStrategy = DedupeKeyStrategy(order: [.messageKey, .cloudEventID])
    static let decoder = ContactEventDecoder()

    /// A valid contact's members.
    static let contact =
        #""FirstName":"Ann","LastName":"Lee","Email":"ann.lee@example.com","PhoneNumbers":[{"Number":"555-0100","PhoneNumberID":1,"Type":1}]"#

    /// A bare event with the given contact members and CustomerID text.
    static func event(contact: String = contact, customer: String = "17", extra: String = "") -> String {
        #"{"Contact":{\#(contact)},"CustomerID":\#(customer)\#(extra)}"#
    }

    /// A contact whose phone list is `phones` (JSON array members).
    static func phones(_ phones: String) -> String {
        #""FirstName":"Ann","LastName":"Lee","PhoneNumbers":[\#(phones)]"#
    }

    /// A structured CloudEvent around `data` (a JSON text) or `extra` members.
    static func structured(_ members: String) -> String {
        #"{"specversion":"1.0","id":"ce-1","source":"/rpm","type":"contact.created",\#(members)}"#
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// A valid control event; `index` makes its key, name and customer unique enough.
    static func control(_ index: Int) -> (key: [UInt8], value: [UInt8]) {
        let value =
            #"{"Contact":{"FirstName":"Control","LastName":"N\#(index)","Email":"control.\#(index)@example.com"},"CustomerID":\#(index % 1_000 + 1)}"#
        return (bytes("ctl-\(index)"), bytes(value))
    }

    static let cases: [BadInputCase] = {
        var cases: [BadInputCase] = []
        func add(
            _ name: String, _ expected: DeadLetterReason, _ value: [UInt8]?, key: [UInt8]? = nil,
            headers: [(String, String)] = [], keyless: Bool = false
        ) {
            cases.append(
                BadInputCase(
                    name: name, key: keyless ? key : (key ?? bytes("bad-\(name)")), value: value,
                    headers: headers.map { KafkaHeader(key: $0.0, string: $0.1) }, expected: expected))
        }
        func add(
            _ name: String, _ expected: DeadLetterReason, _ text: String, headers: [(String, String)] = []
        ) {
            add(name, expected, bytes(text), headers: headers)
        }
        let valid = event()
        let binaryHeaders = [("ce_specversion", "1.0"), ("ce_id", "ce-b1"), ("ce_source", "/rpm")]

        // MARK: empty, oversized, not UTF-8
        add("empty-value", .emptyPayload, [UInt8]())
        add("tombstone", .emptyPayload, nil)
        add(
            "payload-2MiB", .payloadTooLarge,
            event(contact: #""FirstName":"Big","Title":"\#(String(repeating: "x", count: 2 << 20))""#))
        let padding = (1 << 20) + 1 - valid.utf8.count
        add("payload-1MiB-plus-1-byte", .payloadTooLarge, valid + String(repeating: " ", count: padding))
        add(
            "utf8-invalid-byte-ff", .invalidUTF8,
            bytes(#"{"Contact":{"FirstName":"An"#) + [0xFF] + bytes(#"n"},"CustomerID":17}"#))
        add(
            "utf8-overlong-slash", .invalidUTF8,
            bytes(#"{"Contact":{"FirstName":"A"#) + [0xC0, 0xAF] + bytes(#""},"CustomerID":17}"#))
        add(
            "utf8-encoded-surrogate", .invalidUTF8,
            bytes(#"{"Contact":{"LastName":""#) + [0xED, 0xA0, 0x80] + bytes(#""},"CustomerID":17}"#))
        add("utf8-truncated-multibyte-at-end", .invalidUTF8, Array(bytes(#"{"Contact":{"LastName":"€"#).dropLast()))
        add(
            "latin1-name", .invalidUTF8,
            bytes(#"{"Contact":{"FirstName":"Jos"#) + [0xE9] + bytes(#""},"CustomerID":17}"#))
        add("utf16le-with-bom", .invalidUTF8, [0xFF, 0xFE] + valid.utf8.flatMap { [$0, 0] })

        // MARK: not JSON
        add("truncated-half", .invalidJSON, String(valid.prefix(valid.count / 2)))
        add("truncated-open-brace", .invalidJSON, "{")
        add("truncated-before-last-brace", .invalidJSON, String(valid.dropLast()))
        add("trailing-comma", .invalidJSON, event(extra: ","))
        add("single-quotes", .invalidJSON, #"{'Contact':{'FirstName':'Ann'},'CustomerID':17}"#)
        add("unquoted-keys", .invalidJSON, #"{Contact:{FirstName:"Ann"},CustomerID:17}"#)
        add("nan-customer-id", .invalidJSON, event(customer: "NaN"))
        add("leading-zero-customer-id", .invalidJSON, event(customer: "017"))
        add("trailing-garbage", .invalidJSON, valid + " x")
        add("two-documents", .invalidJSON, valid + valid)
        add("raw-newline-in-string", .invalidJSON, event(contact: "\"FirstName\":\"An\nn\""))
        add("invalid-escape", .invalidJSON, event(contact: #""FirstName":"\x41nn""#))
        add("plain-text", .invalidJSON, "hello, contact")
        add("xml", .invalidJSON, "<contact><name>Ann</name></contact>")
        add(
            "deep-nesting-100k", .invalidJSON,
            String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))
        add(
            "deep-nesting-in-ignored-field", .invalidJSON,
            event(
                extra: #","Extra":"# + String(repeating: #"{"a":"#, count: 600) + "1"
                    + String(repeating: "}", count: 600)))

        // MARK: JSON, but not an object
        add("array-of-events", .notAnObject, "[\(valid)]")
        add("json-string", .notAnObject, #""{\"Contact\":{}}""#)
        add("json-null", .notAnObject, "null")
        add("json-number", .notAnObject, "42")

        // MARK: CloudEvents
        add("ce-structured-specversion-0.3", .invalidCloudEvent, #"{"specversion":"0.3","id":"x","data":\#(valid)}"#)
        add("ce-structured-missing-id", .invalidCloudEvent, #"{"specversion":"1.0","source":"/rpm","data":\#(valid)}"#)
        add("ce-structured-data-null", .invalidCloudEvent, structured(#""data":null"#))
        add("ce-structured-data-string", .notAnObject, structured(#""data":"Ann Lee""#))
        add("ce-structured-data-missing-customer", .missingCustomerID, structured(#""data":{"Contact":{\#(contact)}}"#))
        add(
            "ce-structured-data-phone-type-9", .invalidPhoneType,
            structured(#""data":\#(event(contact: phones(#"{"Number":"1","Type":9}"#)))"#))
        add("ce-structured-base64-not-base64", .invalidCloudEvent, structured(#""data_base64":"%%%""#))
        add(
            "ce-structured-base64-invalid-utf8", .invalidUTF8,
            structured(#""data_base64":"\#(Data([0x7B, 0xFF, 0x7D]).base64EncodedString())""#))
        add(
            "ce-structured-base64-truncated-json", .invalidJSON,
            structured(#""data_base64":"\#(Data(valid.utf8.prefix(20)).base64EncodedString())""#))
        add(
            "ce-structured-datacontenttype-xml", .unsupportedContentType,
            structured(#""datacontenttype":"application/xml","data":\#(valid)"#))
        add(
            "ce-content-type-without-envelope", .invalidCloudEvent, valid,
            headers: [("content-type", "application/cloudevents+json")])
        add("ce-binary-missing-ce-id", .invalidCloudEvent, valid, headers: [("ce_specversion", "1.0")])
        add(
            "ce-binary-specversion-2.0", .invalidCloudEvent, valid,
            headers: [("ce_specversion", "2.0"), ("ce_id", "x")])
        add(
            "ce-binary-xml-content-type", .unsupportedContentType, valid,
            headers: binaryHeaders + [("content-type", "application/xml")])
        add(
            "ce-binary-empty-name", .emptyName, event(contact: #""FirstName":"  ","LastName":"""#),
            headers: binaryHeaders)
        add("ce-binary-truncated-json", .invalidJSON, String(valid.prefix(30)), headers: binaryHeaders)
        add("content-type-avro", .unsupportedContentType, valid, headers: [("content-type", "application/avro")])

        // MARK: missing fields, wrong types, out-of-range numbers
        add("missing-contact", .missingContact, #"{"CustomerID":17,"IsPrimary":true}"#)
        add("contact-null", .missingContact, #"{"Contact":null,"CustomerID":17}"#)
        add("missing-customer-id", .missingCustomerID, #"{"Contact":{\#(contact)}}"#)
        add("customer-id-null", .missingCustomerID, event(customer: "null"))
        add("customer-id-text", .invalidCustomerID, event(customer: #""abc""#))
        add("customer-id-negative", .invalidCustomerID, event(customer: "-17"))
        add("customer-id-zero", .invalidCustomerID, event(customer: "0"))
        add("customer-id-fraction", .invalidCustomerID, event(customer: "17.5"))
        add("customer-id-2^63", .invalidCustomerID, event(customer: "9223372036854775808"))
        add("customer-id-1e30", .invalidCustomerID, event(customer: "1e30"))
        add("customer-id-1e400", .invalidCustomerID, event(customer: "1e400"))
        add("customer-id-bool", .invalidCustomerID, event(customer: "true"))
        add("customer-id-array", .invalidCustomerID, event(customer: "[17]"))
        add("contact-array", .invalidFieldType, #"{"Contact":[{\#(contact)}],"CustomerID":17}"#)
        add("first-name-number", .invalidFieldType, event(contact: #""FirstName":42,"LastName":"Lee""#))
        add("email-object", .invalidFieldType, event(contact: #""FirstName":"Ann","Email":{"a":"b"}"#))
        add(
            "phone-numbers-object", .invalidFieldType,
            event(contact: #""FirstName":"Ann","PhoneNumbers":{"Number":"1"}"#))
        add("phone-entry-string", .invalidFieldType, event(contact: phones(#""555-0100""#)))
        add("phone-number-numeric", .invalidFieldType, event(contact: phones(#"{"Number":5550100,"Type":1}"#)))
        add(
            "phone-number-id-1e30", .invalidFieldType,
            event(contact: phones(#"{"Number":"1","PhoneNumberID":1e30,"Type":1}"#)))
        add("phone-type-bool", .invalidFieldType, event(contact: phones(#"{"Number":"1","Type":true}"#)))
        add("is-primary-text", .invalidFieldType, event(extra: #","IsPrimary":"yes""#))

        // MARK: mapping and Komet's limits
        add("unknown-customer", .unknownCustomer, event(customer: "5000"))
        add("names-empty", .emptyName, event(contact: #""Salutation":"","FirstName":"","LastName":"""#))
        add("names-blank", .emptyName, event(contact: #""FirstName":" \t ","LastName":"\n""#))
        add("names-absent", .emptyName, event(contact: #""Email":"ann.lee@example.com""#))
        add("names-unicode-spaces", .emptyName, event(contact: #""FirstName":"\u00A0\u2003","LastName":"\u3000""#))
        add("name-201", .nameTooLong, event(contact: #""FirstName":"\#(String(repeating: "a", count: 201))""#))
        add(
            "name-parts-201", .nameTooLong,
            event(
                contact:
                    #""Salutation":"Dr.","FirstName":"\#(String(repeating: "b", count: 100))","LastName":"\#(String(repeating: "c", count: 96))""#
            ))
        add(
            "title-unregistered-type", .unregisteredContactType,
            event(contact: #""FirstName":"Ann","Title":"Ghost Writer""#))
        add("title-overlong-type", .typeTooLong, event(contact: #""FirstName":"Ann","Title":"overlong role""#))
        add("phone-type-9", .invalidPhoneType, event(contact: phones(#"{"Number":"555-0100","Type":9}"#)))
        add("phone-type-0", .invalidPhoneType, event(contact: phones(#"{"Number":"555-0100","Type":0}"#)))
        add("phone-type-negative", .invalidPhoneType, event(contact: phones(#"{"Number":"555-0100","Type":-1}"#)))
        add("phone-type-2^32+1", .invalidPhoneType, event(contact: phones(#"{"Number":"555-0100","Type":4294967297}"#)))
        add(
            "phone-type-name-pager", .invalidPhoneType, event(contact: phones(#"{"Number":"555-0100","Type":"Pager"}"#))
        )
        add("phone-type-missing", .invalidPhoneType, event(contact: phones(#"{"Number":"555-0100"}"#)))
        add("phone-type-9-empty-number", .invalidPhoneType, event(contact: phones(#"{"Number":" none","Type":9}"#)))
        let five = (1...5).map { #"{"Number":"555-010\#($0)","Type":1}"# }.joined(separator: ",")
        add("five-phone-numbers", .tooManyPhoneNumbers, event(contact: phones(five)))
        let fiveEmpty = (1...5).map { _ in #"{"Number":"","Type":2}"# }.joined(separator: ",")
        add("five-empty-phone-numbers", .tooManyPhoneNumbers, event(contact: phones(fiveEmpty)))
        add(
            "phone-201", .phoneTooLong,
            event(contact: phones(#"{"Number":"\#(String(repeating: "1", count: 201))","Type":1}"#)))
        add(
            "ext-51", .extTooLong,
            event(contact: phones(#"{"Number":"555-0100 x\#(String(repeating: "9", count: 51))","Type":1}"#)))
        add(
            "mobile-51", .mobileTooLong,
            event(contact: phones(#"{"Number":"\#(String(repeating: "2", count: 51))","Type":2}"#)))
        add(
            "other-as-mobile-51", .mobileTooLong,
            event(contact: phones(#"{"Number":"\#(String(repeating: "6", count: 51))","Type":6}"#)))
        add(
            "fax-51", .faxTooLong,
            event(contact: phones(#"{"Number":"\#(String(repeating: "3", count: 51))","Type":3}"#)))
        add("email-no-at", .invalidEmail, event(contact: #""FirstName":"Ann","Email":"ann.example.com""#))
        add("email-two-at", .invalidEmail, event(contact: #""FirstName":"Ann","Email":"ann@lee@example.com""#))
        add("email-space", .invalidEmail, event(contact: #""FirstName":"Ann","Email":"ann lee@example.com""#))
        add("email-dotless-domain", .invalidEmail, event(contact: #""FirstName":"Ann","Email":"ann@localhost""#))
        let email60 = String(repeating: "a", count: 48) + "@example.com"
        add("email-60-chars", .emailTooLong, event(contact: #""FirstName":"Ann","Email":"\#(email60)""#))
        let heavy = String(repeating: "a" + String(repeating: "\u{0301}", count: 2_000), count: 10)
        add("request-over-64KB", .requestTooLarge, event(contact: #""FirstName":"\#(heavy)","Title":"\#(heavy)""#))

        // MARK: keys
        add("no-key-no-ce-id", .missingKey, bytes(valid), keyless: true)
        add("empty-key-no-ce-id", .missingKey, bytes(valid), key: [], keyless: true)
        add("binary-key-bad-json", .invalidJSON, bytes("{\"Contact\":"), key: [0xFF, 0x00, 0xFE, 0x80])
        return cases
    }()
}
