/// What to do with a key whose earlier call may or may not have created the contact.
public enum AmbiguousPolicy: String, Sendable, CaseIterable {
    /// Look the contact up with `customer.contact.list`; call again only when it is not there.
    case reconcile
    /// Dead-letter the event with reason `ambiguous_outcome`; an operator decides.
    case deadLetter
    /// Call again (may create a duplicate contact in Komet).
    case retry
}

/// Settings of the event pipeline.
public struct PipelineConfiguration: Sendable {
    /// Events processed at once. Events of one key never run concurrently.
    public var maxInFlight: Int
    /// Buffered (received, unfinished) events above which every assigned partition is paused; they resume at half.
    public var maxBuffered: Int
    /// How long a revoke or a shutdown waits for in-flight events before giving up on them.
    public var drainTimeout: Duration
    /// How often every assigned partition's position is stored again (see `Pipeline.storePositionsAgain`).
    public var storeRefreshInterval: Duration
    public var ambiguousPolicy: AmbiguousPolicy
    public var successTopic: String
    public var deadLetterTopic: String

    public init(
        maxInFlight: Int = 32,
        maxBuffered: Int = 2_000,
        drainTimeout: Duration = .seconds(30),
        storeRefreshInterval: Duration = .seconds(5),
        ambiguousPolicy: AmbiguousPolicy = .reconcile,
        successTopic: String = "contacts.komet.succeeded",
        deadLetterTopic: String = "contacts.komet.dlq"
    ) {
        self.maxInFlight = maxInFlight
        self.maxBuffered = maxBuffered
        self.drainTimeout = drainTimeout
        self.storeRefreshInterval = storeRefreshInterval
        self.ambiguousPolicy = ambiguousPolicy
        self.successTopic = successTopic
        self.deadLetterTopic = deadLetterTopic
    }
}

/// Retries of Komet calls: exponential backoff with full jitter, per key.
public struct RetryPolicy: Sendable {
    /// Calls per event for transient failures (the first call included).
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// An event that has been retried for this long is dead-lettered with `retries_exhausted`.
    public var maxElapsed: Duration
    /// How long calls pause after a throttle answer without `Retry-After`.
    public var throttleDelay: Duration
    /// How long calls pause after a systemic failure before one probe call is let through.
    public var systemicProbeInterval: Duration
    /// How long calls pause after a quota answer before one probe call is let through (Komet's quota resets daily,
    /// at a time it does not document).
    public var quotaProbeInterval: Duration
    /// Transient failures in a row, across all events, that mean Komet is down: calls pause and a single probe goes
    /// out after `baseDelay`, doubling up to `maxDelay`; failures during the outage count against no event.
    public var outageThreshold: Int

    public init(
        maxAttempts: Int = 5,
        baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(30),
        maxElapsed: Duration = .seconds(300),
        throttleDelay: Duration = .seconds(60),
        systemicProbeInterval: Duration = .seconds(30),
        quotaProbeInterval: Duration = .seconds(600),
        outageThreshold: Int = 5
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxElapsed = maxElapsed
        self.throttleDelay = throttleDelay
        self.systemicProbeInterval = systemicProbeInterval
        self.quotaProbeInterval = quotaProbeInterval
        self.outageThreshold = outageThreshold
    }

    /// The gate's timing that follows from this policy.
    var gateSettings: KometCallGate.Settings {
        KometCallGate.Settings(
            outageThreshold: max(1, outageThreshold), outageBaseDelay: baseDelay, outageMaxDelay: maxDelay)
    }

    /// The delay before retry number `retry` (1 for the first retry): uniform in 0...min(maxDelay, base * 2^(retry-1)).
    public func backoff<R: RandomNumberGenerator>(retry: Int, using generator: inout R) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        let milliseconds = ceiling.wholeMilliseconds
        guard milliseconds > 0 else { return .zero }
        return .milliseconds(Int64.random(in: 0...milliseconds, using: &generator))
    }
}
