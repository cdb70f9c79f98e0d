/// Retries of Komet calls: exponential backoff with full jitter, per key.
public struct RetryPolicy: Sendable {
    /// Calls per event for transient failures (the first call included).
    public var maxAttempts: Int = 5
    public var baseDelay: Duration = .milliseconds(500)
    public var maxDelay: Duration = .seconds(30)
    /// An event that has been retried for this long is dead-lettered with `retries_exhausted`.
    public var maxElapsed: Duration = .seconds(300)
    /// How long calls pause after a throttle answer without `Retry-After`.
    public var throttleDelay: Duration = .seconds(60)
    /// How long calls pause after a systemic failure before one probe call is let through.
    public var systemicProbeInterval: Duration = .seconds(30)
    /// How long calls pause after a quota answer before one probe call is let through (Komet's quota resets daily,
    /// at a time it does not document).
    public var quotaProbeInterval: Duration = .seconds(600)
    /// Transient failures in a row, across all events, that mean Komet is down: calls pause and a single probe goes
    /// out after `baseDelay`, doubling up to `maxDelay`; failures during the outage count against no event.
    public var outageThreshold: Int = 5

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
