import Foundation
import SyncTestSupport

/// One input record of the bad-input run and what must become of it.
struct BadInputRecord {
    enum Expectation: Equatable {
        /// A dead letter with this `komet-sync.reason`, key and value untouched.
        case deadLetter(String)
        /// A success record with status `created`.
        case created
        /// Exactly one outcome of any kind (a fuzz mutant).
        case anyOutcome
    }

    var name: String
    var key: [UInt8]?
    var value: [UInt8]?
    var headers: [(String, [UInt8]?)]
    var expectation: Expectation
}

extension BadInputRecord {
    /// The seeded mutant number `index`: any one outcome.
    init(mutant: FuzzRecord, index: Int) {
        self.init(
            name: "mutant-\(index) [\(mutant.mutations.joined(separator: "; "))]", key: mutant.key, value: mutant.value,
            headers: mutant.headers.map { ($0.key, $0.value) }, expectation: .anyOutcome)
    }
}

/// The end-to-end bad-input corpus (a smaller table than the unit corpus, which this target cannot share). The
/// worker runs with ``workerSettings``: a customer id map (1...1000, and 1001, which the simulator does not know), a
/// registered 201-character type mapped from the title "Overlong Role", and a key order without `requestHash`, so that
/// `unknown_customer`, `komet_rejected`, `type_too_long` and `missing_key` come from input. `unregistered_contact_type`
/// cannot: the worker refuses, at start-up, a title map to an unregistered type.
enum BadInputCorpus {
    static let overlongType = String(repeating: "T", count: 201)

    /// Extra worker settings by section (merged into the configuration file).
    static var workerSettings: [String: [String: String]] {
        [
            "kafka": ["message.max.bytes": "8388608"],
            "mapping": [
                "customerIdMap": ((1...1_001).map { "\($0)=\($0)" }).joined(separator: ","),
                "registeredContactTypes": "None,Buyer,A/P,\(overlongType)",
                "contactTypeByTitle": "Overlong Role=\(overlongType)",
            ],
            "dedupe": ["keyOrder": "messageKey,cloudEventID"],
        ]
    }

    /// Every reason the worker may publish for a bad event or a Komet refusal.
    static let knownReasons: Set<String> = [
        "empty_payload", "payload_too_large", "invalid_utf8", "invalid_json", "not_an_object", "invalid_cloudevent",
        "unsupported_content_type", "missing_contact", "missing_customer_id", "invalid_customer_id",
        "invalid_field_type", "unknown_customer", "empty_name", "name_too_long", "type_too_long",
        "unregistered_contact_type", "invalid_phone_type", "too_many_phone_numbers", "phone_too_long", "ext_too_long",
        "mobile_too_long", "fax_too_long", "invalid_email", "email_too_long", "request_too_large", "missing_key",
        "komet_rejected",
    ]

    static let contact =
        #""FirstName":"Ann","LastName":"Lee","Email":"ann.lee@example.com","PhoneNumbers":[{"Number":"555-0100","PhoneNumberID":1,"Type":1}]"#

    static func event(contact: String = contact, customer: String = "17", extra: String = "") -> String {
        #"{"Contact":{\#(contact)},"CustomerID":\#(customer)\#(extra)}"#
    }

