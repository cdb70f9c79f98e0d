/// The number of Komet calls the worker may make while Komet answers every call with 503, per the worker contract:
/// `M + K + N(T) + 1`, with M = maxInFlight, K = outageThreshold and N(T) the number of probe delays
/// `d_i = min(maxDelay, baseDelay * 2^(i-1))` that fit in the outage of T.
struct OutageBound {
    var maxInFlight: Int
    var outageThreshold: Int
    var baseDelay: Duration
    var maxDelay: Duration
    var outage: Duration

    /// N(T): the largest n with `d_1 + ... + d_n <= T`.
    var probes: Int {
        var count = 0
        var elapsed = Duration.zero
        var delay = baseDelay
        while true {
            let next = min(maxDelay, delay)
            guard elapsed + next <= outage else { return count }
            elapsed += next
            count += 1
            delay = delay * 2
        }
    }

    /// `M + K + N(T) + 1`.
    var calls: Int { maxInFlight + outageThreshold + probes + 1 }

    var description: String {
        "M \(maxInFlight) + K \(outageThreshold) + N(T) \(probes) + 1 = \(calls)"
    }
}
