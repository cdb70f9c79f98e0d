/// A failed Komet call: a stable code, its failure class, and a message that never contains the token.
public struct KometError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the caller should do about it (see DESIGN.md, "Failures").
    public var failureClass: KometFailureClass
    /// A stable code (see ``Code``); its text (`quota`, `http_503`, …) is what log lines and dead letters show.
    public var code: Code
    /// The HTTP status of Komet's answer, when there was one.
    public var httpStatus: Int?
    /// Komet's message, or a description of the failure. The token is redacted.
    public var message: String
    /// How long Komet asked us to wait (`Retry-After`), for throttled answers that carried one.
    public var retryAfter: Duration?

    /// An error; `message` must already be free of the token.
    public init(
        failureClass: KometFailureClass,
        code: Code,
        httpStatus: Int? = nil,
        message: String,
        retryAfter: Duration? = nil
    ) {
        self.failureClass = failureClass
        self.code = code
        self.httpStatus = httpStatus
        self.message = message
        self.retryAfter = retryAfter
    }

    /// `true` for `transient` and `throttled` failures: the same call may succeed later.
    public var isRetryable: Bool {
        switch failureClass {
        case .transient, .throttled: true
        case .rejected, .ambiguous, .systemic: false
        }
    }

    public var description: String {
        var text = "KometError(\(failureClass.rawValue), \(code.text)"
        if let httpStatus { text += ", http \(httpStatus)" }
        if let retryAfter { text += ", retry after \(retryAfter)" }
        return text + "): \(message)"
    }
}
