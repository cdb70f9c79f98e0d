import Foundation
import Testing

@testable import KometClient

@Suite("Lenient decoding of Komet answers")
struct LenientDecodingTests {
    private struct Wrapper: Decodable {
        var status: KometResponseStatus
    }

    private func status(_ json: String) throws -> KometResponseStatus {
        try JSONDecoder().decode(Wrapper.self, from: Data("{\"status\": \(json)}".utf8)).status
    }

    @Test("status 1, \"1\" and true mean success", arguments: ["1", "\"1\"", "true", "\" 1 \""])
    func successValues(json: String) throws {
        #expect(try status(json) == .success)
    }

    @Test("status 0, \"0\" and false mean failure", arguments: ["0", "\"0\"", "false"])
    func failureValues(json: String) throws {
        #expect(try status(json) == .failure)
    }

    @Test("anything else is not a status", arguments: ["2", "-1", "1.5", "\"yes\"", "\"\"", "null", "{}", "[1]"])
    func garbageValues(json: String) {
        #expect(throws: DecodingError.self) { try status(json) }
    }

    @Test("a listed contact's id may be a number or a string; emailPOD may be 0/1 or a string")
    func lenientContact() throws {
        let json = """
            {"contacts": [
              {"id": 42, "name": "A", "emailPOD": true},
              {"id": "43", "name": "B", "email": null, "emailPOD": "0"},
              {"id": " 44 ", "type": "Buyer", "emailPOD": 1}
            ]}
            """
        let body = try JSONDecoder().decode(KometListResponseBody.self, from: Data(json.utf8))
        let contacts = (body.contacts ?? []).map(\.contact)
        #expect(contacts.map(\.id) == [42, 43, 44])
        #expect(contacts.map(\.emailPOD) == [true, false, true])
        #expect(contacts[1].email == nil)
        #expect(contacts[2].type == "Buyer")
    }

    @Test("a contact id that is not a number fails", arguments: ["\"abc\"", "null", "1.5", "\"\""])
    func badContactId(json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(LenientKometContact.self, from: Data("{\"id\": \(json)}".utf8))
        }
    }

    @Test("an add answer's contactId may be a number or a string")
    func addContactId() throws {
        let number = try JSONDecoder().decode(KometAddResponseBody.self, from: Data(#"{"contactId": 4535434}"#.utf8))
        let text = try JSONDecoder().decode(KometAddResponseBody.self, from: Data(#"{"contactId": "4535434"}"#.utf8))
        #expect(number.contactId.value == 4_535_434)
        #expect(text.contactId.value == 4_535_434)
    }

    @Test("Retry-After as seconds or as an HTTP date")
    func retryAfter() {
        #expect(RetryAfter.parse("7") == .seconds(7))
        #expect(RetryAfter.parse(" 0 ") == .seconds(0))
        #expect(RetryAfter.parse("-3") == nil)
        #expect(RetryAfter.parse("soon") == nil)
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:50:07 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:40:00 GMT", now: now) == .zero)
    }

    @Test("the add body carries the request's fields and the token, and leaves out nil fields")
    func addBody() throws {
        let data = Data(sampleRequest.addBody(token: "t0k"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["authenticationToken"] as? String == "t0k")
        #expect(object["customerId"] as? Int == 17)
        #expect(object["name"] as? String == "Joe Smith")
        #expect(object["ext"] as? String == "345")
        #expect(object["mobile"] == nil)
        #expect(object.count == 8)
    }
}