    static func phones(_ list: String) -> String { #""FirstName":"Ann","PhoneNumbers":[\#(list)]"# }

    static func structured(_ members: String) -> String {
        #"{"specversion":"1.0","id":"ce-s","source":"/rpm","type":"contact.created",\#(members)}"#
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// A valid event that must be created.
    static func control(_ index: Int) -> BadInputRecord {
        let value =
            #"{"Contact":{"FirstName":"Control","LastName":"N\#(index)","Email":"c\#(index)@example.com"},"CustomerID":\#(index % 1_000 + 1)}"#
        return BadInputRecord(
            name: "control-\(index)", key: bytes("ctl-\(index)"), value: bytes(value), headers: [],
            expectation: .created)
    }

    static let cases: [BadInputRecord] = {
        var cases: [BadInputRecord] = []
        func add(
            _ name: String, _ reason: String, _ value: [UInt8]?, key: [UInt8]?? = .none,
            headers: [(String, String)] = []
        ) {
            cases.append(
                BadInputRecord(
                    name: name, key: key ?? bytes("bad-\(name)"), value: value,
                    headers: headers.map { ($0.0, Array($0.1.utf8)) }, expectation: .deadLetter(reason)))
        }
        func add(_ name: String, _ reason: String, _ text: String, headers: [(String, String)] = []) {
            add(name, reason, bytes(text), headers: headers)
        }
        let valid = event()
        let binary = [("ce_specversion", "1.0"), ("ce_id", "ce-b"), ("ce_source", "/rpm")]

        add("empty-value", "empty_payload", [UInt8]())
        add("tombstone", "empty_payload", nil)
        add(
            "payload-2MiB", "payload_too_large",
            event(contact: #""FirstName":"Big","Title":"\#(String(repeating: "x", count: 2 << 20))""#))
        add(
            "utf8-ff", "invalid_utf8", bytes(#"{"Contact":{"FirstName":"An"#) + [0xFF] + bytes(#"n"},"CustomerID":17}"#)
        )
        add(
            "utf8-overlong", "invalid_utf8",
            bytes(#"{"Contact":{"FirstName":"A"#) + [0xC0, 0xAF] + bytes(#""},"CustomerID":17}"#))
        add(
            "utf8-surrogate", "invalid_utf8",
            bytes(#"{"Contact":{"LastName":""#) + [0xED, 0xA0, 0x80] + bytes(#""},"CustomerID":17}"#))
        add(
            "latin1-name", "invalid_utf8",
            bytes(#"{"Contact":{"FirstName":"Jos"#) + [0xE9] + bytes(#""},"CustomerID":17}"#))
        add("utf16le", "invalid_utf8", [0xFF, 0xFE] + valid.utf8.flatMap { [$0, 0] })
        add("truncated-half", "invalid_json", String(valid.prefix(valid.count / 2)))
        add("truncated-last-brace", "invalid_json", String(valid.dropLast()))
        add("trailing-comma", "invalid_json", event(extra: ","))
        add("single-quotes", "invalid_json", #"{'Contact':{'FirstName':'Ann'},'CustomerID':17}"#)
        add("nan", "invalid_json", event(customer: "NaN"))
        add("trailing-garbage", "invalid_json", valid + " x")
        add("raw-newline", "invalid_json", event(contact: "\"FirstName\":\"An\nn\""))
        add(
            "deep-nesting", "invalid_json",
            String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000))
        add(
            "deep-ignored-field", "invalid_json",
            event(extra: #","X":"# + String(repeating: "[", count: 600) + String(repeating: "]", count: 600)))
        add("array", "not_an_object", "[\(valid)]")
        add("json-null", "not_an_object", "null")
        add("ce-specversion-0.3", "invalid_cloudevent", #"{"specversion":"0.3","id":"x","data":\#(valid)}"#)
        add("ce-missing-id", "invalid_cloudevent", #"{"specversion":"1.0","data":\#(valid)}"#)
        add("ce-data-string", "not_an_object", structured(#""data":"Ann""#))
        add("ce-data-no-customer", "missing_customer_id", structured(#""data":{"Contact":{\#(contact)}}"#))
        add(
            "ce-data-phone-type-9", "invalid_phone_type",
            structured(#""data":\#(event(contact: phones(#"{"Number":"1","Type":9}"#)))"#))
        add("ce-base64-garbage", "invalid_cloudevent", structured(#""data_base64":"%%%""#))
        add(
            "ce-base64-invalid-utf8", "invalid_utf8",
            structured(#""data_base64":"\#(Data([0x7B, 0xFF, 0x7D]).base64EncodedString())""#))
        add("ce-binary-no-id", "invalid_cloudevent", valid, headers: [("ce_specversion", "1.0")])
        add("ce-binary-xml", "unsupported_content_type", valid, headers: binary + [("content-type", "application/xml")])
        add("ce-binary-empty-name", "empty_name", event(contact: #""FirstName":" ","LastName":"""#), headers: binary)
        add("content-type-avro", "unsupported_content_type", valid, headers: [("content-type", "application/avro")])
        add("missing-contact", "missing_contact", #"{"CustomerID":17}"#)
        add("missing-customer-id", "missing_customer_id", #"{"Contact":{\#(contact)}}"#)
        add("customer-id-text", "invalid_customer_id", event(customer: #""abc""#))
        add("customer-id-negative", "invalid_customer_id", event(customer: "-17"))
        add("customer-id-2^63", "invalid_customer_id", event(customer: "9223372036854775808"))
        add("customer-id-1e30", "invalid_customer_id", event(customer: "1e30"))
        add("customer-id-1e400", "invalid_customer_id", event(customer: "1e400"))
        add("first-name-number", "invalid_field_type", event(contact: #""FirstName":42"#))
        add("phone-numbers-object", "invalid_field_type", event(contact: #""FirstName":"Ann","PhoneNumbers":{}"#))
        add("is-primary-text", "invalid_field_type", event(extra: #","IsPrimary":"yes""#))
        add("unknown-customer", "unknown_customer", event(customer: "5000"))
        add("customer-unknown-to-komet", "komet_rejected", event(customer: "1001"))
        add("names-empty", "empty_name", event(contact: #""FirstName":"","LastName":"""#))
        add("names-blank", "empty_name", event(contact: #""FirstName":" \t ","LastName":"\u00A0""#))
        add("name-201", "name_too_long", event(contact: #""FirstName":"\#(String(repeating: "a", count: 201))""#))
        add("title-overlong-type", "type_too_long", event(contact: #""FirstName":"Ann","Title":"Overlong Role""#))
        add("phone-type-9", "invalid_phone_type", event(contact: phones(#"{"Number":"555-0100","Type":9}"#)))
        add("phone-type-pager", "invalid_phone_type", event(contact: phones(#"{"Number":"555-0100","Type":"Pager"}"#)))
        add("phone-type-missing", "invalid_phone_type", event(contact: phones(#"{"Number":"555-0100"}"#)))
        let five = (1...5).map { #"{"Number":"555-010\#($0)","Type":2}"# }.joined(separator: ",")
        add("five-phone-numbers", "too_many_phone_numbers", event(contact: phones(five)))
        add(
            "phone-201", "phone_too_long",
            event(contact: phones(#"{"Number":"\#(String(repeating: "1", count: 201))","Type":1}"#)))
        add(
            "ext-51", "ext_too_long",
            event(contact: phones(#"{"Number":"555 x\#(String(repeating: "9", count: 51))","Type":1}"#)))
        add(
            "mobile-51", "mobile_too_long",
            event(contact: phones(#"{"Number":"\#(String(repeating: "2", count: 51))","Type":2}"#)))
        add(
            "fax-51", "fax_too_long",
            event(contact: phones(#"{"Number":"\#(String(repeating: "3", count: 51))","Type":3}"#)))
        add("email-no-at", "invalid_email", event(contact: #""FirstName":"Ann","Email":"ann.example.com""#))
        add("email-space", "invalid_email", event(contact: #""FirstName":"Ann","Email":"ann lee@example.com""#))
        add(
            "email-60", "email_too_long",
            event(contact: #""FirstName":"Ann","Email":"\#(String(repeating: "a", count: 48))@example.com""#))
        let heavy = String(repeating: "a" + String(repeating: "\u{0301}", count: 2_000), count: 10)
        add("request-over-64KB", "request_too_large", event(contact: #""FirstName":"\#(heavy)","Title":"\#(heavy)""#))
        add("no-key", "missing_key", bytes(valid), key: .some(nil))
        add("binary-key-bad-json", "invalid_json", bytes("{\"Contact\":"), key: [0xFF, 0x00, 0xFE, 0x80])
        return cases
    }()
}
