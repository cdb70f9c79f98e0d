import NIOCore
import SyncTestSupport
import Testing

@testable import KometClient

@Suite("The add answer's fast path")
struct KometFlatAnswerTests {
    private let interpreter = KometResponseInterpreter(
        tokens: KometTokenSource(KometToken("flat-answer-token"), origin: .fixed),
        configuration: KometClientConfiguration())

    private func response(_ body: String, status: Int = 200) -> KometHTTPResponse {
        KometHTTPResponse(status: status, retryAfter: nil, body: ByteBuffer(string: body))
    }

    /// What an interpretation came to, comparable: the result, or the error's class and code.
    private enum Outcome: Equatable {
        case added(KometAddResult)
        case failed(KometFailureClass, String)
    }

    private func outcome(_ interpret: () throws(KometError) -> KometAddResult) -> Outcome {
        do {
            return .added(try interpret())
        } catch {
            return .failed(error.failureClass, error.code.text)
        }
    }

    @Test(
        "the usual answers are read without the decoders",
        arguments: [
            #"{"status": 1, "message": "Contact was successfully saved", "contactId": 4535434}"#,
            #"{"contactId":"4535434","status":"1"}"#,
            " \n{\"status\":true,\"message\":\"Kontakt gespeichert ✓\",\"contactId\":-0,\"extra\":null}\r\n",
            #"{"status":1,"message":7,"contactId":9223372036854775807}"#,
        ])
    func readsUsualAnswers(body: String) throws {
        let answer = try #require(KometFlatAnswer(ByteBuffer(string: body)))
        #expect(answer.isSuccess)
        let contactId = try #require(answer.contactId)
        let fast = outcome { () throws(KometError) in try interpreter.interpretAdd(response(body)) }
        let decoded = outcome { () throws(KometError) in try interpreter.decodedAdd(response(body)) }
        #expect(fast == decoded)
        #expect(fast == .added(KometAddResult(contactId: contactId, message: answer.message ?? "")))
    }

    @Test(
        "anything but a flat object of plain members is left to the decoders",
        arguments: [
            #"{"status":1,"contactId":5,"data":{}}"#,
            #"{"status":1,"contactId":5,"ids":[1]}"#,
            #"{"status":1,"message":"a\"b","contactId":5}"#,
            #"{"status":1,"contactId":5.0}"#,
            #"{"status":1,"contactId":5e2}"#,
            #"{"status":1,"contactId":05}"#,
            #"{"status":1,"contactId":5,"status":0}"#,
            #"{"status":1,"contactId":5} x"#,
            #"{"status":1,"contactId":5,}"#,
            #"{"status":1 "contactId":5}"#,
            #"{"status":1,"contactId":99999999999999999999}"#,
            "{\"status\":1,\"message\":\"tab\there\",\"contactId\":5}",
            #"[{"status":1,"contactId":5}]"#,
            "",
        ])
    func leavesTheRestToTheDecoders(body: String) {
        #expect(KometFlatAnswer(ByteBuffer(string: body)) == nil)
    }

    @Test("invalid UTF-8 in a string is left to the decoders")
    func invalidUTF8() {
        var buffer = ByteBuffer(string: #"{"status":1,"message":""#)
        buffer.writeBytes([0xC3, 0x28])
        buffer.writeString(#"","contactId":5}"#)
        #expect(KometFlatAnswer(buffer) == nil)
    }

    /// Seeded answers of every shape Komet could plausibly send, some malformed: the fast path changes no outcome.
    @Test("the fast path and the decoders agree on 2,000 seeded answers")
    func agreesWithTheDecoders() {
        var random = SeededGenerator(seed: 0x5EED_F1A7)
        let statuses = ["1", "\"1\"", "true", "0", "\"0\"", "false", "\" 1 \"", "2", "null", "1.0", "\"yes\""]
        let contactIds = [
            "4535434", "\"4535434\"", "\" 42 \"", "\"+42\"", "-17", "0", "00", "1e3", "9223372036854775807",
            "9223372036854775808", "\"\"", "null", "true", "[1]", "{\"id\":1}", "12.5",
        ]
        let messages = [
            "\"Contact was successfully saved\"", "\"\"", "\"quota exceeded\"", "\"\\u00e9t\\u00e9\"", "\"Größe ✓\"",
            "null", "5", "[\"a\"]", "\"token flat-answer-token is bad\"",
        ]
        let extras = ["\"id\":7", "\"data\":null", "\"list\":[]", "\"nested\":{\"a\":1}", "\"flag\":false"]
        var fastPathTaken = 0
        for _ in 0..<2_000 {
            var members: [String] = []
            if random.chance(0.95) {
                members.append("\"status\":" + (random.chance(0.5) ? "1" : random.pick(statuses)))
            }
            if random.chance(0.9) {
                members.append("\"contactId\":" + (random.chance(0.5) ? "17" : random.pick(contactIds)))
            }
            if random.chance(0.8) {
                members.append("\"message\":" + (random.chance(0.5) ? "\"ok\"" : random.pick(messages)))
            }
            if random.chance(0.3) { members.append(random.pick(extras)) }
            if random.chance(0.05) { members.append(members.first ?? "\"status\":1") }
            members.shuffle(using: &random)
            let spacing = random.chance(0.3) ? " \n " : ""
            var body = "{" + spacing + members.joined(separator: "," + spacing) + spacing + "}"
            if random.chance(0.03) { body.removeLast() }
            let httpStatus = random.chance(0.9) ? 200 : random.pick([201, 400, 429, 500])
            let fast = outcome { () throws(KometError) in
                try interpreter.interpretAdd(response(body, status: httpStatus))
            }
            let decoded = outcome { () throws(KometError) in
                try interpreter.decodedAdd(response(body, status: httpStatus))
            }
            #expect(fast == decoded, "\(httpStatus) \(body)")
            if let answer = KometFlatAnswer(ByteBuffer(string: body)), answer.isSuccess, answer.contactId != nil,
                (200..<300).contains(httpStatus)
            {
                fastPathTaken += 1
            }
        }
        // The comparison means something only if both paths were taken often.
        #expect(fastPathTaken > 200)
        #expect(fastPathTaken < 1_800)
    }
}
