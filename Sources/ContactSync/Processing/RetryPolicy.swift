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
            outageThreshold: max(1, outageThreshold),
            outageBackoff: Backoff(baseDelay: baseDelay, maxDelay: maxDelay, jitter: .none))
    }

    /// The backoff between one event's transient failures: full jitter from `baseDelay`, capped at `maxDelay`.
    var transientBackoff: Backoff { Backoff(baseDelay: baseDelay, maxDelay: maxDelay, jitter: .full) }

    /// The delay before retry number `retry` (1 for the first retry): uniform in 0...min(maxDelay, base * 2^(retry-1)).
    public func backoff<R: RandomNumberGenerator>(retry: Int, using generator: inout R) -> Duration {
        transientBackoff.delay(retry: retry, using: &generator)
    }
}
