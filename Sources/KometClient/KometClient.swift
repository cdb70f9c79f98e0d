import AsyncHTTPClient
import DurationConversions
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The Komet Sales client: `customer.contact.add` and `customer.contact.list` over one shared `HTTPClient`.
///
/// Each call makes at most one HTTP request and never retries: Komet's daily quota is spent per request, so retry
/// policy belongs to the caller (use `KometError.failureClass` / `isRetryable`). Only `KometError` is thrown.
/// The token never appears in errors or logs. Each call sends the ``KometTokenSource``'s current token, so a rotated
/// token file takes effect from the next call. The `HTTPClient` is owned, and shut down, by the caller; build it
/// with `KometClientConfiguration.recommendedHTTPClientConfiguration`.
public final class KometClient: KometAPI {
    private let configuration: KometClientConfiguration
    private let tokens: KometTokenSource
    private let httpClient: HTTPClient
    private let interpreter: KometResponseInterpreter
    private let connectWatchdog: ConnectWatchdog
    private let observer: (any KometCallObserver)?

    /// A client using `httpClient`, which stays owned (and shut down) by the caller, with the token `tokens` holds at
    /// each call. `observer` is told of every request sent.
    public init(
        configuration: KometClientConfiguration, tokens: KometTokenSource, httpClient: HTTPClient,
        observer: (any KometCallObserver)? = nil
    ) {
        self.configuration = configuration
        self.observer = observer
        self.tokens = tokens
        self.httpClient = httpClient
        self.interpreter = KometResponseInterpreter(tokens: tokens, configuration: configuration)
        self.connectWatchdog = ConnectWatchdog(timeout: configuration.connectTimeout)
    }

    /// A client that always sends `token`.
    public convenience init(
        configuration: KometClientConfiguration, token: KometToken, httpClient: HTTPClient,
        observer: (any KometCallObserver)? = nil
    ) {
        self.init(
            configuration: configuration, tokens: KometTokenSource(token, origin: .fixed), httpClient: httpClient,
            observer: observer)
    }

    public func addContact(
        _ request: KometContactRequest,
        logger: Logger
    ) async throws(KometError) -> KometAddResult {
        var logger = logger
        logger[metadataKey: KometLogKey.method] = .string(KometMethod.add.rawValue)
        logger[metadataKey: KometLogKey.customerId] = .stringConvertible(request.customerId)
        let body = request.addBody(token: tokens.current.value)
        guard body.count <= KometContactRequest.Limit.requestBytes else {
            // Komet refuses requests over 64 KB; refusing here saves a call.
            throw KometError(
                failureClass: .rejected,
                code: .requestTooLarge,
                message: "the request is \(body.count) bytes, over Komet's limit of "
                    + "\(KometContactRequest.Limit.requestBytes)"
            )
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json")
        return try await call(
            .add,
            url: configuration.baseURL + "/" + KometMethod.add.rawValue,
            httpMethod: .POST,
            headers: headers,
            body: .bytes(body),
            logger: logger
        ) { response throws(KometError) in
            let result = try interpreter.interpretAdd(response)
            logger[metadataKey: KometLogKey.contactId] = .stringConvertible(result.contactId)
            return result
        }
    }

    public func listContacts(customerId: Int64, logger: Logger) async throws(KometError) -> [KometContact] {
        var logger = logger
        logger[metadataKey: KometLogKey.method] = .string(KometMethod.list.rawValue)
        logger[metadataKey: KometLogKey.customerId] = .stringConvertible(customerId)
        let query =
            "authenticationToken=" + KometURLEncoding.encodeQueryValue(tokens.current.value)
            + "&customerId=" + KometURLEncoding.encodeQueryValue(String(customerId))
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: "application/json")
        return try await call(
            .list,
            url: configuration.baseURL + "/" + KometMethod.list.rawValue + "?" + query,
            httpMethod: .GET,
            headers: headers,
            body: nil,
            logger: logger
        ) { response throws(KometError) in
            try interpreter.interpretList(response)
        }
    }

    /// Makes one request and interprets its answer; logs one debug line with the outcome.
    private func call<Result>(
        _ method: KometMethod,
        url: String,
        httpMethod: HTTPMethod,
        headers: HTTPHeaders,
        body: HTTPClient.Body?,
        logger: Logger,
        interpret: (KometHTTPResponse) throws(KometError) -> Result
    ) async throws(KometError) -> Result {
        var logger = logger
        let request = try makeRequest(url: url, httpMethod: httpMethod, headers: headers, body: body)
        let start = ContinuousClock.now
        observer?.callStarted(method)
        do {
            let response = try await send(method, request: request)
            logger[metadataKey: KometLogKey.httpStatus] = .stringConvertible(response.status)
            let result = try interpret(response)
            let duration = ContinuousClock.now - start
            observer?.callEnded(method, failureClass: nil, duration: duration)
            logger.debug(
                "Komet call succeeded",
                metadata: [KometLogKey.durationMs: .stringConvertible(duration.wholeMilliseconds)])
            return result
        } catch {
            let duration = ContinuousClock.now - start
            observer?.callEnded(method, failureClass: error.failureClass, duration: duration)
            logger.debug(
                "Komet call failed",
                metadata: [
                    KometLogKey.failureClass: .string(error.failureClass.rawValue),
                    KometLogKey.code: .string(error.code.text),
                    KometLogKey.httpStatus: error.httpStatus.map { .stringConvertible($0) } ?? "none",
                    KometLogKey.durationMs: .stringConvertible(duration.wholeMilliseconds),
                ]
            )
            throw error
        }
    }

    /// The request, or a classified error when it cannot be sent (cancelled already, or a URL that does not parse).
    private func makeRequest(
        url: String, httpMethod: HTTPMethod, headers: HTTPHeaders, body: HTTPClient.Body?
    ) throws(KometError) -> HTTPClient.Request {
        if Task.isCancelled {
            throw KometError(failureClass: .transient, code: .cancelledBeforeSend, message: "the call was cancelled")
        }
        do {
            return try HTTPClient.Request(url: url, method: httpMethod, headers: headers, body: body)
        } catch {
            throw KometError(
                failureClass: .systemic,
                code: .clientMisconfigured,
                message:
                    "invalid Komet URL (baseURL \(configuration.baseURL)): \(tokens.redact(String(describing: error)))"
            )
        }
    }

    /// Sends one request, returning the complete answer (any HTTP status) or throwing a classified transport error.
    private func send(_ method: KometMethod, request: HTTPClient.Request) async throws(KometError) -> KometHTTPResponse
    {
        let collector = KometResponseCollector(maxBytes: configuration.maxResponseBytes)
        let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
        // Not passing our logger on: the HTTP client's own log lines may carry the URL, which for list holds the token.
        let task = httpClient.execute(request: request, delegate: collector, deadline: deadline)
        let ticket = connectWatchdog.watch(task, collector: collector)
        defer { connectWatchdog.release(ticket) }
        do {
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            throw interpreter.transportFailure(error, progress: collector.progress, method: method)
        }
    }
}
