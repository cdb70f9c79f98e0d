/// Faults the simulator injects. Rates are probabilities in 0...1, drawn per call with a seeded generator; one
/// draw decides at most one fault, in the order server error, throttle, timeout, ambiguous (rates add up).
///
/// Faults that answer 503, 429 or time out stand for the infrastructure in front of Komet: those calls are not
/// processed and do not count against the quota. An ambiguous call is processed (and counts) normally.
public struct KometFaults: Codable, Sendable, Hashable {
    /// Delay before every API call is handled, in milliseconds.
    public var latencyMs: Int
    /// Share of API calls answered with HTTP 503, unprocessed.
    public var serverErrorRate: Double
    /// Share of API calls answered with HTTP 429 and `Retry-After: throttleRetryAfterSeconds`, unprocessed.
    public var throttleRate: Double
    /// The `Retry-After` value of throttled answers, in seconds.
    public var throttleRetryAfterSeconds: Int
    /// Share of API calls that hang for `timeoutSleepMs` and then answer 503, unprocessed: a client with a
    /// shorter timeout gives up first, and no contact is created.
    public var timeoutRate: Double
    /// How long a timed-out call hangs, in milliseconds (default 30,000).
    public var timeoutSleepMs: Int
    /// Share of API calls that are processed (an add creates the contact) after which the connection is closed
    /// without any answer: the client sees the connection drop after its request was sent.
    public var ambiguousRate: Double
    /// When true every API call is answered as Komet answers a revoked or wrong token: HTTP 200 with
    /// `{"status": 0, "message": "Invalid authentication token"}`. Such calls do not count against the quota.
    public var rejectToken: Bool

    /// No faults.
    public static let none = KometFaults()

    public init(
        latencyMs: Int = 0,
        serverErrorRate: Double = 0,
        throttleRate: Double = 0,
        throttleRetryAfterSeconds: Int = 1,
        timeoutRate: Double = 0,
        timeoutSleepMs: Int = 30_000,
        ambiguousRate: Double = 0,
        rejectToken: Bool = false
    ) {
        self.latencyMs = latencyMs
        self.serverErrorRate = serverErrorRate
        self.throttleRate = throttleRate
        self.throttleRetryAfterSeconds = throttleRetryAfterSeconds
        self.timeoutRate = timeoutRate
        self.timeoutSleepMs = timeoutSleepMs
        self.ambiguousRate = ambiguousRate
        self.rejectToken = rejectToken
    }

    /// The same faults with rates clamped to 0...1 and times to 0 or more.
    var normalized: KometFaults {
        KometFaultsPatch(
            latencyMs: latencyMs,
            serverErrorRate: serverErrorRate,
            throttleRate: throttleRate,
            throttleRetryAfterSeconds: throttleRetryAfterSeconds,
            timeoutRate: timeoutRate,
            timeoutSleepMs: timeoutSleepMs,
            ambiguousRate: ambiguousRate,
            rejectToken: rejectToken
        ).applied(to: KometFaults())
    }

    /// Decodes faults; a missing field keeps its default.
    public init(from decoder: any Decoder) throws {
        self = try KometFaultsPatch(from: decoder).applied(to: KometFaults())
    }
}

/// A partial `KometFaults`, as `PUT /admin/faults` takes it: absent fields keep their current value.
struct KometFaultsPatch: Decodable {
    var latencyMs: Int?
    var serverErrorRate: Double?
    var throttleRate: Double?
    var throttleRetryAfterSeconds: Int?
    var timeoutRate: Double?
    var timeoutSleepMs: Int?
    var ambiguousRate: Double?
    var rejectToken: Bool?

    func applied(to faults: KometFaults) -> KometFaults {
        var result = faults
        if let latencyMs { result.latencyMs = max(0, latencyMs) }
        if let serverErrorRate { result.serverErrorRate = Self.rate(serverErrorRate) }
        if let throttleRate { result.throttleRate = Self.rate(throttleRate) }
        if let throttleRetryAfterSeconds { result.throttleRetryAfterSeconds = max(0, throttleRetryAfterSeconds) }
        if let timeoutRate { result.timeoutRate = Self.rate(timeoutRate) }
        if let timeoutSleepMs { result.timeoutSleepMs = max(0, timeoutSleepMs) }
        if let ambiguousRate { result.ambiguousRate = Self.rate(ambiguousRate) }
        if let rejectToken { result.rejectToken = rejectToken }
        return result
    }

    private static func rate(_ value: Double) -> Double {
        value.isNaN ? 0 : min(1, max(0, value))
    }
}
