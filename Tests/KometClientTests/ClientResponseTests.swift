import Foundation
import Hummingbird
import KometClient
import Testing

/// The client against a stub server that answers whatever a test needs: every answer lands in one class.
@Suite("KometClient classification of Komet's answers")
struct ClientResponseTests {
    private func addError(
        _ stub: StubKomet,
        configuration: KometClientConfiguration = KometClientConfiguration()
    ) async throws -> KometError {
        try await stub.with(configuration: configuration) { client in
            try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(sampleRequest, logger: testLogger)
                })
        }
    }

    private func listError(_ stub: StubKomet) async throws -> KometError {
        try await stub.with { client in
            try #require(
                await kometError { () async throws(KometError) in
                    try await client.listContacts(customerId: 17, logger: testLogger)
                })
        }
    }

    @Test(
        "HTTP statuses map to their class",
        arguments: [
            (401, KometFailureClass.systemic), (403, .systemic), (429, .throttled), (408, .transient),
            (500, .transient), (502, .transient), (503, .transient), (400, .rejected), (404, .rejected),
            (413, .rejected), (302, .systemic),
        ]
    )
    func httpStatuses(status: Int, expected: KometFailureClass) async throws {
        let stub = StubKomet { _ in
            StubKomet.answer(.init(code: status), #"{"status": 0, "message": "nope"}"#)
        }
        let error = try await addError(stub)
        #expect(error.failureClass == expected)
        #expect(error.code == .http(status: status))
        #expect(error.httpStatus == status)
        #expect(error.message.contains("nope"))
        #expect(stub.requests.count == 1)
    }

    @Test("Retry-After given as an HTTP date")
    func retryAfterDate() async throws {
        let stub = StubKomet { _ in
            let date = Date().addingTimeInterval(120)
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            return StubKomet.answer(.tooManyRequests, "", headers: [.retryAfter: formatter.string(from: date)])
        }
        let error = try await addError(stub)
        #expect(error.failureClass == .throttled)
        let retryAfter = try #require(error.retryAfter)
        #expect(retryAfter > .seconds(100) && retryAfter <= .seconds(121))
    }

    @Test(
        "status 0 messages: systemic and throttled patterns, else rejected",
        arguments: [
            ("Invalid authentication token", KometFailureClass.systemic, KometError.Code.auth),
            ("User does not have PERMISSION for this method", .systemic, .auth),
            ("Access denied", .systemic, .auth),
            ("Daily API request limit exceeded", .throttled, .quota),
            ("Quota reached", .throttled, .quota),
            ("Too Many Requests, slow down", .throttled, .quota),
            ("Customer not found", .rejected, .rejected),
            ("", .rejected, .rejected),
        ]
    )
    func statusZeroMessages(message: String, expected: KometFailureClass, code: KometError.Code) async throws {
        let stub = StubKomet { _ in
            StubKomet.answer(.ok, #"{"status": "0", "message": "\#(message)"}"#)
        }
        let error = try await addError(stub)
        #expect(error.failureClass == expected)
        #expect(error.code == code)
        if !message.isEmpty { #expect(error.message == message) }
    }

    @Test("message patterns are configurable")
    func configurablePatterns() async throws {
        let stub = StubKomet { _ in StubKomet.answer(.ok, #"{"status": false, "message": "Slow down please"}"#) }
        let configuration = KometClientConfiguration(throttledMessagePatterns: ["slow down"])
        let error = try await addError(stub, configuration: configuration)
        #expect(error.failureClass == .throttled)
    }

    @Test(
        "a 2xx body that cannot be read is ambiguous for add, transient for list",
        arguments: [
            "<html>oops</html>", "", #"{"status": "maybe"}"#, #"{"status": 1}"#, #"{"status": 1, "contactId": "x1"}"#,
        ])
    func unreadableBody(body: String) async throws {
        let stub = StubKomet { _ in StubKomet.answer(.ok, body) }
        let add = try await addError(stub)
        #expect(add.failureClass == .ambiguous)
        #expect(add.code == .invalidResponse)
        if body != #"{"status": 1}"# && body != #"{"status": 1, "contactId": "x1"}"# {
            let list = try await listError(stub)
            #expect(list.failureClass == .transient)
            #expect(list.code == .invalidResponse)
        }
    }

    @Test("a list whose contacts cannot be read is transient")
    func unreadableContacts() async throws {
        let stub = StubKomet { _ in StubKomet.answer(.ok, #"{"status": "1", "contacts": [{"name": "no id"}]}"#) }
        let error = try await listError(stub)
        #expect(error.failureClass == .transient)
        #expect(error.code == .invalidResponse)
    }

    @Test("success with status true and a string contactId")
    func lenientSuccess() async throws {
        let stub = StubKomet { _ in
            StubKomet.answer(
                .ok, #"{"status": true, "message": "Contact was successfully saved", "contactId": "98765"}"#)
        }
        let result = try await stub.with { client in try await client.addContact(sampleRequest, logger: testLogger) }
        #expect(result.contactId == 98_765)
    }

    @Test("a list with no contacts key, or null, is empty")
    func emptyList() async throws {
        for body in [#"{"status": "1", "message": "ok"}"#, #"{"status": 1, "contacts": null}"#] {
            let stub = StubKomet { _ in StubKomet.answer(.ok, body) }
            let contacts = try await stub.with { client in
                try await client.listContacts(customerId: 3, logger: testLogger)
            }
            #expect(contacts.isEmpty)
        }
    }

    @Test("a body over maxResponseBytes fails: ambiguous for a 2xx add, classified by status otherwise")
    func responseTooLarge() async throws {
        let large = #"{"status": 1, "contactId": 5, "message": ""# + String(repeating: "x", count: 5_000) + #""}"#
        let configuration = KometClientConfiguration(maxResponseBytes: 1_024)
        let error = try await addError(StubKomet { _ in StubKomet.answer(.ok, large) }, configuration: configuration)
        #expect(error.failureClass == .ambiguous)
        #expect(error.code == .responseTooLarge)

        let serverError = try await addError(
            StubKomet { _ in StubKomet.answer(.internalServerError, large) },
            configuration: configuration
        )
        #expect(serverError.failureClass == .transient)
        #expect(serverError.code == .http(status: 500))
    }

    @Test("the add request: POST, JSON with the token; the list request: GET with the token and customerId URL-encoded")
    func requestShape() async throws {
        let stub = StubKomet { request in
            request.method == .post
                ? StubKomet.answer(.ok, #"{"status": 1, "message": "ok", "contactId": 1}"#)
                : StubKomet.answer(.ok, #"{"status": "1", "contacts": []}"#)
        }
        try await stub.with { client in
            _ = try await client.addContact(sampleRequest, logger: testLogger)
            _ = try await client.listContacts(customerId: 42, logger: testLogger)
        }
        let requests = stub.requests
        try #require(requests.count == 2)
        #expect(requests[0].method == "POST")
        #expect(requests[0].uri == "/api/customer.contact.add")
        let body = try #require(
            try JSONSerialization.jsonObject(with: Data(requests[0].body.utf8)) as? [String: Any]
        )
        #expect(body["authenticationToken"] as? String == testToken)
        #expect(body["customerId"] as? Int == 17)
        #expect(body["type"] as? String == "Buyer")
        #expect(requests[1].method == "GET")
        #expect(
            requests[1].uri
                == "/api/customer.contact.list?authenticationToken=tok-SECRET-7f3a9c%2F%2B%26%3D%20%C3%A9&customerId=42"
        )
    }

    @Test("a message that echoes the token is redacted")
    func echoedTokenRedacted() async throws {
        let stub = StubKomet { _ in
            StubKomet.answer(.ok, #"{"status": 0, "message": "Token \#(testToken) is not valid"}"#)
        }
        let error = try await addError(stub)
        #expect(error.failureClass == .systemic)
        #expect(error.message == "Token <redacted> is not valid")
        #expect(tokenAbsent(from: error))

        let garbage = StubKomet { request in StubKomet.answer(.badGateway, "upstream saw \(request.uri)") }
        let listError = try await listError(garbage)
        #expect(listError.failureClass == .transient)
        #expect(listError.message.contains("<redacted>"))
        #expect(tokenAbsent(from: listError))
    }
}
