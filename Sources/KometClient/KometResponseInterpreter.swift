import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// Turns what happened to one request (an answer, or a transport error and how far the request got) into a
/// result or a `KometError`. Every outcome lands in exactly one `KometFailureClass`. Messages are token-redacted.
struct KometResponseInterpreter: Sendable {
    /// Redacts every token the source has held (a late answer may echo the previous one).
    var tokens: KometTokenSource
    var throttledPatterns: [String]
    var systemicPatterns: [String]

    init(tokens: KometTokenSource, configuration: KometClientConfiguration) {
        self.tokens = tokens
        self.throttledPatterns = configuration.throttledMessagePatterns.map { $0.lowercased() }.filter { !$0.isEmpty }
        self.systemicPatterns = configuration.systemicMessagePatterns.map { $0.lowercased() }.filter { !$0.isEmpty }
    }

    // MARK: Answers

    /// The result of a complete `customer.contact.add` answer.
    func interpretAdd(_ response: KometHTTPResponse) throws(KometError) -> KometAddResult {
        // The usual answer, read without a decoder; anything else goes the decoders' way below.
        if (200..<300).contains(response.status), let answer = KometFlatAnswer(response.body), answer.isSuccess,
            let contactId = answer.contactId
        {
            return KometAddResult(contactId: contactId, message: redact(answer.message ?? ""))
        }
        return try decodedAdd(response)
    }

    /// `interpretAdd` through the decoders: every answer, including those the flat reader leaves to it.
    func decodedAdd(_ response: KometHTTPResponse) throws(KometError) -> KometAddResult {
        let envelope = try statusEnvelope(response, method: .add)
        guard let body = try? JSONDecoder().decode(KometAddResponseBody.self, from: response.body) else {
            throw KometError(
                failureClass: KometMethod.add.failureClassAfterSend,
                code: .invalidResponse,
                httpStatus: response.status,
                message: "status 1 without a valid contactId: " + bodySnippet(response.body)
            )
        }
        return KometAddResult(contactId: body.contactId.value, message: redact(envelope.message ?? ""))
    }

    /// The result of a complete `customer.contact.list` answer.
    func interpretList(_ response: KometHTTPResponse) throws(KometError) -> [KometContact] {
        _ = try statusEnvelope(response, method: .list)
        do {
            let body = try JSONDecoder().decode(KometListResponseBody.self, from: response.body)
            return (body.contacts ?? []).map(\.contact)
        } catch {
            throw KometError(
                failureClass: KometMethod.list.failureClassAfterSend,
                code: .invalidResponse,
                httpStatus: response.status,
                message: "status 1 with an unreadable contact list: " + bodySnippet(response.body)
            )
        }
    }

    /// Checks the HTTP status and `status` field; returns the envelope of a `status: 1` answer.
    private func statusEnvelope(
        _ response: KometHTTPResponse,
        method: KometMethod
    ) throws(KometError) -> KometStatusEnvelope {
        if let failure = httpStatusFailure(
            status: response.status, retryAfter: response.retryAfter, body: response.body)
        {
            throw failure
        }
        guard let envelope = try? JSONDecoder().decode(KometStatusEnvelope.self, from: response.body) else {
            throw KometError(
                failureClass: method.failureClassAfterSend,
                code: .invalidResponse,
                httpStatus: response.status,
                message: "unreadable answer: " + bodySnippet(response.body)
            )
        }
        if envelope.status == .failure {
            throw statusZeroFailure(message: envelope.message, httpStatus: response.status)
        }
        return envelope
    }

    /// The failure for a non-2xx HTTP status, or nil for 2xx.
    func httpStatusFailure(status: Int, retryAfter: String?, body: ByteBuffer?) -> KometError? {
        let failureClass: KometFailureClass
        switch status {
        case 200..<300: return nil
        case 401, 403: failureClass = .systemic
        case 429: failureClass = .throttled
        case 408, 500..<600: failureClass = .transient
        case 400..<500: failureClass = .rejected
        default:
            // 1xx/3xx (redirects are not followed): the base URL is wrong, and every call would fail alike.
            failureClass = .systemic
        }
        var message = "HTTP \(status)"
        if let body {
            if let envelope = try? JSONDecoder().decode(KometStatusEnvelope.self, from: body),
                let text = envelope.message, !text.isEmpty
            {
                message += ": " + redact(text)
            } else if body.readableBytes > 0 {
                message += ": " + bodySnippet(body)
            }
        }
        return KometError(
            failureClass: failureClass,
            code: .http(status: status),
            httpStatus: status,
            message: message,
            retryAfter: retryAfter.flatMap { RetryAfter.parse($0) }
        )
    }

