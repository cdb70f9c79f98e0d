import DurationConversions

/// Exponential backoff, the one schedule of every retry loop: the delay before retry `n` (1 for the first retry) is at
/// most `min(maxDelay, baseDelay * 2^(n-1))`; with full jitter it is drawn uniformly from zero to that ceiling, in
/// whole milliseconds.
struct Backoff: Sendable, Equatable {
    enum Jitter: Sendable, Equatable {
        /// The delay is the ceiling itself.
        case none
        /// The delay is uniform in `0...ceiling` ("full jitter"), so retries of many callers spread out.
        case full
    }

    var baseDelay: Duration
    var maxDelay: Duration
    var jitter: Jitter

    /// The longest delay before retry `retry`.
    func ceiling(retry: Int) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        return min(maxDelay, baseDelay * (1 << exponent))
    }

    /// The delay before retry `retry`.
    func delay<R: RandomNumberGenerator>(retry: Int, using generator: inout R) -> Duration {
        let ceiling = ceiling(retry: retry)
        switch jitter {
        case .none:
            return ceiling
        case .full:
            let milliseconds = ceiling.wholeMilliseconds
            guard milliseconds > 0 else { return .zero }
            return .milliseconds(Int64.random(in: 0...milliseconds, using: &generator))
        }
    }

    /// The delay before retry `retry`, drawn from the system's random numbers.
    func delay(retry: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(retry: retry, using: &generator)
    }
}
