import Foundation

/// The bad-input corpus (issue 3): every way an event can be malformed, each with its expected reason code, in one
/// table for ContactSyncTests and EndToEndTests. ``BadInputCase/runs`` says where each case runs: ``unitCases`` (all but
/// one) in ContactSyncTests, ``endToEndCases`` (a selection, and the one case only the worker can produce) end to end.
///
/// The corpus runs under a configuration that switches on the configuration-dependent checks so that input alone can
/// reach them: a customer id map (`unknown_customer`), a title "Ghost Writer" mapped to an unregistered type
/// (`unregistered_contact_type`; the worker's configuration validation refuses such a map, so end to end this reason
/// is unreachable), a title "Overlong Role" mapped to the 201-character ``overlongType`` (`type_too_long`), and a key
/// order without `requestHash` (`missing_key`). ContactSyncTests holds it as `BadInputCorpus.mapping` and
/// `BadInputCorpus.keyStrategy` (customers 1...1000), EndToEndTests as `BadInputCorpus.workerSettings` (customers
/// 1...1001, where komet-sim knows no 1001: the one end-to-end-only case, `komet_rejected`). Every reason of the
/// decoder, the mapper and the key strategy is reachable this way; the pipeline's other codes (`retries_exhausted`,
/// `ambiguous_outcome`, `internal_error`) come from Komet or the pipeline, not from input, and are not part of the
/// corpus.
public enum BadInputCorpus {
    /// The contact type that "Overlong Role" maps to: one character over Komet's limit.
    public static let overlongType = String(repeating: "T", count: 201)

    /// A valid contact's members.
    public static let contact =
        #""FirstName":"Ann","LastName":"Lee","Email":"ann.lee@example.com","PhoneNumbers":[{"Number":"555-0100","PhoneNumberID":1,"Type":1}]"#

    /// A bare event with the given contact members and CustomerID text.
    public static func event(contact: String = contact, customer: String = "17", extra: String = "") -> String {
        #"{"Contact":{\#(contact)},"CustomerID":\#(customer)\#(extra)}"#
    }

    /// A contact whose phone list is `phones` (JSON array members).
    public static func phones(_ phones: String) -> String {
        #""FirstName":"Ann","LastName":"Lee","PhoneNumbers":[\#(phones)]"#
    }

    /// A structured CloudEvent around `data` (a JSON text) or `extra` members.
    public static func structured(_ members: String) -> String {
        #"{"specversion":"1.0","id":"ce-1","source":"/rpm","type":"contact.created",\#(members)}"#
    }

    public static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// A valid control event; `index` makes its key, name and customer unique enough.
    public static func control(_ index: Int) -> (key: [UInt8], value: [UInt8]) {
        let value =
            #"{"Contact":{"FirstName":"Control","LastName":"N\#(index)","Email":"control.\#(index)@example.com"},"CustomerID":\#(index % 1_000 + 1)}"#
        return (bytes("ctl-\(index)"), bytes(value))
    }

    /// The cases that run in ContactSyncTests, in table order.
    public static let unitCases = cases.filter { $0.runs.contains(.unit) }

    /// The cases that run end to end, in table order.
    public static let endToEndCases = cases.filter { $0.runs.contains(.endToEnd) }

