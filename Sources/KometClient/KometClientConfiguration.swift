import AsyncHTTPClient
import NIOCore

/// Settings of `KometClient`. Every field has a documented default.
public struct KometClientConfiguration: Sendable {
    /// Komet's API root; the add endpoint is `baseURL + "/customer.contact.add"`.
    /// Default `https://api.kometsales.com/api`.
    public var baseURL: String
    /// Deadline for the whole request (connect, send, answer). Default 15 s.
    public var requestTimeout: Duration
    /// How long a request may wait for its connection before it is abandoned (nothing sent: `transient`).
    /// Enforced per request by the client, whatever the `HTTPClient`'s own settings, by a sweep every fifth of it: a
    /// request is abandoned between 1 and 1.2 times this after it started. Default 5 s.
    public var connectTimeout: Duration
    /// Largest response body the client reads; a larger one fails with `response_too_large`. Default 1 MiB.
    public var maxResponseBytes: Int
    /// Connections to Komet the process's `HTTPClient` keeps open at most (HTTP/1.1, kept alive and reused): the most
    /// calls that can be in flight at once. Size it with the caller's concurrency; a smaller value is a politeness
    /// limit towards Komet. Default 32.
    public var maxConnections: Int
    /// Case-insensitive substrings of a `status: 0` message that mean "throttled / quota spent".
    public var throttledMessagePatterns: [String]
    /// Case-insensitive substrings of a `status: 0` message that mean "the token is bad or lacks permission".
    /// Checked before `throttledMessagePatterns`.
    public var systemicMessagePatterns: [String]

    /// The default throttled patterns: "quota", "limit exceeded", "too many requests", "rate limit".
    public static let defaultThrottledMessagePatterns = ["quota", "limit exceeded", "too many requests", "rate limit"]
    /// The default systemic patterns: "token", "not authorized", "unauthorized", "permission", "access denied",
    /// "forbidden".
    public static let defaultSystemicMessagePatterns = [
        "token", "not authorized", "unauthorized", "permission", "access denied", "forbidden",
    ]

    public init(
        baseURL: String = "https://api.kometsales.com/api",
        requestTimeout: Duration = .seconds(15),
        connectTimeout: Duration = .seconds(5),
        maxResponseBytes: Int = 1024 * 1024,
        maxConnections: Int = 32,
        throttledMessagePatterns: [String] = KometClientConfiguration.defaultThrottledMessagePatterns,
        systemicMessagePatterns: [String] = KometClientConfiguration.defaultSystemicMessagePatterns
    ) {
        self.baseURL = baseURL
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.maxConnections = max(1, maxConnections)
        self.throttledMessagePatterns = throttledMessagePatterns
        self.systemicMessagePatterns = systemicMessagePatterns
    }

    /// An `HTTPClient.Configuration` suited to Komet calls, for the process's one `HTTPClient`:
    /// redirects are not followed (a redirected POST must not be replayed), a refused connection fails at once
    /// instead of being retried until the deadline, the connect timeout is `connectTimeout`, and up to
    /// `maxConnections` connections are kept (AsyncHTTPClient's own default is 8, whatever the caller's concurrency).
    public var recommendedHTTPClientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(connectTimeout))
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = maxConnections
        return configuration
    }
}
