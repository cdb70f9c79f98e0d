/// Counters of the simulator, as `GET /admin/stats` shows them.
public struct KometSimulatorStats: Codable, Sendable, Hashable {
    /// `customer.contact.add` calls received.
    public var addCalls = 0
    /// `customer.contact.list` calls received.
    public var listCalls = 0
    /// Adds answered with status 1 (contact created and answered; a held add counts when its handler still waits at
    /// its due time, whether or not the client is still connected).
    public var created = 0
    /// Lists answered with status 1.
    public var listed = 0
    /// Calls answered with status 0 for a problem of the request (customer, type, fields, size, JSON).
    public var rejected = 0
    /// Calls answered 503 by the server-error fault.
    public var serverErrors = 0
    /// Calls answered 429 by the throttle fault.
    public var throttled = 0
    /// Calls that hung by the timeout fault.
    public var timeouts = 0
    /// Calls processed and then dropped without an answer by the ambiguous fault.
    public var ambiguous = 0
    /// Adds held by the late fault (counted when drawn; each is processed once its delay has passed).
    public var late = 0
    /// Calls (add or list) slowed by a latency spike (counted when drawn).
    public var spikes = 0
    /// Adds held by the late fault or a spike and not processed yet: 0 once every held add has landed.
    public var heldAdds = 0
    /// Calls refused because the daily quota was spent.
    public var quotaExceeded = 0
    /// Calls refused for a wrong, missing or revoked token.
    public var authFailures = 0
    /// Quota spent today.
    public var quotaUsed = 0
    /// The daily quota.
    public var dailyQuota = 0
    /// Contacts stored now (created, whether the answer arrived or not).
    public var contacts = 0

    /// All counters at zero.
    public init() {}
}