    /// The table. A case's key is `bad-` and its name unless it says otherwise.
    public static let cases: [BadInputCase] = {
        var cases: [BadInputCase] = []
        func add(
            _ name: String, _ reason: String, _ value: [UInt8]?, key: [UInt8]? = nil,
            headers: [(String, String)] = [], keyless: Bool = false, runs: BadInputCase.Runs = .unit
        ) {
            cases.append(
                BadInputCase(
                    name: name, key: keyless ? key : (key ?? bytes("bad-\(name)")), value: value,
                    headers: headers.map { BadInputHeader(key: $0.0, string: $0.1) }, reason: reason, runs: runs))
        }
        func add(
            _ name: String, _ reason: String, _ text: String, headers: [(String, String)] = [],
            runs: BadInputCase.Runs = .unit
        ) {
            add(name, reason, bytes(text), headers: headers, runs: runs)
        }
        let valid = event()
        let binaryHeaders = [("ce_specversion", "1.0"), ("ce_id", "ce-b1"), ("ce_source", "/rpm")]

        // MARK: empty, oversized, not UTF-8
        add("empty-value", "empty_payload", [UInt8](), runs: .everywhere)
        add("tombstone", "empty_payload", nil, runs: .everywhere)
        add(
            "payload-2MiB", "payload_too_large",
            event(contact: #""FirstName":"Big","Title":"\#(String(repeating: "x", count: 2 << 20))""#),
            runs: .everywhere)
        let padding = (1 << 20) + 1 - valid.utf8.count
        add("payload-1MiB-plus-1-byte", "payload_too_large", valid + String(repeating: " ", count: padding))
        add(
            "utf8-invalid-byte-ff", "invalid_utf8",
            bytes(#"{"Contact":{"FirstName":"An"#) + [0xFF] + bytes(#"n"},"CustomerID":17}"#), runs: .everywhere)
        add(
            "utf8-overlong-slash", "invalid_utf8",
            bytes(#"{"Contact":{"FirstName":"A"#) + [0xC0, 0xAF] + bytes(#""},"CustomerID":17}"#), runs: .everywhere)
        add(
            "utf8-encoded-surrogate", "invalid_utf8",
            bytes(#"{"Contact":{"LastName":""#) + [0xED, 0xA0, 0x80] + bytes(#""},"CustomerID":17}"#), runs: .everywhere
        )
        add("utf8-truncated-multibyte-at-end", "invalid_utf8", Array(bytes(#"{"Contact":{"LastName":"€"#).dropLast()))
        add(
            "latin1-name", "invalid_utf8",
            bytes(#"{"Contact":{"FirstName":"Jos"#) + [0xE9] + bytes(#""},"CustomerID":17}"#), runs: .everywhere)
        add("utf16le-with-bom", "invalid_utf8", [0xFF, 0xFE] + valid.utf8.flatMap { [$0, 0] }, runs: .everywhere)

        // MARK: not JSON
        add("truncated-half", "invalid_json", String(valid.prefix(valid.count / 2)), runs: .everywhere)
        add("truncated-open-brace", "invalid_json", "{")
        add("truncated-before-last-brace", "invalid_json", String(valid.dropLast()), runs: .everywhere)
        add("trailing-comma", "invalid_json", event(extra: ","), runs: .everywhere)
        add("single-quotes", "invalid_json", #"{'Contact':{'FirstName':'Ann'},'CustomerID':17}"#, runs: .everywhere)
        add("unquoted-keys", "invalid_json", #"{Contact:{FirstName:"Ann"},CustomerID:17}"#)
        add("nan-customer-id", "invalid_json", event(customer: "NaN"), runs: .everywhere)
        add("leading-zero-customer-id", "invalid_json", event(customer: "017"))
        add("trailing-garbage", "invalid_json", valid + " x", runs: .everywhere)
        add("two-documents", "invalid_json", valid + valid)
        add("raw-newline-in-string", "invalid_json", event(contact: "\"FirstName\":\"An\nn\""), runs: .everywhere)
        add("invalid-escape", "invalid_json", event(contact: #""FirstName":"\x41nn""#))
        add("plain-text", "invalid_json", "hello, contact")
        add("xml", "invalid_json", "<contact><name>Ann</name></contact>")
        add(
            "deep-nesting-100k", "invalid_json",
            String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000), runs: .everywhere)
        add(
            "deep-nesting-in-ignored-field", "invalid_json",
            event(
                extra: #","Extra":"# + String(repeating: #"{"a":"#, count: 600) + "1"
                    + String(repeating: "}", count: 600)), runs: .everywhere)

        // MARK: JSON, but not an object
        add("array-of-events", "not_an_object", "[\(valid)]", runs: .everywhere)
        add("json-string", "not_an_object", #""{\"Contact\":{}}""#)
        add("json-null", "not_an_object", "null", runs: .everywhere)
        add("json-number", "not_an_object", "42")

        // MARK: CloudEvents
        add(
            "ce-structured-specversion-0.3", "invalid_cloudevent", #"{"specversion":"0.3","id":"x","data":\#(valid)}"#,
            runs: .everywhere)
        add(
            "ce-structured-missing-id", "invalid_cloudevent",
            #"{"specversion":"1.0","source":"/rpm","data":\#(valid)}"#, runs: .everywhere)
        add("ce-structured-data-null", "invalid_cloudevent", structured(#""data":null"#))
        add("ce-structured-data-string", "not_an_object", structured(#""data":"Ann Lee""#), runs: .everywhere)
        add(
            "ce-structured-data-missing-customer", "missing_customer_id",
            structured(#""data":{"Contact":{\#(contact)}}"#), runs: .everywhere)
        add(
            "ce-structured-data-phone-type-9", "invalid_phone_type",
            structured(#""data":\#(event(contact: phones(#"{"Number":"1","Type":9}"#)))"#), runs: .everywhere)
        add(
            "ce-structured-base64-not-base64", "invalid_cloudevent", structured(#""data_base64":"%%%""#),
            runs: .everywhere)
        add(
            "ce-structured-base64-invalid-utf8", "invalid_utf8",
            structured(#""data_base64":"\#(Data([0x7B, 0xFF, 0x7D]).base64EncodedString())""#), runs: .everywhere)
        add(
            "ce-structured-base64-truncated-json", "invalid_json",
            structured(#""data_base64":"\#(Data(valid.utf8.prefix(20)).base64EncodedString())""#))
        add(
            "ce-structured-datacontenttype-xml", "unsupported_content_type",
            structured(#""datacontenttype":"application/xml","data":\#(valid)"#))
        add(
            "ce-content-type-without-envelope", "invalid_cloudevent", valid,
            headers: [("content-type", "application/cloudevents+json")])
        add(
            "ce-binary-missing-ce-id", "invalid_cloudevent", valid, headers: [("ce_specversion", "1.0")],
            runs: .everywhere)
        add(
            "ce-binary-specversion-2.0", "invalid_cloudevent", valid,
            headers: [("ce_specversion", "2.0"), ("ce_id", "x")])
        add(
            "ce-binary-xml-content-type", "unsupported_content_type", valid,
            headers: binaryHeaders + [("content-type", "application/xml")], runs: .everywhere)
        add(
            "ce-binary-empty-name", "empty_name", event(contact: #""FirstName":"  ","LastName":"""#),
            headers: binaryHeaders, runs: .everywhere)
        add("ce-binary-truncated-json", "invalid_json", String(valid.prefix(30)), headers: binaryHeaders)
        add(
            "content-type-avro", "unsupported_content_type", valid, headers: [("content-type", "application/avro")],
            runs: .everywhere)

        // MARK: missing fields, wrong types, out-of-range numbers
        add("missing-contact", "missing_contact", #"{"CustomerID":17,"IsPrimary":true}"#, runs: .everywhere)
        add("contact-null", "missing_contact", #"{"Contact":null,"CustomerID":17}"#)
        add("missing-customer-id", "missing_customer_id", #"{"Contact":{\#(contact)}}"#, runs: .everywhere)
        add("customer-id-null", "missing_customer_id", event(customer: "null"))
        add("customer-id-text", "invalid_customer_id", event(customer: #""abc""#), runs: .everywhere)
        add("customer-id-negative", "invalid_customer_id", event(customer: "-17"), runs: .everywhere)
        add("customer-id-zero", "invalid_customer_id", event(customer: "0"))
        add("customer-id-fraction", "invalid_customer_id", event(customer: "17.5"))
        add("customer-id-2^63", "invalid_customer_id", event(customer: "9223372036854775808"), runs: .everywhere)
        add("customer-id-1e30", "invalid_customer_id", event(customer: "1e30"), runs: .everywhere)
        add("customer-id-1e400", "invalid_customer_id", event(customer: "1e400"), runs: .everywhere)
        add("customer-id-bool", "invalid_customer_id", event(customer: "true"))
        add("customer-id-array", "invalid_customer_id", event(customer: "[17]"))
        add("contact-array", "invalid_field_type", #"{"Contact":[{\#(contact)}],"CustomerID":17}"#)
        add(
            "first-name-number", "invalid_field_type", event(contact: #""FirstName":42,"LastName":"Lee""#),
            runs: .everywhere)
        add("email-object", "invalid_field_type", event(contact: #""FirstName":"Ann","Email":{"a":"b"}"#))
        add(
            "phone-numbers-object", "invalid_field_type",
            event(contact: #""FirstName":"Ann","PhoneNumbers":{"Number":"1"}"#), runs: .everywhere)
        add("phone-entry-string", "invalid_field_type", event(contact: phones(#""555-0100""#)))
        add("phone-number-numeric", "invalid_field_type", event(contact: phones(#"{"Number":5550100,"Type":1}"#)))
        add(
            "phone-number-id-1e30", "invalid_field_type",
            event(contact: phones(#"{"Number":"1","PhoneNumberID":1e30,"Type":1}"#)))
        add("phone-type-bool", "invalid_field_type", event(contact: phones(#"{"Number":"1","Type":true}"#)))
        add("is-primary-text", "invalid_field_type", event(extra: #","IsPrimary":"yes""#), runs: .everywhere)

        // MARK: mapping and Komet's limits
        add("unknown-customer", "unknown_customer", event(customer: "5000"), runs: .everywhere)
        add("customer-unknown-to-komet", "komet_rejected", event(customer: "1001"), runs: .endToEnd)
        add(
            "names-empty", "empty_name", event(contact: #""Salutation":"","FirstName":"","LastName":"""#),
            runs: .everywhere)
        add("names-blank", "empty_name", event(contact: #""FirstName":" \t ","LastName":"\n""#), runs: .everywhere)
        add("names-absent", "empty_name", event(contact: #""Email":"ann.lee@example.com""#))
        add("names-unicode-spaces", "empty_name", event(contact: #""FirstName":"\u00A0\u2003","LastName":"\u3000""#))
        add(
            "name-201", "name_too_long", event(contact: #""FirstName":"\#(String(repeating: "a", count: 201))""#),
            runs: .everywhere)
        add(
            "name-parts-201", "name_too_long",
            event(
                contact:
                    #""Salutation":"Dr.","FirstName":"\#(String(repeating: "b", count: 100))","LastName":"\#(String(repeating: "c", count: 96))""#
            ))
        add(
            "title-unregistered-type", "unregistered_contact_type",
            event(contact: #""FirstName":"Ann","Title":"Ghost Writer""#))
        add(
            "title-overlong-type", "type_too_long", event(contact: #""FirstName":"Ann","Title":"overlong role""#),
            runs: .everywhere)
        add(
            "phone-type-9", "invalid_phone_type", event(contact: phones(#"{"Number":"555-0100","Type":9}"#)),
            runs: .everywhere)
        add("phone-type-0", "invalid_phone_type", event(contact: phones(#"{"Number":"555-0100","Type":0}"#)))
        add("phone-type-negative", "invalid_phone_type", event(contact: phones(#"{"Number":"555-0100","Type":-1}"#)))
        add(
            "phone-type-2^32+1", "invalid_phone_type",
            event(contact: phones(#"{"Number":"555-0100","Type":4294967297}"#)))
        add(
            "phone-type-name-pager", "invalid_phone_type",
            event(contact: phones(#"{"Number":"555-0100","Type":"Pager"}"#)), runs: .everywhere)
        add(
            "phone-type-missing", "invalid_phone_type", event(contact: phones(#"{"Number":"555-0100"}"#)),
            runs: .everywhere)
        add("phone-type-9-empty-number", "invalid_phone_type", event(contact: phones(#"{"Number":" none","Type":9}"#)))
        let five = (1...5).map { #"{"Number":"555-010\#($0)","Type":1}"# }.joined(separator: ",")
        add("five-phone-numbers", "too_many_phone_numbers", event(contact: phones(five)), runs: .everywhere)
        let fiveEmpty = (1...5).map { _ in #"{"Number":"","Type":2}"# }.joined(separator: ",")
        add("five-empty-phone-numbers", "too_many_phone_numbers", event(contact: phones(fiveEmpty)))
        add(
            "phone-201", "phone_too_long",
            event(contact: phones(#"{"Number":"\#(String(repeating: "1", count: 201))","Type":1}"#)), runs: .everywhere)
        add(
            "ext-51", "ext_too_long",
            event(contact: phones(#"{"Number":"555-0100 x\#(String(repeating: "9", count: 51))","Type":1}"#)),
            runs: .everywhere)
        add(
            "mobile-51", "mobile_too_long",
            event(contact: phones(#"{"Number":"\#(String(repeating: "2", count: 51))","Type":2}"#)), runs: .everywhere)
        add(
            "other-as-mobile-51", "mobile_too_long",
            event(contact: phones(#"{"Number":"\#(String(repeating: "6", count: 51))","Type":6}"#)))
        add(
            "fax-51", "fax_too_long",
            event(contact: phones(#"{"Number":"\#(String(repeating: "3", count: 51))","Type":3}"#)), runs: .everywhere)
        add(
            "email-no-at", "invalid_email", event(contact: #""FirstName":"Ann","Email":"ann.example.com""#),
            runs: .everywhere)
        add("email-two-at", "invalid_email", event(contact: #""FirstName":"Ann","Email":"ann@lee@example.com""#))
        add(
            "email-space", "invalid_email", event(contact: #""FirstName":"Ann","Email":"ann lee@example.com""#),
            runs: .everywhere)
        add("email-dotless-domain", "invalid_email", event(contact: #""FirstName":"Ann","Email":"ann@localhost""#))
        let email60 = String(repeating: "a", count: 48) + "@example.com"
        add(
            "email-60-chars", "email_too_long", event(contact: #""FirstName":"Ann","Email":"\#(email60)""#),
            runs: .everywhere)
        let heavy = String(repeating: "a" + String(repeating: "\u{0301}", count: 2_000), count: 10)
        add(
            "request-over-64KB", "request_too_large", event(contact: #""FirstName":"\#(heavy)","Title":"\#(heavy)""#),
            runs: .everywhere)

        // MARK: keys
        add("no-key-no-ce-id", "missing_key", bytes(valid), keyless: true, runs: .everywhere)
        add("empty-key-no-ce-id", "missing_key", bytes(valid), key: [], keyless: true)
        add(
            "binary-key-bad-json", "invalid_json", bytes("{\"Contact\":"), key: [0xFF, 0x00, 0xFE, 0x80],
            runs: .everywhere)
        return cases
    }()
}
