/// Faults the simulator injects. Rates are probabilities in 0...1, drawn per call with a seeded generator; one
/// draw decides at most one fault, in the order server error, throttle, timeout, ambiguous, late (adds only; a
/// list skips its share), spike (rates add up). With every rate at 0 the draws, and so the fault sequence of a
/// seed, are those of a simulator without late answers and spikes.
///
/// Faults that answer 503, 429 or time out stand for the infrastructure in front of Komet: those calls are not
/// processed and do not count against the quota. An ambiguous call is processed (and counts) normally. A late or
/// spiked add is held, then processed (and counts) at its due time, whether or not the client still waits.
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
    /// Share of `customer.contact.add` calls held for `lateDelayMs` (counted from the moment the body is read) and
    /// only then processed, in the simulator's own time: the contact is created at that moment even when the
    /// client has given up or the connection is gone, and the answer goes to a client that still waits. Make the
    /// delay longer than the client's request timeout to get a late answer (default 0).
    public var lateRate: Double
    /// How long a late add is held, in milliseconds (default 20,000: longer than the client's default 15 s).
    public var lateDelayMs: Int
    /// Share of API calls (add and list) that take an extra delay drawn from `spikeMinMs...spikeMaxMs`, otherwise
    /// normal. A spiked add is held and processed like a late one, so a client whose timeout is shorter than the
    /// spike gets a late answer too (default 0).
    public var spikeRate: Double
    /// The shortest spike, in milliseconds (default 3,500).
    public var spikeMinMs: Int
    /// The longest spike, in milliseconds (default 4,500); raised to `spikeMinMs` when below it.
    public var spikeMaxMs: Int
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
        lateRate: Double = 0,
        lateDelayMs: Int = 20_000,
        spikeRate: Double = 0,
        spikeMinMs: Int = 3_500,
        spikeMaxMs: Int = 4_500,
        rejectToken: Bool = false
    ) {
        self.latencyMs = latencyMs
        self.serverErrorRate = serverErrorRate
        self.throttleRate = throttleRate
        self.throttleRetryAfterSeconds = throttleRetryAfterSeconds
        self.timeoutRate = timeoutRate
        self.timeoutSleepMs = timeoutSleepMs
        self.ambiguousRate = ambiguousRate
        self.lateRate = lateRate
        self.lateDelayMs = lateDelayMs
        self.spikeRate = spikeRate
        self.spikeMinMs = spikeMinMs
        self.spikeMaxMs = spikeMaxMs
        self.rejectToken = rejectToken
    }

    /// The spike delays, in milliseconds.
    var spikeRangeMs: ClosedRange<Int> {
        spikeMinMs...max(spikeMinMs, spikeMaxMs)
    }

    /// The same faults with rates clamped to 0...1, times to 0 or more and `spikeMaxMs` to `spikeMinMs` or more.
    var normalized: KometFaults {
        KometFaultsPatch(
            latencyMs: latencyMs,
            serverErrorRate: serverErrorRate,
            throttleRate: throttleRate,
            throttleRetryAfterSeconds: throttleRetryAfterSeconds,
            timeoutRate: timeoutRate,
            timeoutSleepMs: timeoutSleepMs,
            ambiguousRate: ambiguousRate,
            lateRate: lateRate,
            lateDelayMs: lateDelayMs,
            spikeRate: spikeRate,
            spikeMinMs: spikeMinMs,
            spikeMaxMs: spikeMaxMs,
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
    var lateRate: Double?
    var lateDelayMs: Int?
    var spikeRate: Double?
    var spikeMinMs: Int?
    var spikeMaxMs: Int?
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
        if let lateRate { result.lateRate = Self.rate(lateRate) }
        if let lateDelayMs { result.lateDelayMs = max(0, lateDelayMs) }
        if let spikeRate { result.spikeRate = Self.rate(spikeRate) }
        if let spikeMinMs { result.spikeMinMs = max(0, spikeMinMs) }
        if let spikeMaxMs { result.spikeMaxMs = max(0, spikeMaxMs) }
        result.spikeMaxMs = max(result.spikeMinMs, result.spikeMaxMs)
        if let rejectToken { result.rejectToken = rejectToken }
        return result
    }

    private static func rate(_ value: Double) -> Double {
        value.isNaN ? 0 : min(1, max(0, value))
    }
}
