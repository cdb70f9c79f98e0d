extension KometError {
    /// The stable code of a failed Komet call: what went wrong, more finely than its ``KometFailureClass``.
    ///
    /// ``text`` (and ``description``) is the code as log lines and dead letters show it, e.g. `quota` or `http_503`;
    /// it never changes for a case.
    public enum Code: Sendable, Hashable, CustomStringConvertible {
        /// `rejected`: a `status: 0` answer whose message matches neither the systemic nor the throttled patterns.
        case rejected
        /// `quota`: a `status: 0` answer whose message matches a throttled pattern: the daily quota is spent (Komet
        /// sends no `Retry-After` for it).
        case quota
        /// `auth`: a `status: 0` answer whose message matches a systemic pattern (token, permission).
        case auth
        /// `http_<status>`: an answer with a non-2xx HTTP status, e.g. `http_503`.
        case http(status: Int)
        /// `connect_failed`: no connection to Komet (refused, DNS, TLS); nothing was sent.
        case connectFailed
        /// `connect_timeout`: no connection (or TLS handshake) within the connect timeout; nothing was sent.
        case connectTimeout
        /// `timeout_before_send`: the request's deadline passed before it was sent.
        case timeoutBeforeSend
        /// `timeout_after_send`: the request was sent, but no complete answer came before the deadline.
        case timeoutAfterSend
        /// `connection_reset_after_send`: the request was sent, then the connection failed before a complete answer.
        case connectionResetAfterSend
        /// `failed_before_send`: another HTTP client error before the request was sent.
        case failedBeforeSend
        /// `cancelled_before_send`: the calling task was cancelled before the request was sent.
        case cancelledBeforeSend
        /// `cancelled_after_send`: the calling task was cancelled after the request was sent.
        case cancelledAfterSend
        /// `invalid_response`: a 2xx answer that cannot be read (no valid `status`, `contactId` or contact list).
        case invalidResponse
        /// `response_too_large`: the answer's body passed the configured `maxResponseBytes`.
        case responseTooLarge
        /// `request_too_large`: the request is over Komet's size limit; it was not sent.
        case requestTooLarge
        /// `invalid_request`: the request cannot be encoded; it was not sent.
        case invalidRequest
        /// `client_misconfigured`: no request can be made at all (an invalid base URL, an HTTP client shut down).
        case clientMisconfigured

        /// The code as log lines and dead letters show it, e.g. `quota` or `http_503`.
        public var text: String {
            switch self {
            case .rejected: "rejected"
            case .quota: "quota"
            case .auth: "auth"
            case .http(let status): "http_\(status)"
            case .connectFailed: "connect_failed"
            case .connectTimeout: "connect_timeout"
            case .timeoutBeforeSend: "timeout_before_send"
            case .timeoutAfterSend: "timeout_after_send"
            case .connectionResetAfterSend: "connection_reset_after_send"
            case .failedBeforeSend: "failed_before_send"
            case .cancelledBeforeSend: "cancelled_before_send"
            case .cancelledAfterSend: "cancelled_after_send"
            case .invalidResponse: "invalid_response"
            case .responseTooLarge: "response_too_large"
            case .requestTooLarge: "request_too_large"
            case .invalidRequest: "invalid_request"
            case .clientMisconfigured: "client_misconfigured"
            }
        }

        /// The same as ``text``.
        public var description: String { text }
    }
}
