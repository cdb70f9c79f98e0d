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
