import KometClient
import Testing

@Suite("KometError codes")
struct KometErrorCodeTests {
    @Test(
        "every code keeps its stable text, the one log lines and dead letters show",
        arguments: [
            (KometError.Code.rejected, "rejected"), (.quota, "quota"), (.auth, "auth"),
            (.http(status: 503), "http_503"), (.http(status: 429), "http_429"), (.connectFailed, "connect_failed"),
            (.connectTimeout, "connect_timeout"), (.timeoutBeforeSend, "timeout_before_send"),
            (.timeoutAfterSend, "timeout_after_send"), (.connectionResetAfterSend, "connection_reset_after_send"),
            (.failedBeforeSend, "failed_before_send"), (.cancelledBeforeSend, "cancelled_before_send"),
            (.cancelledAfterSend, "cancelled_after_send"), (.invalidResponse, "invalid_response"),
            (.responseTooLarge, "response_too_large"), (.requestTooLarge, "request_too_large"),
            (.invalidRequest, "invalid_request"), (.clientMisconfigured, "client_misconfigured"),
        ]
    )
    func stableText(code: KometError.Code, text: String) {
        #expect(code.text == text)
        #expect(code.description == text)
        #expect("\(code)" == text)
    }

    @Test("an error's description shows the code's text")
    func errorDescription() {
        let error = KometError(
            failureClass: .throttled, code: .http(status: 429), httpStatus: 429, message: "HTTP 429",
            retryAfter: .seconds(5))
        #expect(error.description == "KometError(throttled, http_429, http 429, retry after 5.0 seconds): HTTP 429")
        let quota = KometError(failureClass: .throttled, code: .quota, message: "Daily API request limit exceeded")
        #expect(quota.description == "KometError(throttled, quota): Daily API request limit exceeded")
    }
}
