import ContactSync
import Foundation
import Kafka
import Testing

@Suite("ContactEventDecoder")
struct DecoderTests {
    let decoder = ContactEventDecoder()

    func decode(_ json: String, headers: [KafkaHeader] = []) throws(BadEvent) -> DecodedEvent {
        try decoder.decode(value: Fixture.bytes(json), headers: headers)
    }

    @Test("a bare payload decodes every field")
    func barePayload() throws {
        let json = #"""
            {"Contact": {"Email": "joe@example.com", "FirstName": "Joe", "LastName": "Smith", "Salutation": "Mr.",
              "Title": "Buyer", "PhoneNumbers": [{"Number": "594-123-0982", "PhoneNumberID": 7, "Type": 1},
              {"Number": " none", "Type": 2}]},
             "CustomerID": 6326, "IsPrimary": true}
            """#
        let decoded = try decode(json)
        #expect(decoded.cloudEventID == nil)
        let expected = CustomerContactAdd(
            contact: SourceContact(
                email: "joe@example.com", firstName: "Joe", lastName: "Smith", salutation: "Mr.", title: "Buyer",
                phoneNumbers: [
                    SourcePhoneNumber(number: "594-123-0982", phoneNumberID: 7, type: 1),
                    SourcePhoneNumber(number: " none", phoneNumberID: nil, type: 2),
                ]),
            customerID: 6326,
            isPrimary: true)
        #expect(decoded.payload == expected)
    }

    @Test("unknown fields are ignored, nulls are absent, member names match ignoring case")
    func lenient() throws {
        let json = #"""
            {"Contact": {"firstName": "Ann", "LastName": null, "Nickname": "x", "PhoneNumbers": null,
              "Extra": {"deep": [1, 2, {"a": true}]}},
             "customerId": 12, "IsPrimary": null, "Source": "RPM", "Version": 3.5}
            """#
        let decoded = try decode(json)
        #expect(decoded.payload == Fixture.event(firstName: "Ann", lastName: nil, customerID: 12))
    }

    @Test("CustomerID as a string of digits is accepted; 1.0 is an integer")
    func customerIDForms() throws {
        #expect(try decode(#"{"Contact": {}, "CustomerID": "6326"}"#).payload.customerID == 6326)
        #expect(try decode(#"{"Contact": {}, "CustomerID": 7.0}"#).payload.customerID == 7)
        #expect(try decode(#"{"Contact": {}, "CustomerID": 9223372036854775807}"#).payload.customerID == .max)
    }

    @Test(
        "bad CustomerID values are invalid_customer_id",
        arguments: [
            #""abc""#, "1.5", "-3", "0", "9223372036854775808", "1e30", "true", #""""#, #"" 12""#, "[1]",
            #""99999999999999999999""#,
        ])
    func invalidCustomerID(_ value: String) {
        expectBadEvent(.invalidCustomerID, naming: "CustomerID") {
            try decode(#"{"Contact": {}, "CustomerID": \#(value)}"#)
        }
    }

    @Test("CustomerID \"abc\" says it expected an integer")
    func customerIDMessage() {
        expectBadEvent(.invalidCustomerID, naming: "CustomerID: expected an integer") {
            try decode(#"{"Contact": {}, "CustomerID": "abc"}"#)
        }
    }

    @Test("phone Type accepts integers, digit strings and RPM's enum names")
    func phoneTypeForms() throws {
        let json = Fixture.payload(
            contact:
                #""PhoneNumbers": [{"Number": "1", "Type": "3"}, {"Number": "2", "Type": "business"}, {"Number": "3", "Type": 9}]"#
        )
        let phones = try decode(json).payload.contact.phoneNumbers
        #expect(phones.map(\.type) == [3, 1, 9])
    }

    // MARK: one test per decoding reason code

    @Test("empty_payload: nil and empty values")
    func emptyPayload() {
        expectBadEvent(.emptyPayload, naming: "value") { try decoder.decode(value: nil, headers: []) }
        expectBadEvent(.emptyPayload, naming: "value") { try decoder.decode(value: [], headers: []) }
    }

    @Test("payload_too_large is checked before parsing, at the exact limit")
    func payloadTooLarge() throws {
        let json = Fixture.payload()
        let exact = ContactEventDecoder(maxPayloadBytes: json.utf8.count)
        #expect(try exact.decode(value: Fixture.bytes(json), headers: []).payload.customerID == 6326)
        let small = ContactEventDecoder(maxPayloadBytes: json.utf8.count - 1)
        expectBadEvent(.payloadTooLarge, naming: "value") { try small.decode(value: Fixture.bytes(json), headers: []) }
        // Not JSON at all: the size check comes first.
        expectBadEvent(.payloadTooLarge, naming: "value") {
            try small.decode(value: Array(repeating: 0xFF, count: json.utf8.count), headers: [])
        }
    }

    @Test("invalid_utf8")
    func invalidUTF8() {
        expectBadEvent(.invalidUTF8, naming: "value") {
            try decoder.decode(value: [0x7B, 0xFF, 0xFE, 0x7D], headers: [])
        }
    }

    @Test("invalid_json", arguments: ["{", "{\"Contact\": }", "nope", "{} trailing", "{\"a\": 01}"])
    func invalidJSON(_ text: String) {
        expectBadEvent(.invalidJSON, naming: "value") { try decode(text) }
    }

    @Test("deep nesting is refused, not a crash")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        expectBadEvent(.invalidJSON, naming: "value") { try decode(deep) }
        let deepObject =
            #"{"Contact": {}, "CustomerID": 1, "X": "# + String(repeating: #"{"a":"#, count: 5_000) + "1"
            + String(repeating: "}", count: 5_001)
        expectBadEvent(.invalidJSON, naming: "value") { try decode(deepObject) }
    }

    @Test("not_an_object", arguments: ["[1, 2]", "\"text\"", "42", "null", "true"])
    func notAnObject(_ text: String) {
        expectBadEvent(.notAnObject, naming: "value") { try decode(text) }
    }

    @Test("missing_contact")
    func missingContact() {
        expectBadEvent(.missingContact, naming: "Contact") { try decode(#"{"CustomerID": 1}"#) }
        expectBadEvent(.missingContact, naming: "Contact") { try decode(#"{"Contact": null, "CustomerID": 1}"#) }
    }

    @Test("missing_customer_id")
    func missingCustomerID() {
        expectBadEvent(.missingCustomerID, naming: "CustomerID") { try decode(#"{"Contact": {}}"#) }
        expectBadEvent(.missingCustomerID, naming: "CustomerID") { try decode(#"{"Contact": {}, "CustomerID": null}"#) }
    }

    @Test(
        "invalid_field_type names the field",
        arguments: [
            (#""Contact": 5, "CustomerID": 1"#, "Contact: expected an object"),
            (#""Contact": {"FirstName": 5}, "CustomerID": 1"#, "Contact.FirstName: expected a string"),
            (#""Contact": {"LastName": true}, "CustomerID": 1"#, "Contact.LastName: expected a string"),
            (#""Contact": {"Email": ["a"]}, "CustomerID": 1"#, "Contact.Email: expected a string"),
            (#""Contact": {"Salutation": {}}, "CustomerID": 1"#, "Contact.Salutation"),
            (#""Contact": {"Title": 1.5}, "CustomerID": 1"#, "Contact.Title"),
            (#""Contact": {"PhoneNumbers": {}}, "CustomerID": 1"#, "Contact.PhoneNumbers: expected an array"),
            (
                #""Contact": {"PhoneNumbers": [{"Type": 1}, 7]}, "CustomerID": 1"#,
                "Contact.PhoneNumbers[1]: expected an object"
            ),
            (
                #""Contact": {"PhoneNumbers": [{"Number": 5551234, "Type": 1}]}, "CustomerID": 1"#,
                "Contact.PhoneNumbers[0].Number"
            ),
            (
                #""Contact": {"PhoneNumbers": [{"Number": "1", "Type": 1.5}]}, "CustomerID": 1"#,
                "Contact.PhoneNumbers[0].Type"
            ),
            (
                #""Contact": {"PhoneNumbers": [{"Number": "1", "PhoneNumberID": "x", "Type": 1}]}, "CustomerID": 1"#,
                "Contact.PhoneNumbers[0].PhoneNumberID"
            ),
            (#""Contact": {}, "CustomerID": 1, "IsPrimary": "yes""#, "IsPrimary: expected a boolean"),
        ])
    func invalidFieldType(_ members: String, _ field: String) {
        expectBadEvent(.invalidFieldType, naming: field) { try decode("{\(members)}") }
    }

    @Test("a phone entry without Type, or with an unknown type name, is invalid_phone_type")
    func phoneTypeMissing() {
        expectBadEvent(.invalidPhoneType, naming: "Contact.PhoneNumbers[0].Type") {
            try decode(Fixture.payload(contact: #""PhoneNumbers": [{"Number": "1"}]"#))
        }
        expectBadEvent(.invalidPhoneType, naming: "Contact.PhoneNumbers[0].Type") {
            try decode(Fixture.payload(contact: #""PhoneNumbers": [{"Number": "1", "Type": "Pager"}]"#))
        }
    }

    // MARK: CloudEvents

    @Test("structured mode by content type, with data")
    func structuredByContentType() throws {
        let json =
            #"{"specversion": "1.0", "id": "ev-1", "source": "/rpm", "type": "contact.created", "data": \#(Fixture.payload())}"#
        let decoded = try decode(
            json, headers: [KafkaHeader(key: "content-type", string: "application/cloudevents+json; charset=utf-8")])
        #expect(decoded.cloudEventID == "ev-1")
        #expect(decoded.payload == Fixture.event())
    }

    @Test("structured mode recognised by shape, without a content type")
    func structuredByShape() throws {
        let json =
            #"{"specversion": "1.0", "id": "ev-2", "source": "/rpm", "type": "t", "datacontenttype": "application/json", "data": \#(Fixture.payload())}"#
        let decoded = try decode(json)
        #expect(decoded.cloudEventID == "ev-2")
        #expect(decoded.payload.customerID == 6326)
    }

    @Test("structured mode with data_base64")
    func structuredBase64() throws {
        let base64 = Data(Fixture.payload().utf8).base64EncodedString()
        let json = #"{"specversion": "1.0", "id": "ev-3", "source": "/rpm", "type": "t", "data_base64": "\#(base64)"}"#
        let decoded = try decode(json)
        #expect(decoded.cloudEventID == "ev-3")
        #expect(decoded.payload == Fixture.event())
    }

    @Test("binary mode: ce_ headers, the value is the payload")
    func binaryMode() throws {
        let headers = [
            KafkaHeader(key: "ce_specversion", string: "1.0"), KafkaHeader(key: "ce_id", string: "ev-4"),
            KafkaHeader(key: "ce_source", string: "/rpm"), KafkaHeader(key: "ce_type", string: "contact.created"),
            KafkaHeader(key: "content-type", string: "application/json"),
        ]
        let decoded = try decode(Fixture.payload(), headers: headers)
        #expect(decoded.cloudEventID == "ev-4")
        #expect(decoded.payload == Fixture.event())
    }

    @Test(
        "invalid_cloudevent",
        arguments: [
            (#"{"specversion": "0.3", "id": "a", "data": {}}"#, [KafkaHeader](), "specversion"),
            (#"{"specversion": "1.0", "data": {}}"#, [], "id"),
            (#"{"specversion": "1.0", "id": "", "data": {}}"#, [], "id"),
            (#"{"specversion": "1.0", "id": "a", "data_base64": "!!!"}"#, [], "data_base64"),
            (
                #"{"Contact": {}, "CustomerID": 1}"#,
                [KafkaHeader(key: "content-type", string: "application/cloudevents+json")], "specversion"
            ),
            (
                #"{"specversion": "1.0", "id": "a"}"#,
                [KafkaHeader(key: "content-type", string: "application/cloudevents+json")], "data"
            ),
            (Fixture.payload(), [KafkaHeader(key: "ce_specversion", string: "1.0")], "ce_id"),
            (
                Fixture.payload(),
                [KafkaHeader(key: "ce_specversion", string: "2.0"), KafkaHeader(key: "ce_id", string: "x")],
                "ce_specversion"
            ),
        ])
    func invalidCloudEvent(_ json: String, _ headers: [KafkaHeader], _ field: String) {
        expectBadEvent(.invalidCloudEvent, naming: field) { try decode(json, headers: headers) }
    }

    @Test("structured data that is not an object is not_an_object")
    func structuredDataNotObject() {
        expectBadEvent(.notAnObject, naming: "data") {
            try decode(#"{"specversion": "1.0", "id": "a", "data": "text"}"#)
        }
        let base64 = Data("[1]".utf8).base64EncodedString()
        expectBadEvent(.notAnObject, naming: "data_base64") {
            try decode(#"{"specversion": "1.0", "id": "a", "data_base64": "\#(base64)"}"#)
        }
    }

    @Test(
        "unsupported_content_type",
        arguments: [
            ([KafkaHeader(key: "content-type", string: "application/avro")], Fixture.payload(), "content-type"),
            ([KafkaHeader(key: "Content-Type", string: "text/plain")], Fixture.payload(), "content-type"),
            ([KafkaHeader(key: "content-type", string: "application/cloudevents-batch+json")], "[]", "content-type"),
            (
                [
                    KafkaHeader(key: "ce_specversion", string: "1.0"), KafkaHeader(key: "ce_id", string: "x"),
                    KafkaHeader(key: "content-type", string: "application/xml"),
                ], Fixture.payload(), "content-type"
            ),
            (
                [], #"{"specversion": "1.0", "id": "a", "datacontenttype": "application/xml", "data": {}}"#,
                "datacontenttype"
            ),
        ])
    func unsupportedContentType(_ headers: [KafkaHeader], _ json: String, _ field: String) {
        expectBadEvent(.unsupportedContentType, naming: field) { try decode(json, headers: headers) }
    }

    @Test("JSON content types with parameters and +json suffixes are accepted")
    func jsonContentTypes() throws {
        for type in ["application/json", "application/json; charset=utf-8", "text/json", "application/vnd.rpm+json"] {
            let decoded = try decode(Fixture.payload(), headers: [KafkaHeader(key: "content-type", string: type)])
            #expect(decoded.payload.customerID == 6326)
        }
    }
}