    /// Classifies a `status: 0` answer by its message: systemic patterns first, then throttled, else rejected.
    func statusZeroFailure(message: String?, httpStatus: Int?) -> KometError {
        let text = redact(message ?? "")
        let lowered = text.lowercased()
        let shown = text.isEmpty ? "status 0 without a message" : text
        if systemicPatterns.contains(where: { lowered.contains($0) }) {
            return KometError(
                failureClass: .systemic, code: .auth, httpStatus: httpStatus, message: shown)
        }
        if throttledPatterns.contains(where: { lowered.contains($0) }) {
            return KometError(
                failureClass: .throttled, code: .quota, httpStatus: httpStatus, message: shown)
        }
        return KometError(failureClass: .rejected, code: .rejected, httpStatus: httpStatus, message: shown)
    }

    // MARK: Transport failures

    /// Classifies an error of the HTTP request, using how far the request got.
    func transportFailure(
        _ error: any Error,
        progress: KometResponseCollector.Progress,
        method: KometMethod
    ) -> KometError {
        // An answer's head arrived with a failure status: that status decides, whatever happened to the body.
        if let status = progress.responseStatus,
            let failure = httpStatusFailure(status: status, retryAfter: progress.retryAfter, body: nil)
        {
            return failure
        }
        let description = redact(String(describing: error))
        if error is KometResponseCollector.ResponseTooLarge {
            return KometError(
                failureClass: method.failureClassAfterSend,
                code: .responseTooLarge,
                httpStatus: progress.responseStatus,
                message: "the answer's body passed the configured maxResponseBytes"
            )
        }
        if error is KometResponseCollector.ConnectTimeoutElapsed {
            return KometError(
                failureClass: .transient,
                code: .connectTimeout,
                message: "no connection to Komet within the connect timeout"
            )
        }
        let httpError = error as? HTTPClientError
        if !progress.requestSent {
            let code: KometError.Code
            switch httpError {
            case .some(.deadlineExceeded), .some(.readTimeout), .some(.writeTimeout),
                .some(.getConnectionFromPoolTimeout):
                code = .timeoutBeforeSend
            case .some(.connectTimeout), .some(.tlsHandshakeTimeout):
                code = .connectTimeout
            case .some(.cancelled):
                code = .cancelledBeforeSend
            case .some(.invalidURL), .some(.emptyHost), .some(.emptyScheme), .some(.alreadyShutdown):
                return KometError(failureClass: .systemic, code: .clientMisconfigured, message: description)
            case .some:
                code = .failedBeforeSend
            case .none:
                // Connection refused, DNS, TLS: errors of NIO's connection establishment.
                code = .connectFailed
            }
            return KometError(failureClass: .transient, code: code, message: description)
        }
        let code: KometError.Code
        switch httpError {
        case .some(.deadlineExceeded), .some(.readTimeout):
            code = .timeoutAfterSend
        case .some(.cancelled):
            code = .cancelledAfterSend
        default:
            code = .connectionResetAfterSend
        }
        return KometError(
            failureClass: method.failureClassAfterSend,
            code: code,
            httpStatus: progress.responseStatus,
            message: description
        )
    }

    // MARK: Helpers

    func redact(_ text: String) -> String {
        tokens.redact(text)
    }

    /// The start of a body, as text, for messages.
    private func bodySnippet(_ body: ByteBuffer) -> String {
        let limit = 200
        let bytes = body.readableBytesView.prefix(limit)
        var text = String(decoding: bytes, as: UTF8.self)
        if body.readableBytes > limit { text += "…" }
        return text.isEmpty ? "(empty body)" : redact(text)
    }
}
